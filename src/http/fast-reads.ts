import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { InProcessLimits } from '../limits/in-process.js';
import type { Limits } from '../limits/types.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { isTerminal, type Task } from '../store/types.js';
import type { Authenticator } from './auth.js';

/** A task read as it was last answered: the same bytes, for its owner, while they stay true. */
interface CachedRead {
  owner: string;
  body: Buffer;
  etag: string;
  /** Headers that belong to the representation (X-Task-ID, billing, lifecycle). */
  headers: Record<string, string>;
  until: number;
}

/** Unfinished tasks change: their answer is kept as briefly as the task row itself is cached. */
const ACTIVE_TTL_MS = 500;
const TERMINAL_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
const TASK_PATH = /^\/v1\/tasks\/(ldtask_[0-9a-f]{32})$/;

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
    this.entries.set(task.id, { owner: task.owner_key_id, body: Buffer.from(body), etag, headers, until });
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /** Answers the request if it can, entirely; false: nothing was written, let the framework answer. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.closing || req.method !== 'GET' || !this.inProcess) return false;
    const m = TASK_PATH.exec(req.url ?? '');
    if (!m) return false;
    const now = Date.now();
    const entry = this.entries.get(m[1]);
    if (!entry || entry.until <= now) return false;
    const key = this.deps.auth.cachedByHeader(req.headers.authorization);
    if (!key || key.id !== entry.owner) return false;
    const started = performance.now();
    const headers: Record<string, string | number> = { 'x-request-id': this.deps.requestId(req.headers['x-request-id']) };
    const limit = key.rpm_limit ?? (this.deps.defaultRpm > 0 ? this.deps.defaultRpm : null);
    if (limit !== null) {
      const d = (this.deps.limits as InProcessLimits).takeRequest(key.id, limit);
      // Refused requests are not counted: the full path asks again and answers the 429.
      if (!d.allowed) return false;
      headers['x-ratelimit-limit'] = d.limit;
      headers['x-ratelimit-remaining'] = d.remaining;
      headers['x-ratelimit-reset'] = d.reset;
    }
    Object.assign(headers, entry.headers, { etag: entry.etag, 'cache-control': 'private, no-cache' });
    const inm = req.headers['if-none-match'];
    let status = 200;
    if (typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === entry.etag)) {
      status = 304;
      res.writeHead(304, headers);
      res.end();
    } else {
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = entry.body.length;
      res.writeHead(200, headers);
      res.end(entry.body);
    }
    const seconds = (performance.now() - started) / 1000;
    this.deps.metrics.httpRequest('GET', '/v1/tasks/:id', status, seconds);
    if (this.deps.log.isLevelEnabled('info')) this.deps.log.info({ reqId: headers['x-request-id'], res: { statusCode: status }, url: '/v1/tasks/:id', responseTime: seconds * 1000 }, 'request completed');
    return true;
  }
}
