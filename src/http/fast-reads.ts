import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { InProcessLimits } from '../limits/in-process.js';
import type { Limits, RateDecision } from '../limits/types.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { isTerminal, type Task } from '../store/types.js';
import type { Authenticator } from './auth.js';
import { notModified } from './etags.js';
import { headerLines, pushRateLimitHeaders } from './read-headers.js';

/** A task read as it was last answered: the same bytes, for its owner, while they stay true. */
interface CachedRead {
  owner: string;
  body: string;
  etag: string;
  /** The representation's headers (X-Task-ID, billing, lifecycle, ETag, Cache-Control) as name, value, name, value… */
  headers: (string | number)[];
  /** The same headers as HTTP/1.1 header lines, for answers written straight to a socket (socket-reads.ts). */
  lines304: string;
  /** …followed by Content-Type and Content-Length. */
  lines200: string;
  until: number;
}

/** The three request headers a task read looks at. */
export interface AskedHeaders {
  authorization?: string;
  requestId?: string;
  ifNoneMatch?: string;
}

/** A read this cache can answer, already counted against the key's minute. */
interface Answer {
  entry: CachedRead;
  rate: RateDecision | null;
  requestId: string;
  status: 200 | 304;
  started: number;
}

/** What the in-memory paths cannot answer: not in memory (a lookup would fill it), or the full path's to answer. */
export const MISS = Symbol('not in memory');
export const REFUSED = Symbol('for the full path');

/** Unfinished tasks change: their answer is kept as briefly as the task row itself is cached. */
const ACTIVE_TTL_MS = 500;
const TERMINAL_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
export const TASK_PATH_PREFIX = '/v1/tasks/';
/** `/v1/tasks/ldtask_` + 32 hex: only ids the full path rendered are in the cache, so a lookup checks the rest. */
export const TASK_PATH_LENGTH = TASK_PATH_PREFIX.length + 'ldtask_'.length + 32;

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
 * Two doors use it: Node's request handler (`serve`) and, for connections that open with a plain
 * task read, the socket itself (`serveRaw`, from socket-reads.ts), which skips Node's HTTP layer.
 */
export class FastReads {
  private readonly entries = new Map<string, CachedRead>();
  /** Requests are counted in this process (not Redis): the only case this cache can answer. */
  readonly usable: boolean;
  /** Set while shutting down: the framework answers (503 for new requests on open connections). */
  closing = false;

  constructor(private readonly deps: FastReadDeps) {
    this.usable = deps.limits instanceof InProcessLimits;
  }

  /** Called by the full path with what it answered. */
  remember(task: Task, body: string, etag: string, headers: Record<string, string>, now = Date.now()): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    // A finished task's body carries a signed link whose expiry moves each minute: keep it no longer.
    const until = isTerminal(task.state) ? Math.min(now + TERMINAL_TTL_MS, (Math.floor(now / 60_000) + 1) * 60_000) : now + ACTIVE_TTL_MS;
    // Names lower-cased, as the framework sends them (the lifecycle headers come capitalised).
    const list = Object.entries(headers).flatMap(([name, value]) => [name.toLowerCase(), value]);
    const lines304 = headerLines(list);
    const lines200 = `${lines304}content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    this.entries.set(task.id, { owner: task.owner_key_id, body, etag, headers: list, lines304, lines200, until });
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /**
   * The answer to `GET <path>` with these headers when memory holds everything it needs; the
   * request is then counted against its key's minute. Otherwise nothing is counted: `MISS` when
   * memory lacks the task's answer or the key (the full path's lookup would fill it), `REFUSED`
   * when the full path must answer (another key's task, over the limit, shutting down…).
   */
  private answer(path: string, asked: AskedHeaders, started: number, inFlight = false): Answer | typeof MISS | typeof REFUSED {
    if ((this.closing && !inFlight) || !this.usable || path.length !== TASK_PATH_LENGTH || !path.startsWith(TASK_PATH_PREFIX)) return REFUSED;
    const now = Date.now();
    let entry = this.entries.get(path.slice(TASK_PATH_PREFIX.length));
    if (entry !== undefined && entry.until <= now) entry = undefined;
    const key = this.deps.auth.cachedByHeader(asked.authorization, now);
    if (!key) return MISS;
    if (entry !== undefined && key.id !== entry.owner) return REFUSED;
    const limits = this.deps.limits as InProcessLimits;
    const limit = key.rpm_limit ?? (this.deps.defaultRpm > 0 ? this.deps.defaultRpm : null);
    // Over the limit: the full path answers the 429 (and counts nothing), with no lookup first.
    if (entry === undefined) return limit === null || limits.allowsRequest(key.id, limit) ? MISS : REFUSED;
    const rate = limit === null ? null : limits.takeRequest(key.id, limit);
    if (rate !== null && !rate.allowed) return REFUSED;
    const status = notModified(asked.ifNoneMatch, entry.etag) ? 304 : 200;
    return { entry, rate, requestId: this.deps.requestId(asked.requestId), status, started };
  }

  /** Answers the request if it can, entirely; false: nothing was written, let the framework answer. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || req.url?.length !== TASK_PATH_LENGTH) return false;
    const asked = askedHeaders(req.rawHeaders);
    const a = asked && this.answer(req.url, asked, performance.now());
    if (a === null || typeof a === 'symbol') return false;
    const headers: (string | number)[] = ['x-request-id', a.requestId];
    if (a.rate !== null) pushRateLimitHeaders(headers, a.rate);
    headers.push(...a.entry.headers);
    if (a.status === 304) {
      res.writeHead(304, headers);
      res.end();
    } else {
      headers.push('content-type', 'application/json; charset=utf-8', 'content-length', Buffer.byteLength(a.entry.body));
      res.writeHead(200, headers);
      res.end(a.entry.body);
    }
    this.served(a, 'http');
    return true;
  }

  /**
   * The whole HTTP/1.1 response to a plain `GET <path>` read off a socket (status line, the same
   * headers Node's server would send, body), or MISS / REFUSED as `answer` says. `tail` is the
   * connection's closing header lines (Date, Connection, Keep-Alive); `started`, when the request
   * arrived; `inFlight`: it arrived before shutdown began, so it is answered still.
   */
  serveRaw(path: string, asked: AskedHeaders, tail: string, started: number, inFlight = false): string | typeof MISS | typeof REFUSED {
    const a = this.answer(path, asked, started, inFlight);
    if (typeof a === 'symbol') return a;
    let rate = '';
    if (a.rate !== null) {
      const list: (string | number)[] = [];
      pushRateLimitHeaders(list, a.rate);
      rate = headerLines(list);
    }
    const head = a.status === 304 ? `HTTP/1.1 304 Not Modified\r\nx-request-id: ${a.requestId}\r\n${rate}${a.entry.lines304}` : `HTTP/1.1 200 OK\r\nx-request-id: ${a.requestId}\r\n${rate}${a.entry.lines200}`;
    this.served(a, 'socket');
    return a.status === 304 ? `${head}${tail}\r\n` : `${head}${tail}\r\n${a.entry.body}`;
  }

  /** Metrics and the access log, as the framework would record them. */
  private served(a: Answer, door: 'socket' | 'http'): void {
    recordAnswer(this.deps, 'GET', '/v1/tasks/:id', a.status, a.requestId, a.started);
    this.deps.metrics.taskReadFromMemory(door);
  }
}

/**
 * An answer written outside the framework (the in-memory read, the create read off the socket):
 * counted and logged as the framework would have (`route` is the pattern, never the raw path).
 */
export function recordAnswer(deps: { metrics: GatewayMetrics; log: Logger }, method: string, route: string, status: number, requestId: string, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  deps.metrics.httpRequest(method, route, status, seconds);
  if (deps.log.isLevelEnabled('info')) deps.log.info({ reqId: requestId, res: { statusCode: status }, url: route, responseTime: seconds * 1000 }, 'request completed');
}

/** 32 headers (names and values alternate in rawHeaders). */
const MAX_RAW_HEADER_ENTRIES = 64;

/**
 * The three request headers a task read looks at, read from the raw list (cheaper than building
 * `req.headers`). null when one of them is repeated: the full path applies Node's rules for that.
 */
function askedHeaders(raw: string[]): AskedHeaders | null {
  // Node fills `req.headers` only up to its header-count limit; rawHeaders may hold more. A poller
  // sends a dozen: anything unusual goes to the full path, which sees exactly what Node sees.
  if (raw.length > MAX_RAW_HEADER_ENTRIES) return null;
  const found: AskedHeaders = {};
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
