import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { hashSecret } from '../keys/keys.js';
import { isStoreUnavailable } from '../store/errors.js';
import type { Limits, RateDecision } from '../limits/types.js';
import type { ApiKey } from '../store/types.js';
import { rateLimitHeaders } from './read-headers.js';
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
    /** While the store is unreachable, accept a key it confirmed within STALE_KEY_MS (see Authenticator). */
    authStaleIfError?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated caller on `key` and `admin` routes; null elsewhere. */
    apiKey: ApiKey | null;
  }
}

/** The lookup's answer, or the key the store last confirmed if the store has not answered within `ms`. */
function answeredWithin(answered: Promise<ApiKey>, ms: number, stale: ApiKey): Promise<ApiKey> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ApiKey>((resolve) => {
    timer = setTimeout(() => resolve(usable(stale)), ms);
    timer.unref();
  });
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}

/** The caller's key on a route declared `key` or `admin` (the auth hook has already checked it). */
export function callerKey(req: FastifyRequest): ApiKey {
  if (!req.apiKey) throw new Error(`route ${req.routeOptions.url} is not declared with auth 'key' or 'admin'`);
  return req.apiKey;
}

/**
 * How long after the store last confirmed a key it may still be accepted, on routes that ask for it
 * (/metrics), while the store cannot be reached: Prometheus keeps its process metrics through a
 * database outage. Bounded, and a store that answers again always wins (a revoked key is refused).
 */
export const STALE_KEY_MS = 10 * 60_000;

/** How long such a route waits for the store before it counts as unreachable (a silent network cut never refuses). */
export const STALE_LOOKUP_MS = 2_000;

/**
 * Bearer-key authentication with a short in-process cache keyed by the exact Authorization header
 * (no hashing or database read per request on the hot paths). Revocation here evicts immediately;
 * other nodes see it within the cache TTL.
 */
export class Authenticator {
  private readonly byHeader = new Map<string, { row: ApiKey; until: number }>();
  /** Store lookups under way, by key hash: concurrent misses for one key share one (a slow store is asked once). */
  private readonly lookups = new Map<string, Promise<ApiKey | undefined>>();

  constructor(
    /** The key whose secret hashes to this, revoked or not. */
    private readonly findByHash: (hash: string) => Promise<ApiKey | undefined>,
    private readonly ttlMs = 5_000,
  ) {}

  /**
   * The caller's key: from the cache without waiting when it is there, else from the store.
   * `staleIfError`: when the store is unreachable, a key it confirmed within STALE_KEY_MS.
   */
  identify(header: string | undefined, staleIfError = false): ApiKey | Promise<ApiKey> {
    const known = this.known(header, Date.now());
    if (known) return usable(known);
    const hash = this.hashOf(header);
    let lookup = this.lookups.get(hash);
    if (!lookup) {
      lookup = this.findByHash(hash).finally(() => this.lookups.delete(hash));
      this.lookups.set(hash, lookup);
    }
    const stale = staleIfError ? this.lastConfirmed(header, Date.now()) : undefined;
    const answered = lookup.then(
      (row) => {
        if (row) {
          if (this.byHeader.size > 10_000) this.byHeader.clear();
          this.byHeader.set(header!, { row, until: Date.now() + this.ttlMs });
        }
        return usable(row);
      },
      (err: unknown) => {
        if (stale === undefined || !isStoreUnavailable(err)) throw err;
        return usable(stale);
      },
    );
    return stale === undefined ? answered : answeredWithin(answered, STALE_LOOKUP_MS, stale);
  }

  /** The row the store last gave for this header, if it did so within STALE_KEY_MS. */
  private lastConfirmed(header: string | undefined, now: number): ApiKey | undefined {
    const hit = header === undefined ? undefined : this.byHeader.get(header);
    return hit && hit.until - this.ttlMs + STALE_KEY_MS > now ? hit.row : undefined;
  }

  /** A usable key already known for exactly this Authorization header, or undefined (then ask identify). */
  cachedByHeader(header: string | undefined, now = Date.now()): ApiKey | undefined {
    const row = this.known(header, now);
    return row?.revoked_ms === null ? row : undefined;
  }

  /** The key row cached for exactly this header while fresh, revoked or not. */
  private known(header: string | undefined, now: number): ApiKey | undefined {
    const hit = header === undefined ? undefined : this.byHeader.get(header);
    return hit && hit.until > now ? hit.row : undefined;
  }

  /** SHA-256 of a well-formed Bearer key; 401 for anything else. */
  private hashOf(header: string | undefined): string {
    if (typeof header !== 'string' || header.trim() === '') {
      throw new ApiError(401, 'invalid_api_key', 'missing_api_key', 'Missing API key. Send it as "Authorization: Bearer sk-...".');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1].startsWith('sk-') || match[1].length > 200) {
      throw new ApiError(401, 'invalid_api_key', 'invalid_api_key', 'Invalid API key provided. Send "Authorization: Bearer sk-...".');
    }
    return hashSecret(match[1]);
  }

  evict(keyId: string): void {
    for (const [header, entry] of this.byHeader) if (entry.row.id === keyId) this.byHeader.delete(header);
  }
}

function usable(row: ApiKey | undefined): ApiKey {
  if (!row || row.revoked_ms !== null) {
    throw new ApiError(401, 'invalid_api_key', 'invalid_api_key', 'Invalid API key provided. Check the key, or ask an admin for a new one (keys are sent as "Authorization: Bearer sk-...").');
  }
  return row;
}

export interface AuthDeps {
  auth: Authenticator;
  limits: Limits;
  signer: () => UrlSigner;
  /** Requests per minute per key when the key sets none (0 = no default limit). */
  defaultRpm: number;
}

/**
 * The one place requests are authenticated: an `onRequest` hook on every route, so the caller is known before a
 * byte of the body is read (an unauthenticated 30 MiB upload costs nothing), then counted against
 * its per-minute limit (X-RateLimit-* on every answer of a limited key).
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps): void {
  app.decorateRequest('apiKey', null);
  // Attached per route as it is declared (so `none` routes carry no hook and nothing is looked up
  // per request). Callback-style, answering synchronously when it can (cached key, in-process
  // limiter): this runs on the hot task read.
  app.addHook('onRoute', (route) => {
    const mode: AuthMode = route.config?.auth ?? 'key';
    if (mode === 'none') return;
    const staleIfError = route.config?.authStaleIfError === true;
    const hook: onRequestHookHandler = (req, reply, done) => {
      let pending: Promise<void> | void;
      try {
        pending = authorize(deps, mode, req, reply, staleIfError);
      } catch (err) {
        return done(err as Error);
      }
      if (pending) pending.then(() => done(), done);
      else done();
    };
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [hook, ...existing];
  });
}

function authorize(deps: AuthDeps, mode: Exclude<AuthMode, 'none'>, req: FastifyRequest, reply: FastifyReply, staleIfError: boolean): void | Promise<void> {
  if (mode === 'signed-url') return checkSignature(req, deps.signer());
  const row = deps.auth.identify(req.headers.authorization, staleIfError);
  // No closure on the cached path: this runs on every authenticated request.
  return row instanceof Promise ? row.then((r) => admit(deps, mode, r, req, reply)) : admit(deps, mode, row, req, reply);
}

function admit(deps: AuthDeps, mode: 'key' | 'admin', row: ApiKey, req: FastifyRequest, reply: FastifyReply): void | Promise<void> {
  if (mode === 'admin' && !row.is_admin) throw new ApiError(403, 'permission_error', 'admin_required', 'This route needs an admin API key.');
  req.apiKey = row;
  return countRequest(deps, row, reply);
}

export function countRequest(deps: AuthDeps, row: ApiKey, reply: FastifyReply): void | Promise<void> {
  const d = takeRequest(deps, row);
  if (d === null) return;
  return d instanceof Promise ? d.then((x) => void reply.headers(rateLimitHeaders(x))) : void reply.headers(rateLimitHeaders(d));
}

/**
 * Counts a request against its key's minute: the decision, to send as X-RateLimit-* (null: the key
 * has no limit). Over the limit it throws the 429, which carries those headers too.
 */
export function takeRequest(deps: Pick<AuthDeps, 'limits' | 'defaultRpm'>, row: ApiKey): RateDecision | null | Promise<RateDecision> {
  // Per-key rpm_limit overrides apply even when the gateway-wide default is off (0).
  const limit = row.rpm_limit ?? (deps.defaultRpm > 0 ? deps.defaultRpm : null);
  if (limit === null) return null;
  const d = deps.limits.takeRequest(row.id, limit);
  return d instanceof Promise ? d.then(enforce) : enforce(d);
}

function enforce(d: RateDecision): RateDecision {
  if (!d.allowed) {
    const retryAfter = Math.max(1, Math.ceil(d.reset - Date.now() / 1000));
    throw new ApiError(
      429,
      'rate_limit_exceeded',
      'rate_limit_exceeded',
      `Rate limit: ${d.limit} requests per minute exceeded for this API key. Retry after ${retryAfter} s.`,
      null,
      { retryable: true, retry_after: retryAfter, hint: `Current limit: ${d.limit}/min per key.` },
      { ...rateLimitHeaders(d), 'Retry-After': String(retryAfter) },
    );
  }
  return d;
}

/** A signed link is its own grant: the signature covers the path and the expiry. */
function checkSignature(req: FastifyRequest, signer: UrlSigner): void {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const problem = signer.check(req.url.split('?')[0], q.expires, q.signature);
  if (problem) {
    throw new ApiError(403, 'permission_error', 'invalid_signature', `This file link is ${problem === 'expired' ? 'expired' : 'not valid'}; fetch the task again for a fresh video_url.`, 'signature');
  }
}
