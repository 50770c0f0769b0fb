import type { FastifyRequest } from 'fastify';

/**
 * Aborts when the client goes away (closes the connection before we answer) — at once if it already
 * has: a 'close' that fired before the caller started listening (e.g. while its key was looked up)
 * never fires again.
 */
export function clientGone(req: FastifyRequest): AbortSignal {
  const ctl = new AbortController();
  if (req.raw.socket?.destroyed) ctl.abort();
  else req.raw.once('close', () => ctl.abort());
  return ctl.signal;
}
