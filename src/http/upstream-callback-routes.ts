import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CALLBACK_PATH } from '../contract/channels.js';
import { ApiError } from '../contract/errors.js';
import type { Gateway } from './gateway.js';

/** A provider's status notice is a small JSON object; nothing legitimate comes near this. */
export const CALLBACK_BODY_BYTES = 64 * 1024;

type CallbackParams = { Params: { channel: string; token?: string } };

function unknownUrl(): ApiError {
  return new ApiError(404, 'not_found_error', 'callback_not_found', 'Unknown callback URL: this gateway issued no such upstream callback.', null);
}

/**
 * Where providers call back (VIDGATE_CALLBACK_BASE_URL): no API key — a per-task token or the
 * provider's signature authenticates the call (channels/callbacks.ts). The body is kept as the
 * exact bytes sent, since signatures cover them, and is never trusted for a result.
 */
export function registerUpstreamCallbackRoutes(app: FastifyInstance, gw: Gateway): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: CALLBACK_BODY_BYTES }, (_req, body, done) => done(null, body));
    const handle = async (req: FastifyRequest<CallbackParams>, reply: FastifyReply) => {
      if (!gw.callbacks) throw unknownUrl();
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
      const body = typeof req.body === 'string' ? req.body : '';
      const answer = await gw.callbacks.receive(req.params.channel, req.params.token, { headers, body });
      if (answer.status === 404) throw unknownUrl();
      if (answer.status === 401) throw new ApiError(401, 'unauthorized', 'invalid_signature', 'The callback signature does not verify (or is older than 5 minutes).', null);
      return reply.code(answer.status).send(answer.body);
    };
    const opts = { config: { auth: 'none' as const }, bodyLimit: CALLBACK_BODY_BYTES };
    scope.post(`${CALLBACK_PATH}/:channel`, opts, handle);
    scope.post(`${CALLBACK_PATH}/:channel/:token`, opts, handle);
  });
}
