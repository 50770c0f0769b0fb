import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badRequest, taskNotFound } from '../contract/errors.js';
import { roundUsd } from '../contract/money.js';
import { BalanceRefused, MAX_BALANCE_USD, type ApiKey } from '../store/types.js';
import { callerKey } from './auth.js';
import { webhookUrlProblem } from './webhook-url.js';
import type { Gateway } from './gateway.js';
import { renderTask } from './task-routes.js';

const usd = (n: number | null) => (n === null ? null : roundUsd(n));

/** A key as lists show it: never the secret, its hash or its webhook secret. */
export function keyView(row: ApiKey): Record<string, unknown> {
  return {
    id: row.id,
    object: 'api_key',
    name: row.name,
    prefix: row.prefix,
    admin: row.is_admin,
    created: Math.floor(row.created_ms / 1000),
    revoked: row.revoked_ms === null ? null : Math.floor(row.revoked_ms / 1000),
    balance_usd: usd(row.balance_usd),
    spend_limit_usd: usd(row.spend_limit_usd),
    reserved_usd: usd(row.reserved_usd),
    spent_usd: usd(row.spent_usd),
    rpm_limit: row.rpm_limit,
    webhook_url: row.webhook_url,
  };
}

/**
 * Checks one optional limit field: a number ≥ `min` (or null to clear it, where allowed). A balance
 * above the cap is refused as the store refuses a top-up that passes it (balance_above_cap).
 */
function amount(body: Record<string, unknown>, name: string, nullable: boolean, integer = false, min = 0): number | null | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (v === null && nullable) return null;
  if ((name === 'balance_usd' || name === 'add_balance_usd') && typeof v === 'number' && v > MAX_BALANCE_USD) throw balanceRefused(new BalanceRefused('above_cap', name, 0));
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > MAX_BALANCE_USD || (integer && !Number.isInteger(v))) {
    throw badRequest(name, `'${name}' must be ${integer ? 'a whole number' : 'a number'} between ${min} and ${MAX_BALANCE_USD}${nullable ? ', or null to remove it' : ''}.`, 'invalid_value');
  }
  return v;
}

const ADMIN = { config: { auth: 'admin' as const } };

function balanceRefused(err: BalanceRefused): ApiError {
  if (err.reason === 'above_cap') {
    return badRequest(err.param, `The balance would exceed the largest allowed, $${MAX_BALANCE_USD}; send a smaller '${err.param}'.`, 'balance_above_cap', { max_balance_usd: MAX_BALANCE_USD });
  }
  return badRequest(
    err.param,
    `Tasks in flight have reserved $${roundUsd(err.reservedUsd)} of this key's balance, so it cannot go below that. Set a balance of at least $${roundUsd(err.reservedUsd)}, wait for those tasks to finish, or set balance_usd to null (postpaid).`,
    'balance_below_reserved',
    { reserved_usd: roundUsd(err.reservedUsd) },
  );
}

export function registerAdminRoutes(app: FastifyInstance, gw: Gateway): void {
  app.post('/v1/admin/keys', ADMIN, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest(null, 'Send a JSON object like {"name":"my app"}.', 'invalid_json');
    for (const k of Object.keys(body)) if (!['name', 'admin'].includes(k)) throw badRequest(k, `Unknown parameter '${k}'; accepted: name, admin.`, 'unknown_parameter');
    const name = body.name ?? 'unnamed';
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) throw badRequest('name', "'name' must be a string of 1–100 characters.", 'invalid_value');
    if (body.admin !== undefined && typeof body.admin !== 'boolean') throw badRequest('admin', "'admin' must be true or false.", 'invalid_type');
    const created = await gw.accounts.create(name, body.admin === true);
    reply.code(201);
    return { ...keyView(created.key), key: created.secret };
  });

  app.get('/v1/admin/channels', ADMIN, async () => ({ object: 'list', data: await gw.channels.report() }));

  // Any key's task, as its owner sees it, plus what only operators see: whose it is and how it was routed.
  app.get('/v1/admin/tasks/:id', ADMIN, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const task = await gw.tasks.getAnyOwner(req.params.id);
    if (!task) throw taskNotFound();
    return { ...renderTask(gw, task), owner_key_id: task.owner_key_id, provider: task.provider, upstream_id: task.upstream_id, channel: gw.channels.ofTask(task) };
  });

  app.get('/v1/admin/keys', ADMIN, async () => {
    return { object: 'list', data: (await gw.accounts.list()).map(keyView) };
  });

  app.patch('/v1/admin/keys/:id', ADMIN, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(null, 'Send a JSON object such as {"balance_usd": 10, "spend_limit_usd": 50}.', 'invalid_json');
    const allowed = ['balance_usd', 'add_balance_usd', 'spend_limit_usd', 'rpm_limit', 'webhook_url'];
    for (const k of Object.keys(body)) if (!allowed.includes(k)) throw badRequest(k, `Unknown parameter '${k}'; accepted: ${allowed.join(', ')}.`, 'unknown_parameter');
    if (body.balance_usd !== undefined && body.add_balance_usd !== undefined) {
      throw badRequest('balance_usd,add_balance_usd', "'balance_usd' sets the balance and 'add_balance_usd' adds to it; send only one of them (to top up, only add_balance_usd).", 'conflicting_parameters', {
        conflicting_parameters: ['balance_usd', 'add_balance_usd'],
      });
    }
    const webhook = body.webhook_url;
    if (webhook !== undefined && webhook !== null) {
      const problem = webhookUrlProblem(webhook, gw.config.allowPrivateNetwork);
      if (problem) throw badRequest('webhook_url', `webhook_url: ${problem}`, 'invalid_url');
    }
    const patch = {
      balance_usd: amount(body, 'balance_usd', true),
      add_balance_usd: amount(body, 'add_balance_usd', false) ?? undefined,
      spend_limit_usd: amount(body, 'spend_limit_usd', true),
      // 0 would refuse every request with a retry time that never comes: revoke the key instead.
      rpm_limit: amount(body, 'rpm_limit', true, true, 1),
      webhook_url: webhook as string | null | undefined,
    };
    const outcome = await gw.accounts.update(req.params.id, patch);
    if (outcome.kind === 'not_found') throw new ApiError(404, 'not_found_error', 'key_not_found', `No active API key with id '${req.params.id.slice(0, 64)}'.`, 'id');
    if (outcome.kind === 'refused') throw balanceRefused(outcome.refusal);
    gw.auth.evict(outcome.key.id);
    return keyView(outcome.key);
  });

  app.delete('/v1/admin/keys/:id', ADMIN, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const admin = callerKey(req);
    const id = req.params.id;
    if (id === admin.id) throw badRequest('id', 'You cannot revoke the key you are using; revoke it with another admin key.', 'invalid_request');
    if (!(await gw.accounts.revoke(id))) {
      throw new ApiError(404, 'not_found_error', 'key_not_found', `No active API key with id '${id.slice(0, 64)}'.`, 'id');
    }
    gw.auth.evict(id);
    return { id, object: 'api_key', deleted: true };
  });
}
