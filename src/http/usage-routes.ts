import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../contract/errors.js';
import { roundUsd } from '../contract/money.js';
import type { UsageRow } from '../store/types.js';
import { keyView } from './admin-routes.js';
import { callerKey } from './auth.js';
import type { Gateway } from './gateway.js';
import { queryValue } from './request-parsing.js';

type UsageQuery = Record<string, unknown>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The date window asked for: start_date/end_date (YYYY-MM-DD, UTC), default the last 30 days. */
function window(q: UsageQuery): { from: string; to: string } {
  const today = new Date().toISOString().slice(0, 10);
  const to = queryValue(q, 'end_date') ?? today;
  const from = queryValue(q, 'start_date') ?? new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  for (const [name, v] of [
    ['start_date', from],
    ['end_date', to],
  ] as const) {
    // A real calendar day: Date.parse accepts 2026-02-30 (as March 2nd), so the day must survive a round trip.
    if (!DAY.test(v) || Number.isNaN(Date.parse(v)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) throw badRequest(name, `'${name}' must be a date like 2026-11-21 (UTC).`, 'invalid_value');
  }
  if (from > to) throw badRequest('start_date', "'start_date' must not be after 'end_date'.", 'invalid_value');
  return { from, to };
}

function usageBody(rows: UsageRow[], from: string, to: string) {
  const total = rows.reduce((s, r) => s + r.cost_usd, 0);
  return {
    object: 'usage',
    start_date: from,
    end_date: to,
    currency: 'USD',
    total_cost_usd: roundUsd(total),
    data: rows.map((r) => ({ date: r.day, model: r.model, key_id: r.key_id, requests: r.requests, cost_usd: r.cost_usd })),
  };
}

/** Spend by model and day: each key sees its own; admins see every key (or one, by key_id). */
export function registerUsageRoutes(app: FastifyInstance, gw: Gateway): void {
  app.get('/v1/usage', { config: { auth: 'key' } }, async (req: FastifyRequest<{ Querystring: UsageQuery }>) => {
    const key = callerKey(req);
    const { from, to } = window(req.query ?? {});
    const fresh = (await gw.accounts.get(key.id)) ?? key;
    const view = keyView(fresh);
    return {
      ...usageBody(await gw.accounts.usage(key.id, from, to), from, to),
      key_id: key.id,
      balance_usd: view.balance_usd,
      spend_limit_usd: view.spend_limit_usd,
      reserved_usd: view.reserved_usd,
      spent_usd: view.spent_usd,
    };
  });

  app.get('/v1/admin/usage', { config: { auth: 'admin' } }, async (req: FastifyRequest<{ Querystring: UsageQuery }>) => {
    const q = req.query ?? {};
    const { from, to } = window(q);
    const keyId = queryValue(q, 'key_id') ?? null;
    if (keyId !== null && !(await gw.accounts.get(keyId))) throw new ApiError(404, 'not_found_error', 'key_not_found', `No API key with id '${keyId.slice(0, 64)}'.`, 'key_id');
    return usageBody(await gw.accounts.usage(keyId, from, to), from, to);
  });
}
