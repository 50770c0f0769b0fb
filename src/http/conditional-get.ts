import type { FastifyInstance } from 'fastify';
import { etagOf, notModified } from './etags.js';

/**
 * JSON reads revalidate as a task read does: a 200 answer to a GET gets an ETag of its bytes, and
 * an If-None-Match naming it (or `*`) turns it into a 304 without a body. Left alone: answers that
 * set their own ETag (task reads, files), anything but serialized JSON (streams, files, pages), and
 * `no-store` answers (a secret's hash has no business in a header nobody may keep).
 */
export function revalidateJsonReads(app: FastifyInstance): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    if (reply.statusCode !== 200 || typeof payload !== 'string' || (req.method !== 'GET' && req.method !== 'HEAD') || reply.hasHeader('etag')) return done(null, payload);
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.startsWith('application/json') || String(reply.getHeader('cache-control') ?? '').includes('no-store')) return done(null, payload);
    const etag = etagOf(payload);
    reply.header('etag', etag);
    if (!notModified(req.headers['if-none-match'], etag)) return done(null, payload);
    reply.code(304).removeHeader('content-type');
    // No body either way; HEAD's own handler (after this hook) needs the payload to state its length.
    done(null, req.method === 'HEAD' ? payload : null);
  });
}
