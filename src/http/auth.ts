import type { FastifyRequest } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { hashSecret } from '../keys/keys.js';
import type { ApiKey, Store } from '../store/types.js';
import type { FastifyReply } from 'fastify';
import { KeyRateLimiter } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

/**
 * Bearer-key authentication with a short in-process cache (hash → key row), so the hot read path
 * does not hit the database for every call. Revocation here evicts immediately; other nodes see it
 * within the cache TTL.
 */
export class Authenticator {
  private readonly cache = new Map<string, { row: ApiKey; until: number }>();

  private readonly limiter: KeyRateLimiter;
  private readonly headers: boolean;

  constructor(
    private readonly store: Store,
    rateLimitPerMinute = 0,
    private readonly ttlMs = 5_000,
  ) {
    // Per-key rpm_limit overrides apply even when the gateway-wide default is off (0).
    this.limiter = new KeyRateLimiter(rateLimitPerMinute > 0 ? rateLimitPerMinute : Number.MAX_SAFE_INTEGER);
    this.headers = rateLimitPerMinute > 0;
  }

  /** Authenticates and counts the request against the key's per-minute limit (headers on every answer). */
  async authenticate(req: FastifyRequest, reply: FastifyReply): Promise<ApiKey> {
    const row = await this.identify(req);
    if (this.headers || row.rpm_limit !== null) {
      const d = this.limiter.take(row.id, row.rpm_limit ?? undefined);
      reply.header('X-RateLimit-Limit', d.limit).header('X-RateLimit-Remaining', d.remaining).header('X-RateLimit-Reset', d.reset);
      if (!d.allowed) {
        const retryAfter = Math.max(1, Math.ceil(d.reset - Date.now() / 1000));
        throw new ApiError(429, 'rate_limit_exceeded', 'rate_limit_exceeded', `Rate limit: ${d.limit} requests per minute exceeded for this API key. Retry after ${retryAfter} s.`, null, { retryable: true, retry_after: retryAfter, hint: `Current limit: ${d.limit}/min per key.` }, { 'Retry-After': String(retryAfter) });
      }
    }
    return row;
  }

  private async identify(req: FastifyRequest): Promise<ApiKey> {
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
      row = await this.store.keys.findByHash(hash);
      if (row) {
        if (this.cache.size > 10_000) this.cache.clear();
        this.cache.set(hash, { row, until: now + this.ttlMs });
      }
    }
    if (!row || row.revoked_ms !== null) {
      throw new ApiError(401, 'invalid_api_key', 'invalid_api_key', 'Invalid API key provided. Check the key, or ask an admin for a new one (keys are sent as "Authorization: Bearer sk-...").');
    }
    req.apiKey = row;
    return row;
  }

  async requireAdmin(req: FastifyRequest, reply: FastifyReply): Promise<ApiKey> {
    const row = await this.authenticate(req, reply);
    if (!row.is_admin) throw new ApiError(403, 'permission_error', 'admin_required', 'This route needs an admin API key.');
    return row;
  }

  evict(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.row.id === keyId) this.cache.delete(hash);
  }
}
