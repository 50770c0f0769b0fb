import type { FastifyInstance } from 'fastify';
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
  app.addHook('preParsing', async (req, reply, payload) => {
    if ((req.routeOptions.bodyLimit ?? 0) <= LARGE_BODY_BYTES) return payload;
    const length = Number(req.headers['content-length']);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && !(length > LARGE_BODY_BYTES)) return payload;
    const release = await slots.acquire(SLOT_WAIT_MS);
    if (!release) {
      throw new ApiError(503, 'server_error', 'service_unavailable', 'The gateway is reading as many large request bodies as it allows; retry shortly, or send media as https URLs instead of inline data: URLs.', null, { retryable: true, retry_after: 5 }, { 'Retry-After': '5' });
    }
    reply.raw.once('close', release);
    return payload;
  });
  // Answered before the body was read (401, 413, …): close the connection rather than read the rest.
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!req.raw.complete && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)) reply.header('connection', 'close');
    done(null, payload);
  });
}
