import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, badRequest, taskNotFound } from '../contract/errors.js';
import { isTerminal, type ApiKey, type Task } from '../store/types.js';
import { clientGone } from './client-gone.js';
import { etagListed, etagOf, listedEtags } from './etags.js';
import type { Gateway } from './gateway.js';
import { taskHeaders } from './read-headers.js';
import { queryValue } from './request-parsing.js';
import { renderTask } from './task-routes.js';

/** Longest long poll (`?wait=N`), seconds. */
export const MAX_WAIT_SECONDS = 60;

/** What a waiting client sees change: the public status and the progress. */
function visible(t: Task): string {
  return `${t.state === 'submitting' ? 'pending' : t.state === 'finishing' ? 'processing' : t.state}:${t.progress ?? ''}`;
}

function waitSeconds(q: Record<string, unknown>): number {
  const raw = queryValue(q, 'wait');
  if (raw === undefined) return 0;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 0 && n <= MAX_WAIT_SECONDS)) throw badRequest('wait', `'wait' must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}.`, 'invalid_value');
  return n;
}

function tooManyWaits(gw: Gateway): ApiError {
  const max = gw.config.maxWaitsPerKey;
  return new ApiError(
    429,
    'rate_limit_exceeded',
    'too_many_waits',
    `This API key already holds ${max} open long polls or event streams on this node; close one, or poll without 'wait'.`,
    null,
    { retryable: true },
    { 'Retry-After': '1' },
  );
}

/** How often an open wait or stream re-checks its caller's key (a cache hit but every 5 s). */
const KEY_RECHECK_MS = 1_000;

/**
 * The caller's key, re-checked every KEY_RECHECK_MS while a long poll or stream is open (through
 * the Authenticator's cache: a store read at most once per cache TTL, none per event). `signal`
 * aborts when the client goes away or the key is refused (revoked), `refusal` then says why.
 */
function whileKeyUsable(gw: Gateway, req: FastifyRequest): { signal: AbortSignal; refusal: () => ApiError | undefined; stop: () => void } {
  const revoked = new AbortController();
  let refusal: ApiError | undefined;
  // One check at a time: with the store slow or down, ticks must not pile lookups onto it.
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      await gw.auth.identify(req.headers.authorization);
    } catch (err) {
      // Only a refusal ends the wait; a store that cannot answer right now is asked again next time.
      if (!(err instanceof ApiError) || revoked.signal.aborted) return;
      refusal = err;
      revoked.abort();
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(check, KEY_RECHECK_MS);
  return { signal: AbortSignal.any([clientGone(req), revoked.signal]), refusal: () => refusal, stop: () => clearInterval(timer) };
}

/**
 * GET /v1/tasks/{id}: the task, with an ETag (If-None-Match → 304 without a body). `?wait=N` holds
 * the request until the task changes what a client sees (status, progress) or ends — or, with
 * If-None-Match, until its ETag differs — or N seconds pass; then answers as usual.
 */
export async function readTask(gw: Gateway, key: ApiKey, req: FastifyRequest<{ Params: { id: string }; Querystring: { wait?: unknown } }>, reply: FastifyReply): Promise<FastifyReply> {
  const wait = waitSeconds((req.query ?? {}) as Record<string, unknown>);
  let task = await gw.tasks.get(key, req.params.id);
  if (!task) throw taskNotFound();
  const known = listedEtags(req.headers['if-none-match']);
  let body = JSON.stringify(renderTask(gw, task));
  if (wait > 0 && !isTerminal(task.state)) {
    const release = gw.tasks.acquireWait(key);
    if (!release) throw tooManyWaits(gw);
    const caller = whileKeyUsable(gw, req);
    try {
      const since = visible(task);
      const done = known.length > 0 ? (t: Task) => !etagListed(known, etagOf(JSON.stringify(renderTask(gw, t)))) : (t: Task) => visible(t) !== since || isTerminal(t.state);
      task = (await gw.tasks.watch(key, task.id, done, { timeoutMs: wait * 1000, signal: caller.signal })) ?? task;
      // Revoked while waiting: answered as any request with that key now is.
      const refusal = caller.refusal();
      if (refusal) throw refusal;
      body = JSON.stringify(renderTask(gw, task));
    } finally {
      caller.stop();
      release();
    }
  }
  const { etag, headers } = remembered(gw, task, body);
  reply.headers(headers);
  if (etagListed(known, etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(body);
}

/** A task read's ETag and headers for this body, remembered for the in-memory paths (fast-reads.ts). */
function remembered(gw: Gateway, task: Task, body: string): { etag: string; headers: Record<string, string> } {
  const etag = etagOf(body);
  const headers: Record<string, string> = { ...taskHeaders(gw, task), etag, 'cache-control': 'private, no-cache' };
  gw.fastReads?.remember(task, body, etag, headers);
  return { etag, headers };
}

/**
 * What the full path does for a plain read before it answers — find the key, find its task,
 * render it — so that the in-memory paths can answer it: true when they now hold the answer.
 * Anything else (no such key or task, the store down) is false: the full path answers that.
 */
export async function refreshTaskRead(gw: Gateway, id: string, authorization: string | undefined): Promise<boolean> {
  try {
    const task = await gw.tasks.get(await gw.auth.identify(authorization), id);
    if (!task) return false;
    remembered(gw, task, JSON.stringify(renderTask(gw, task)));
    return true;
  } catch {
    return false;
  }
}

/**
 * GET /v1/tasks/{id}/events: Server-Sent Events. `data:` is the task body at every change a client
 * sees (status, progress), `id:` its version and that state (so Last-Event-ID resumes without
 * repeating what the client has), a heartbeat comment every
 * VIDGATE_STREAM_HEARTBEAT_MS; closes after the terminal one. When the key is revoked meanwhile:
 * an `event: error` whose data is the 401 envelope, then the stream closes (a reconnect gets the 401).
 */
export async function streamTask(gw: Gateway, key: ApiKey, req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<void> {
  const first = await gw.tasks.get(key, req.params.id);
  if (!first) throw taskNotFound();
  const release = gw.tasks.acquireWait(key);
  if (!release) throw tooManyWaits(gw);
  // Our ids are "<version>:<what the client saw>": resuming skips a state the client already has.
  const lastSeen = String(req.headers['last-event-id'] ?? '').split(/:(.*)/s)[1];
  const caller = whileKeyUsable(gw, req);
  const ended = caller.signal;
  reply.hijack();
  const res = reply.raw;
  // Past hijack the framework writes nothing: what the hooks set (X-Request-ID, X-RateLimit-*) goes out here.
  res.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    ...taskHeaders(gw, first),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (t: Task) => res.write(`id: ${t.version}:${visible(t)}\nevent: task\ndata: ${JSON.stringify(renderTask(gw, t))}\n\n`);
  try {
    let task: Task | undefined = first;
    if (lastSeen !== visible(first)) send(first);
    let shown = visible(first);
    while (task && !isTerminal(task.state) && !ended.aborted && !gw.tasks.closed) {
      const seen = shown;
      task = await gw.tasks.watch(key, task.id, (t) => visible(t) !== seen || isTerminal(t.state), { timeoutMs: gw.config.streamHeartbeatMs, signal: ended });
      const refusal = caller.refusal();
      if (refusal) res.write(`event: error\ndata: ${JSON.stringify(refusal.toBody())}\n\n`);
      if (!task || ended.aborted) break;
      if (visible(task) !== seen || isTerminal(task.state)) {
        send(task);
        shown = visible(task);
      } else res.write(': heartbeat\n\n');
    }
  } finally {
    caller.stop();
    release();
    res.end();
  }
}
