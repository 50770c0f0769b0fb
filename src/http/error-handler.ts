import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, serviceUnavailable } from '../contract/errors.js';
import { isStoreUnavailable } from '../store/errors.js';
import { closeIfBodyUnread, SMALL_BODY_BYTES } from './body-slots.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A create route (takes an Idempotency-Key): its 503 tells the client to retry with the same key. */
    createsTask?: boolean;
    /** Answers 405 for a path another method serves (see wrongMethodRoutes); not itself a route to allow. */
    wrongMethod?: boolean;
  }
}

/**
 * Paths only another method serves that a parametric route of this method would otherwise take as an
 * id (GET /v1/videos/generations is not the OpenAI video "generations"): answered as a wrong method.
 */
const SHADOWED: { url: string; methods: ('GET' | 'DELETE')[] }[] = [{ url: '/v1/videos/generations', methods: ['GET', 'DELETE'] }];

/** A route's path pattern (`/v1/tasks/:id`) as a regular expression over request paths. */
function pathPattern(url: string): RegExp {
  const parts = url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('/')}/?$`);
}

/** 405 naming the method sent and the ones the path takes (also in Allow). */
function methodNotAllowed(method: string, path: string, allowed: string[]): ApiError {
  const message = `${path} does not take ${method}; it takes ${allowed.join(', ')}. This gateway's routes are listed at /docs.`;
  return new ApiError(405, 'invalid_request_error', 'method_not_allowed', message, null, {}, { Allow: allowed.join(', ') });
}

/** Maps Fastify's own errors (body parsing, size, content type) to TokenLab envelopes. */
function fromFastifyError(err: FastifyError, bodyLimit: number): ApiError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'invalid_request_error', 'payload_too_large', tooLarge(bodyLimit), null);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'invalid_request_error', 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json.', null);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_request_error', 'invalid_json', 'The request body is empty; send a JSON object.', null);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'invalid_request_error', 'invalid_request', 'Content-Length does not match the body.', null);
    default:
      break;
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new ApiError(400, 'invalid_request_error', 'invalid_json', 'The request body is not valid JSON.', null);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new ApiError(err.statusCode, 'invalid_request_error', 'invalid_request', err.message, null);
  }
  return null;
}

/** What a 413 says: the route's limit, and (for the create routes, which take inline media) how to stay under it. */
function tooLarge(limit: number): string {
  // One decimal, rounded down: a limit of 34.3 MiB is not "34 MiB" (bodies between would be accepted).
  const size = limit >= 1024 * 1024 ? `${Math.floor((limit / (1024 * 1024)) * 10) / 10} MiB` : `${Math.floor((limit / 1024) * 10) / 10} KiB`;
  return limit > SMALL_BODY_BYTES ? `Request body is too large: this route takes at most ${size}. Send media as https URLs instead of inline data: URLs.` : `Request body is too large: this route takes at most ${size}.`;
}

/** Where an error is answered: whether the route creates tasks, its body limit, and its request's log. */
export interface ErrorContext {
  createsTask: boolean;
  bodyLimit: number;
  requestId: string;
  log: Pick<FastifyBaseLogger, 'warn' | 'error'>;
}

/**
 * Any error a request ended with, as the TokenLab envelope to answer (logged where an operator
 * should see it): the framework's error handler and the create answered on the socket
 * (socket-creates.ts) both answer through this.
 */
export function errorAnswer(err: unknown, c: ErrorContext): ApiError {
  const api = err instanceof ApiError ? err : typeof err === 'object' && err !== null ? fromFastifyError(err as FastifyError, c.bodyLimit) : null;
  if (api) {
    if (api.status >= 500) c.log.warn({ code: api.code }, api.message);
    return api;
  }
  if (isStoreUnavailable(err)) {
    // Never a 200 that was not stored, never a 500: the client may retry (idempotently) shortly.
    c.log.warn({ err: (err as Error).message }, 'database unavailable');
    const retry = c.createsTask ? 'Retry in a few seconds (with the same Idempotency-Key, if you sent one).' : 'Retry in a few seconds.';
    return serviceUnavailable(`The gateway cannot reach its database right now; nothing was changed. ${retry}`, 5);
  }
  c.log.error({ err }, 'unhandled error');
  return new ApiError(500, 'server_error', 'server_error', `An internal error occurred. Quote request id ${c.requestId} when reporting it.`);
}

export function installErrorHandling(app: FastifyInstance): void {
  // Every route's methods by path pattern: a path that another method serves is a 405, not a 404.
  const routes: { pattern: RegExp; params: number; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.config?.wrongMethod) return;
    routes.push({ pattern: pathPattern(route.url), params: route.url.split('/:').length - 1, methods: [route.method].flat() });
  });
  // As the router picks: the patterns with the fewest parameters that match (a static path over `:id`).
  const allowedOn = (path: string): string[] => {
    const matching = routes.filter((r) => r.pattern.test(path));
    const fewest = Math.min(...matching.map((r) => r.params));
    return [...new Set(matching.flatMap((r) => (r.params === fewest ? r.methods : [])))].sort();
  };
  const answerUnrouted = (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    const allowed = allowedOn(path).filter((m) => m !== req.method);
    const api =
      allowed.length > 0
        ? methodNotAllowed(req.method, path, allowed)
        : new ApiError(404, 'not_found_error', 'route_not_found', `No route ${req.method} ${path}. This gateway's routes are listed at /docs (and /openapi.json).`);
    reply.code(api.status).headers(api.headers).send(api.toBody());
  };
  for (const s of SHADOWED) app.route({ method: s.methods, url: s.url, config: { auth: 'none', wrongMethod: true }, handler: answerUnrouted });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    closeIfBodyUnread(req, reply);
    const api = errorAnswer(err, {
      createsTask: req.routeOptions.config?.createsTask === true,
      bodyLimit: req.routeOptions.bodyLimit ?? SMALL_BODY_BYTES,
      requestId: req.id,
      log: req.log,
    });
    return reply.code(api.status).headers(api.headers).send(api.toBody());
  });
  app.setNotFoundHandler(answerUnrouted);
}
