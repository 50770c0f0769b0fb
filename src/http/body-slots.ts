import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import { ApiError } from '../contract/errors.js';

/** Every route but create takes at most this much body (keys, webhooks: small JSON objects). */
export const SMALL_BODY_BYTES = 64 * 1024;
/** A body above this (or of unknown length) on a route that allows it waits for a large-body slot. */
export const LARGE_BODY_BYTES = 1024 * 1024;
/** How long a large body may wait for a slot before a 503 asks the client to come back. */
const SLOT_WAIT_MS = 30_000;

/** A counting semaphore with a FIFO queue of waiters. */
export class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Resolves to a release function, or null when no slot freed up within `timeoutMs`. */
  acquire(timeoutMs: number): Promise<(() => void) | null> {
    if (this.used < this.size) {
      this.used++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        this.used++;
        resolve(this.releaser());
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(null);
      }, timeoutMs);
      this.waiting.push(grant);
    });
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.used--;
      this.waiting.shift()?.();
    };
  }
}

/**
 * Bounds the bodies read at once on routes with a large bodyLimit (create, with inline media):
 * each may cost a few times its size while it is parsed, so at most `maxLarge` are read together;
 * the others wait (their bytes stay in the client's socket) or get a 503 with Retry-After.
 */
export function boundLargeBodies(app: FastifyInstance, maxLarge: number): void {
  const slots = new Slots(maxLarge);
  const waitForSlot: preParsingAsyncHookHandler = async (req, reply, payload) => {
    const length = Number(req.headers['content-length']);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && !(length > LARGE_BODY_BYTES)) return payload;
    const release = await slots.acquire(SLOT_WAIT_MS);
    if (!release) {
      throw new ApiError(
        503,
        'server_error',
        'service_unavailable',
        'The gateway is reading as many large request bodies as it allows; retry shortly, or send media as https URLs instead of inline data: URLs.',
        null,
        { retryable: true, retry_after: 5 },
        { 'Retry-After': '5' },
      );
    }
    reply.raw.once('close', release);
    return payload;
  };
  // Only on routes that allow large bodies (registered after this): other requests pay nothing.
  app.addHook('onRoute', (route) => {
    if ((route.bodyLimit ?? 0) <= LARGE_BODY_BYTES) return;
    const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    route.preParsing = [...existing, waitForSlot];
  });
}

/**
 * Answered before the body was read (401, 413, 415, 429 …: always an error, so the error handler
 * calls this): the rest is not read, and the connection closes after the answer.
 */
export function closeIfBodyUnread(req: FastifyRequest, reply: FastifyReply): void {
  if (req.raw.complete || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)) return;
  reply.header('connection', 'close');
  lingerBeforeClosing(req.raw.socket);
}

/** How long a connection closed on an unread body keeps discarding what the client still sends. */
const LINGER_MS = 2_000;

/**
 * A lingering close (as nginx does): destroying a socket with unread bytes makes the kernel send a
 * reset, which can wipe our answer before the client reads it. Instead, after the answer, send FIN,
 * discard whatever still arrives for a short while (or until the client closes), then destroy.
 * Node calls `destroySoon` once a `Connection: close` answer is written.
 */
function lingerBeforeClosing(socket: Socket): void {
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    const destroy = () => this.destroy();
    this.end();
    this.once('end', destroy);
    setTimeout(destroy, LINGER_MS).unref();
  };
}
