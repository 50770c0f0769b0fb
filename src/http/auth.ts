import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { hashSecret } from '../keys/keys.js';
import type { Limits } from '../limits/types.js';
import type { ApiKeyRow } from '../store/schema.js';
import type { Store } from '../store/types.js';
import type { UrlSigner } from './signed-urls.js';

/**
 * What a route needs before its handler runs, declared as `config: { auth }`:
 * - `key`: a valid API key (the default when a route declares nothing),
 * - `admin`: an admin API key,
 * - `signed-url`: a valid, unexpired `expires` + `signature` for the request path (file links),
 * - `none`: public.
 */
export type AuthMode = 'key' | 'admin' | 'none' | 'signed-url';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
  }
  interface FastifyRequest {
    /** The authenticated caller on `key` and `admin` routes; null elsewhere. */
    apiKey: ApiKeyRow | null;
  }
}

/** The caller's key on a route declared `key` or `admin` (the auth hook has already checked it). */
export function callerKey(req: FastifyRequest): ApiKeyRow {
  if (!req.apiKey) throw new Error(`route ${req.routeOptions.url} is not declared with auth 'key' or 'admin'`);
  return req.apiKey;
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

  async identify(header: string | undefined): Promise<ApiKeyRow> {
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
    return row;
  }

  evict(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.row.id === keyId) this.cache.delete(hash);
  }
}

export interface AuthDeps {
  auth: Authenticator;
  limits: Limits;
  signer: () => UrlSigner;
  /** Requests per minute per key when the key sets none (0 = no default limit). */
  defaultRpm: number;
}

/**
 * The one place requests are authenticated: an `onRequest` hook, so the caller is known before a
 * byte of the body is read (an unauthenticated 30 MiB upload costs nothing), then counted against
 * its per-minute limit (X-RateLimit-* on every answer of a limited key).
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps): void {
  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (req, reply) => {
    if (req.is404) return;
    const mode = req.routeOptions.config.auth ?? 'key';
    if (mode === 'none') return;
    if (mode === 'signed-url') return checkSignature(req, deps.signer());
    const row = await deps.auth.identify(req.headers.authorization);
    await countRequest(deps, row, reply);
    if (mode === 'admin' && row.is_admin !== 1) throw new ApiError(403, 'permission_error', 'admin_required', 'This route needs an admin API key.');
    req.apiKey = row;
  });
}

async function countRequest(deps: AuthDeps, row: ApiKeyRow, reply: FastifyReply): Promise<void> {
  // Per-key rpm_limit overrides apply even when the gateway-wide default is off (0).
  const limit = row.rpm_limit ?? (deps.defaultRpm > 0 ? deps.defaultRpm : null);
  if (limit === null) return;
  const d = await deps.limits.takeRequest(row.id, limit);
  reply.header('X-RateLimit-Limit', d.limit).header('X-RateLimit-Remaining', d.remaining).header('X-RateLimit-Reset', d.reset);
  if (!d.allowed) {
    const retryAfter = Math.max(1, Math.ceil(d.reset - Date.now() / 1000));
    throw new ApiError(429, 'rate_limit_exceeded', 'rate_limit_exceeded', `Rate limit: ${d.limit} requests per minute exceeded for this API key. Retry after ${retryAfter} s.`, null, { retryable: true, retry_after: retryAfter, hint: `Current limit: ${d.limit}/min per key.` }, { 'Retry-After': String(retryAfter) });
  }
}

/** A signed link is its own grant: the signature covers the path and the expiry. */
function checkSignature(req: FastifyRequest, signer: UrlSigner): void {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const problem = signer.check(req.url.split('?')[0], q.expires, q.signature);
  if (problem) {
    throw new ApiError(403, 'permission_error', 'invalid_signature', `This file link is ${problem === 'expired' ? 'expired' : 'not valid'}; fetch the task again for a fresh video_url.`, 'signature');
  }
}
