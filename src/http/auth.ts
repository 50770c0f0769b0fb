import type { FastifyRequest } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { hashSecret } from '../keys/keys.js';
import type { ApiKeyRow } from '../store/schema.js';
import type { Store } from '../store/types.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKeyRow;
  }
}

/**
 * Bearer-key authentication with a short in-process cache (hash → key row), so the hot read path
 * does not hit the database for every call. Revocation here evicts immediately; other nodes see it
 * within the cache TTL.
 */
export class Authenticator {
  private readonly cache = new Map<string, { row: ApiKeyRow; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 5_000,
  ) {}

  async authenticate(req: FastifyRequest): Promise<ApiKeyRow> {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header.trim() === '') {
      throw new ApiError(401, 'invalid_api_key', 'missing_api_key', 'Missing API key. Send it as "Authorization: Bearer sk-...".');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !match[1].startsWith('sk-') || match[1].length > 200) {
      throw new ApiError(401, 'invalid_api_key', 'invalid_api_key', 'Invalid API key provided. Send "Authorization: Bearer sk-...".');
    }
    const hash = hashSecret(match[1]);
    const now = Date.now();
    const hit = this.cache.get(hash);
    let row = hit && hit.until > now ? hit.row : undefined;
    if (!row) {
      row = await this.store.findKeyByHash(hash);
      if (row) {
        if (this.cache.size > 10_000) this.cache.clear();
        this.cache.set(hash, { row, until: now + this.ttlMs });
      }
    }
    if (!row || row.revoked !== null) {
      throw new ApiError(401, 'invalid_api_key', 'invalid_api_key', 'Invalid API key provided. Check the key, or ask an admin for a new one (keys are sent as "Authorization: Bearer sk-...").');
    }
    req.apiKey = row;
    return row;
  }

  async requireAdmin(req: FastifyRequest): Promise<ApiKeyRow> {
    const row = await this.authenticate(req);
    if (row.is_admin !== 1) throw new ApiError(403, 'permission_error', 'admin_required', 'This route needs an admin API key.');
    return row;
  }

  evict(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.row.id === keyId) this.cache.delete(hash);
  }
}
