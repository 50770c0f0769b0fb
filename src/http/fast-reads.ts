import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { InProcessLimits } from '../limits/in-process.js';
import type { Limits } from '../limits/types.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { isTerminal, type Task } from '../store/types.js';
import type { Authenticator } from './auth.js';
import { notModified } from './etags.js';
import { pushRateLimitHeaders } from './read-headers.js';

/** A task read as it was last answered: the same bytes, for its owner, while they stay true. */
interface CachedRead {
  owner: string;
  body: Buffer;
  etag: string;
  /** The representation's headers (X-Task-ID, billing, lifecycle, ETag, Cache-Control) as name, value, name, value… */
  headers: (string | number)[];
  until: number;
}

/** Unfinished tasks change: their answer is kept as briefly as the task row itself is cached. */
const ACTIVE_TTL_MS = 500;
const TERMINAL_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
const TASK_PATH_PREFIX = '/v1/tasks/';
/** `/v1/tasks/ldtask_` + 32 hex: only ids the full path rendered are in the cache, so a lookup checks the rest. */
const TASK_PATH_LENGTH = TASK_PATH_PREFIX.length + 'ldtask_'.length + 32;

export interface FastReadDeps {
  auth: Authenticator;
  limits: Limits;
  /** Requests per minute for keys that set none (0 = none). */
  defaultRpm: number;
  metrics: GatewayMetrics;
  log: Logger;
  requestId: (given: string | string[] | undefined) => string;
}

/**
 * The hot path of the whole gateway — a client polling its task — answered before the framework
 * sees the request, when everything it needs is already in memory: the caller's key (cached by its
 * exact Authorization header), its per-minute limit (counted in process), and the task's answer as
 * it was last rendered (bytes and ETag, for that owner, kept while they stay true: a finished task
 * until its signed video link would change, an unfinished one for 0.5 s; any change notice drops
 * it). Anything else — a query string, another method, a key or task not in memory, Redis-counted
 * limits, a refusal — goes through the full path, which answers identically and fills this cache.
 */
export class FastReads {
  private readonly entries = new Map<string, CachedRead>();
  private readonly inProcess: boolean;
  /** Set while shutting down: the framework answers (503 for new requests on open connections). */
  closing = false;

  constructor(private readonly deps: FastReadDeps) {
    this.inProcess = deps.limits instanceof InProcessLimits;
  }

  /** Called by the full path with what it answered. */
  remember(task: Task, body: string, etag: string, headers: Record<string, string>, now = Date.now()): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    // A finished task's body carries a signed link whose expiry moves each minute: keep it no longer.
    const until = isTerminal(task.state) ? Math.min(now + TERMINAL_TTL_MS, (Math.floor(now / 60_000) + 1) * 60_000) : now + ACTIVE_TTL_MS;
    this.entries.set(task.id, { owner: task.owner_key_id, body: Buffer.from(body), etag, headers: Object.entries(headers).flat(), until });
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /** Answers the request if it can, entirely; false: nothing was written, let the framework answer. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.closing || req.method !== 'GET' || !this.inProcess) return false;
    const url = req.url;
    if (url === undefined || url.length !== TASK_PATH_LENGTH || !url.startsWith(TASK_PATH_PREFIX)) return false;
    const now = Date.now();
    const entry = this.entries.get(url.slice(TASK_PATH_PREFIX.length));
    if (!entry || entry.until <= now) return false;
    const asked = askedHeaders(req.rawHeaders);
    if (asked === null) return false;
    const key = this.deps.auth.cachedByHeader(asked.authorization, now);
    if (!key || key.id !== entry.owner) return false;
    const limit = key.rpm_limit ?? (this.deps.defaultRpm > 0 ? this.deps.defaultRpm : null);
    const d = limit === null ? null : (this.deps.limits as InProcessLimits).takeRequest(key.id, limit);
    // Refused requests are not counted: the full path asks again and answers the 429.
    if (d !== null && !d.allowed) return false;
    const started = performance.now();
    const requestId = this.deps.requestId(asked.requestId);
    const headers: (string | number)[] = ['x-request-id', requestId];
    if (d !== null) pushRateLimitHeaders(headers, d);
    headers.push(...entry.headers);
    let status = 200;
    if (notModified(asked.ifNoneMatch, entry.etag)) {
      status = 304;
      res.writeHead(304, headers);
      res.end();
    } else {
      headers.push('content-type', 'application/json; charset=utf-8', 'content-length', entry.body.length);
      res.writeHead(200, headers);
      res.end(entry.body);
    }
    const seconds = (performance.now() - started) / 1000;
    this.deps.metrics.httpRequest('GET', '/v1/tasks/:id', status, seconds);
    if (this.deps.log.isLevelEnabled('info')) this.deps.log.info({ reqId: requestId, res: { statusCode: status }, url: '/v1/tasks/:id', responseTime: seconds * 1000 }, 'request completed');
    return true;
  }
}

/** 32 headers (names and values alternate in rawHeaders). */
const MAX_RAW_HEADER_ENTRIES = 64;

/**
 * The three request headers a task read looks at, read from the raw list (cheaper than building
 * `req.headers`). null when one of them is repeated: the full path applies Node's rules for that.
 */
function askedHeaders(raw: string[]): { authorization?: string; requestId?: string; ifNoneMatch?: string } | null {
  // Node fills `req.headers` only up to its header-count limit; rawHeaders may hold more. A poller
  // sends a dozen: anything unusual goes to the full path, which sees exactly what Node sees.
  if (raw.length > MAX_RAW_HEADER_ENTRIES) return null;
  const found: { authorization?: string; requestId?: string; ifNoneMatch?: string } = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    let slot: 'authorization' | 'requestId' | 'ifNoneMatch';
    if (name.length === 13 && name.toLowerCase() === 'authorization') slot = 'authorization';
    else if (name.length === 12 && name.toLowerCase() === 'x-request-id') slot = 'requestId';
    else if (name.length === 13 && name.toLowerCase() === 'if-none-match') slot = 'ifNoneMatch';
    else continue;
    if (found[slot] !== undefined) return null;
    found[slot] = raw[i + 1];
  }
  return found;
}
