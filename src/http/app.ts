import http from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { FastReads } from './fast-reads.js';
import { answerTaskReadsOnSockets } from './socket-reads.js';
import { answerCreates } from './socket-creates.js';
import { parseJsonBody, refuseEncodedBody, requestIdFor } from './request-parsing.js';
import type { Logger } from 'pino';
import { ApiError } from '../contract/errors.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerAuth } from './auth.js';
import { boundLargeBodies, continueWhenBodyRead, SMALL_BODY_BYTES } from './body-slots.js';
import { revalidateJsonReads } from './conditional-get.js';
import { installErrorHandling } from './error-handler.js';
import { registerDocsRoutes } from './docs/routes.js';
import { registerFileRoutes } from './file-routes.js';
import { registerMetricsRoutes } from './metrics-routes.js';
import type { Gateway } from './gateway.js';
import { requestLogFields } from './log-redaction.js';
import { registerModelRoutes } from './model-routes.js';
import { registerOpenAIVideoRoutes } from './openai-videos/routes.js';
import { registerPlaygroundRoutes } from './playground/routes.js';
import { refreshTaskRead } from './task-read.js';
import { registerTaskRoutes } from './task-routes.js';
import { registerUsageRoutes } from './usage-routes.js';
import { registerVideoRoutes } from './video-routes.js';
import { registerUpstreamCallbackRoutes } from './upstream-callback-routes.js';
import { registerWebhookRoutes } from './webhook-routes.js';

/** The longest path segment (an id, a model name) the router takes; a longer one is a 400. */
const MAX_PATH_SEGMENT = 4096;

/** What Node's HTTP parser refused, as a TokenLab envelope (Fastify's default answer is not one). */
function clientErrorAnswer(err: NodeJS.ErrnoException): ApiError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new ApiError(408, 'timeout_error', 'request_timeout', 'The request headers did not arrive in time; send the whole request at once and retry.', null);
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return new ApiError(431, 'invalid_request_error', 'headers_too_large', `The request line and headers are too large (at most ${http.maxHeaderSize} bytes together); shorten the URL or the headers.`, null);
  }
  return new ApiError(400, 'invalid_request_error', 'invalid_request', 'The request is not valid HTTP/1.1 (request line, method or headers); check what your client sends.', null);
}

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A client that went away has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const api = clientErrorAnswer(err);
  const body = JSON.stringify(api.toBody());
  if (socket.writable) {
    // A fresh request id: the parser refused the head, so the caller's own is not to be trusted.
    const head = `HTTP/1.1 ${api.status} ${http.STATUS_CODES[api.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestIdFor(undefined)}`;
    socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** A connection silent past the header timeout: the 408 Node's own header timer answers. */
function headersTimedOut(socket: Duplex): void {
  answerClientError(Object.assign(new Error('headers timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
}

/** The HTTP server, trying the in-memory task read before handing a request to Fastify. */
function fastFirst(gw: Gateway, fast: FastReads, logger: Logger): FastifyServerOptions['serverFactory'] {
  const t = gw.config.http;
  return (handler) => {
    const server = http.createServer({ headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, Math.ceil(t.headersTimeoutMs / 2)) }, (req, res) => {
      if (!fast.serve(req, res)) handler(req, res);
    });
    server.keepAliveTimeout = t.keepAliveTimeoutMs;
    server.setTimeout(t.idleTimeoutMs);
    // Connections that open with task reads are answered on the socket while they only read
    // (src/http/socket-reads.ts); Redis-counted limits leave nothing for memory to answer.
    if (fast.usable) {
      answerTaskReadsOnSockets(server, fast, {
        ...t,
        refresh: (id, authorization) => refreshTaskRead(gw, id, authorization),
        headersTimedOut,
        log: logger,
        // Creates whose body fits the framework's small-body limit (larger ones take its body slots).
        creates: { answer: answerCreates(gw, logger), maxBodyBytes: Math.min(gw.config.maxBodyBytes, SMALL_BODY_BYTES) },
      });
    }
    return server;
  };
}

/** The Fastify app: the only place that knows HTTP. */
/** `api: false` (a worker node): only /healthz answers. */
export function buildHttpApp(gw: Gateway, logger: Logger, opts: { api: boolean } = { api: true }): FastifyInstance {
  const t = gw.config.http;
  const app: FastifyInstance = Fastify({
    // Request logs show URLs with signatures and keys sent in a query string redacted.
    loggerInstance: logger.child({}, { serializers: { req: requestLogFields } }) as FastifyBaseLogger,
    // Routes take small bodies unless they say otherwise (create: VIDGATE_MAX_BODY_BYTES).
    bodyLimit: SMALL_BODY_BYTES,
    // Slow or stalled clients are cut off: headers, whole request, idle socket, idle keep-alive.
    connectionTimeout: t.idleTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    http: { headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, Math.ceil(t.headersTimeoutMs / 2)) },
    genReqId: (req) => requestIdFor(req.headers['x-request-id']),
    // Task reads answerable from memory skip the framework (src/http/fast-reads.ts).
    // Only where the task routes are (a worker node answers /healthz and /metrics alone).
    ...(gw.fastReads && opts.api ? { serverFactory: fastFirst(gw, gw.fastReads, logger) } : {}),
    return503OnClosing: true,
    // Long enough that our handlers (not the router) answer over-long ids, with our envelope.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_SEGMENT },
    // Requests Node's parser refuses before any route runs (bad request line, headers too large,
    // headers too slow) get a TokenLab envelope too, then the connection closes.
    clientErrorHandler: answerClientError,
    // Malformed URLs (bad percent-encoding, a path segment past the router's limit) also get a TokenLab envelope.
    frameworkErrors: (err, req, reply) => {
      const message =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? `A path segment of the URL is too long: at most ${MAX_PATH_SEGMENT} characters; ids and model names are far shorter, so check the URL.`
          : 'The request URL is malformed: a % in the path must start a valid UTF-8 percent-escape (like %20); encode the path segments you send.';
      // No onRequest hook runs for these: the request id is set here.
      const body = new ApiError(400, 'invalid_request_error', 'invalid_url', message, null).toBody();
      (reply as unknown as FastifyReply).code(400).header('x-request-id', req.id).send(body);
    },
  });

  // Callback-style (not async): this runs on every request, including the hot task read.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  // Before any body is read: who is calling, and within its rate limit?
  registerAuth(app, { auth: gw.auth, limits: gw.limits, signer: () => gw.signer, defaultRpm: gw.config.rateLimitPerMinute });
  const largeBodies = boundLargeBodies(app, gw.config.maxLargeBodies);
  continueWhenBodyRead(app.server);
  gw.metrics.readLargeBodiesFrom(() => largeBodies.counts);

  // Bodies as sent: a compressed one is a 415 before it is read (every route, whatever its type).
  app.addHook('preParsing', (req, _reply, payload, done) => {
    const sent = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    try {
      if (sent) refuseEncodedBody(req.headers['content-encoding']);
    } catch (err) {
      return done(err as Error);
    }
    done(null, payload);
  });
  // JSON only; an empty body on routes that take none is fine.
  app.removeAllContentTypeParsers();
  const parseJson = (text: string, done: (err: Error | null, body?: unknown) => void) => {
    let body: unknown;
    try {
      body = parseJsonBody(text);
    } catch (err) {
      return done(err as Error, undefined);
    }
    done(null, body);
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => parseJson(body as string, done));
  // Structured-syntax JSON types too (application/vnd.api+json, application/merge-patch+json, …).
  app.addContentTypeParser(/^application\/[\w.+-]+\+json\s*(;.*)?$/i, { parseAs: 'string' }, (_req, body, done) => parseJson(body as string, done));
  app.addContentTypeParser('*', (_req, _payload, done) => {
    done(new ApiError(415, 'invalid_request_error', 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json.', null), undefined);
  });

  installErrorHandling(app);
  revalidateJsonReads(app);
  if (gw.fastReads) {
    const fast = gw.fastReads;
    app.addHook('preClose', (done) => {
      fast.closing = true;
      done();
    });
  }

  app.get('/healthz', { config: { auth: 'none' } }, async () => ({ status: 'ok' }));
  // Every node (workers too) is scraped: the engine's figures live where the engine runs.
  registerMetricsRoutes(app, gw);
  if (!opts.api) return app;
  registerDocsRoutes(app);
  registerPlaygroundRoutes(app);
  registerOpenAIVideoRoutes(app, gw);
  registerVideoRoutes(app, gw);
  registerTaskRoutes(app, gw);
  registerModelRoutes(app, gw);
  registerAdminRoutes(app, gw);
  registerFileRoutes(app, gw);
  registerUsageRoutes(app, gw);
  registerWebhookRoutes(app, gw);
  registerUpstreamCallbackRoutes(app, gw);
  return app;
}
