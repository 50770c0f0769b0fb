import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../contract/errors.js';
import { createKey } from '../keys/keys.js';
import type { ApiKeyRow } from '../store/schema.js';
import type { Gateway } from './gateway.js';

/** A key as lists show it: never the secret or its hash. */
function keyView(row: ApiKeyRow): Record<string, unknown> {
  return { id: row.id, object: 'api_key', name: row.name, prefix: row.prefix, admin: row.is_admin === 1, created: row.created, revoked: row.revoked };
}

export function registerAdminRoutes(app: FastifyInstance, gw: Gateway): void {
  app.post('/v1/admin/keys', async (req, reply) => {
    await gw.auth.requireAdmin(req, reply);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest(null, 'Send a JSON object like {"name":"my app"}.', 'invalid_json');
    for (const k of Object.keys(body)) if (!['name', 'admin'].includes(k)) throw badRequest(k, `Unknown parameter '${k}'; accepted: name, admin.`, 'unknown_parameter');
    const name = body.name ?? 'unnamed';
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) throw badRequest('name', "'name' must be a string of 1–100 characters.", 'invalid_value');
    if (body.admin !== undefined && typeof body.admin !== 'boolean') throw badRequest('admin', "'admin' must be true or false.", 'invalid_type');
    const created = await createKey(gw.store, name, body.admin === true);
    reply.code(201);
    return { ...keyView(created.row), key: created.secret };
  });

  app.get('/v1/admin/keys', async (req, reply) => {
    await gw.auth.requireAdmin(req, reply);
    return { object: 'list', data: (await gw.store.listKeys()).map(keyView) };
  });

  app.delete('/v1/admin/keys/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const admin = await gw.auth.requireAdmin(req, reply);
    const id = req.params.id;
    if (id === admin.id) throw badRequest('id', 'You cannot revoke the key you are using; revoke it with another admin key.', 'invalid_request');
    if (!(await gw.store.revokeKey(id, Math.floor(Date.now() / 1000)))) {
      throw new ApiError(404, 'not_found_error', 'key_not_found', `No active API key with id '${id.slice(0, 64)}'.`, 'id');
    }
    gw.auth.evict(id);
    return { id, object: 'api_key', deleted: true };
  });
}
