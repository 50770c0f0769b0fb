import type http from 'node:http';
import type { Socket } from 'node:net';
import { type Readable, Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import { serviceUnavailable } from '../contract/errors.js';
import { clientGone } from './client-gone.js';

/** Every route but create takes at most this much body (keys, webhooks: small JSON objects). */
export const SMALL_BODY_BYTES = 64 * 1024;
/**
 * A body above this on a route that allows it waits for a large-body slot: at once when its
 * Content-Length says so, or (chunked, length unknown) when this many bytes have arrived.
 */
export const LARGE_BODY_BYTES = 1024 * 1024;
/** How long a large body may wait for a slot before a 503 asks the client to come back. */
const SLOT_WAIT_MS = 30_000;

interface Waiter {
  owner: string;
  grant: () => void;
}

/**
 * A counting semaphore shared fairly by owners (API keys):
 * - one owner holds at most `size - 1` slots (all of them when `size` is 1), so one key's uploads,
 *   however slow, always leave a slot for the others;
 * - a freed slot goes to the waiter whose owner holds the fewest slots (the longest waiting among
 *   equals), so keys that want slots share them evenly.
 */
export class Slots {
  private used = 0;
  private readonly held = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  /** Most slots one owner may hold. */
  readonly perOwner: number;

  constructor(readonly size: number) {
    this.perOwner = Math.max(1, size - 1);
  }

  /** Slots held and requests waiting for one, right now (metrics). */
  get counts(): { reading: number; waiting: number } {
    return { reading: this.used, waiting: this.waiting.length };
  }

  /**
   * Resolves to a release function, or null when no slot was granted within `timeoutMs` or
   * `signal` aborted first (the waiter then leaves the queue).
   */
  acquire(owner: string, timeoutMs: number, signal?: AbortSignal): Promise<(() => void) | null> {
    if (signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', giveUp);
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
      };
      const waiter: Waiter = {
        owner,
        grant: () => {
          leave();
          this.used++;
          this.held.set(owner, this.heldBy(owner) + 1);
          resolve(this.releaser(owner));
        },
      };
      const giveUp = () => {
        leave();
        resolve(null);
      };
      const timer = setTimeout(giveUp, timeoutMs);
      signal?.addEventListener('abort', giveUp, { once: true });
      this.waiting.push(waiter);
      this.dispatch();
    });
  }

  private heldBy(owner: string): number {
    return this.held.get(owner) ?? 0;
  }

  /** Grants free slots to eligible waiters, fewest held first. */
  private dispatch(): void {
    while (this.used < this.size) {
      let next: Waiter | undefined;
      for (const w of this.waiting) {
        const h = this.heldBy(w.owner);
        if (h < this.perOwner && (next === undefined || h < this.heldBy(next.owner))) next = w;
      }
      if (!next) return;
      next.grant();
    }
  }

  private releaser(owner: string): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.used--;
      const left = this.heldBy(owner) - 1;
      if (left > 0) this.held.set(owner, left);
      else this.held.delete(owner);
      this.dispatch();
    };
  }
}

/**
 * Bounds the bodies read at once on routes with a large bodyLimit (create, with inline media):
 * each may cost a few times its size while it is parsed, so at most `maxLarge` bodies over
 * LARGE_BODY_BYTES are read together, shared fairly between API keys (see Slots); the others wait
 * (their bytes stay in the client's socket) or get a 503 with Retry-After. A body with a
 * Content-Length waits before its first byte is read; a chunked one is counted as it arrives and
 * waits only once it has grown past LARGE_BODY_BYTES, so a small chunked body never waits.
 * Returns the slots (for metrics).
 */
export function boundLargeBodies(app: FastifyInstance, maxLarge: number): Slots {
  const slots = new Slots(maxLarge);
  endLingeringOnClose(app.server);
  const waitForSlot: preParsingAsyncHookHandler = async (req, reply, payload) => {
    if (req.headers['transfer-encoding'] !== undefined) return slotPastThreshold(payload, () => takeSlot(slots, req, reply));
    if (Number(req.headers['content-length']) > LARGE_BODY_BYTES) await takeSlot(slots, req, reply);
    return payload;
  };
  // Only on routes that allow large bodies (registered after this): other requests pay nothing.
  app.addHook('onRoute', (route) => {
    if ((route.bodyLimit ?? 0) <= LARGE_BODY_BYTES) return;
    const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    route.preParsing = [...existing, waitForSlot];
  });
  return slots;
}

/** Waits for a slot for the caller's key (the auth hook has run), held until the answer is sent. */
async function takeSlot(slots: Slots, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  // A client that goes away while waiting (or already has) leaves the queue and never holds a slot.
  const gone = clientGone(req);
  const release = await slots.acquire(req.apiKey?.id ?? '', SLOT_WAIT_MS, gone);
  if (!release) {
    throw serviceUnavailable(
      `The gateway is reading as many large request bodies as it allows (${slots.size} at once, ${slots.perOwner} for one API key); retry shortly, or send media as https URLs instead of inline data: URLs.`,
      5,
    );
  }
  if (gone.aborted) release();
  else reply.raw.once('close', release);
}

/**
 * A body of unknown length (chunked), passed through as it arrives: once more than
 * LARGE_BODY_BYTES have come, the rest waits (in the client's socket) until `takeSlot` resolves.
 */
function slotPastThreshold(payload: Readable, takeSlot: () => Promise<void>): Readable {
  let seen = 0;
  let slotted = false;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (slotted || seen <= LARGE_BODY_BYTES) return callback(null, chunk);
      slotted = true;
      takeSlot().then(() => callback(null, chunk), callback);
    },
  });
  // Not pipeline(): an error here (no slot: 503) must not destroy the request, or the socket
  // would go before the answer. A client that aborts mid-body errors the counted stream too.
  payload.on('error', (err) => counted.destroy(err));
  return payload.pipe(counted);
}

/**
 * `Expect: 100-continue`, answered when the body is wanted: the interim 100 Continue goes out
 * when something first reads the body — the route's parser, after the key, its rate limit and a
 * large-body slot, and only if the Content-Length is within the route's limit. A request refused
 * before (401, 413, 429, 503 …) gets only its final answer, and its client need not send the body.
 * Without a 'checkContinue' listener Node sends 100 Continue for every such request before any
 * route runs.
 */
export function continueWhenBodyRead(server: http.Server): void {
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const read = req._read;
    req._read = function readAfterContinue(size: number) {
      req._read = read;
      // A body first read after the answer is being discarded (Node drains an unread body once
      // the answer is sent; a refused one is resumed only after it began to be read): no 100 then.
      if (!res.headersSent) res.writeContinue();
      read.call(this, size);
    };
    server.emit('request', req, res);
  });
}

/**
 * Answered before the body was read (401, 413, 415, 429 …: always an error, so the error handler
 * calls this): the rest is not read, and the connection closes after the answer.
 */
export function closeIfBodyUnread(req: FastifyRequest, reply: FastifyReply): void {
  if (req.raw.complete || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)) return;
  reply.header('connection', 'close');
  // Node discards the rest of a request after the answer only if nobody began to read it. One whose
  // reading was begun and then stopped (a chunked body piped to a stream that failed: refused while
  // it waited for a slot) is read by nobody: its bytes would stay in the socket and the lingering
  // close end in a reset. (Not every early answer: resuming the others before the answer is sent
  // made the 200 × 31 MiB test's 401s slower.)
  if (req.raw.readableFlowing === false) {
    req.raw.unpipe();
    req.raw.resume();
  }
  lingerBeforeClosing(req.raw.socket);
}

/**
 * How long a connection closed on an unread body keeps discarding what the client still sends:
 * until it has sent nothing for LINGER_IDLE_MS, and no longer than LINGER_MAX_MS in all (nginx's
 * lingering_timeout and lingering_time work so). A client busy writing may read the answer only
 * seconds after it was sent; while its bytes keep arriving the connection must stay.
 */
const LINGER_IDLE_MS = 2_000;
const LINGER_MAX_MS = 30_000;

/**
 * A lingering close (as nginx does): destroying a socket with unread bytes, or while the client
 * still sends, makes the kernel send a reset, which can wipe our answer before the client reads it.
 * Instead, after the answer, send FIN, discard whatever still arrives (Node dumps the unread
 * request) until the client closes or goes quiet, then destroy.
 * Node calls `destroySoon` once a `Connection: close` answer is written.
 */
function lingerBeforeClosing(socket: Socket): void {
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    const destroy = () => this.destroy();
    const server = (this as Socket & { server?: object }).server;
    const state = server && lingering.get(server);
    // Shutting down: no lingering, the answer is sent and the connection goes.
    if (state?.closing) return void this.end(destroy);
    this.end();
    this.once('end', destroy);
    // An idle timer: the HTTP parser that reads (and drops) the arriving bytes restarts it.
    this.setTimeout(LINGER_IDLE_MS, destroy);
    const cap = setTimeout(destroy, LINGER_MAX_MS).unref();
    state?.sockets.add(this);
    this.once('close', () => {
      clearTimeout(cap);
      state?.sockets.delete(this);
    });
  };
}

/** Each server's connections in a lingering close, and whether it is shutting down. */
const lingering = new WeakMap<object, { sockets: Set<Socket>; closing: boolean }>();

/**
 * Shutdown: a lingering connection has its answer already, but its request never completes (the
 * body is not read), so the server's close would wait for it until the grace period ran out.
 * Node's close (and Fastify's) calls closeIdleConnections: it ends those lingering now, and those
 * that would start later close once their answer is sent (as socket-reads.ts extends it too).
 */
function endLingeringOnClose(server: http.Server): void {
  const state = { sockets: new Set<Socket>(), closing: false };
  lingering.set(server, state);
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    state.closing = true;
    for (const socket of state.sockets) socket.destroy();
    closeIdle();
  };
}
