import http from 'node:http';
import type { Logger } from 'pino';
import { parseJsonBody, requestIdFor } from './request-parsing.js';
import { takeRequest } from './auth.js';
import { errorAnswer } from './error-handler.js';
import { recordAnswer } from './fast-reads.js';
import type { Gateway } from './gateway.js';
import { headerLines, pushRateLimitHeaders } from './read-headers.js';
import { checkedIdempotencyKey, createVideoTask } from './video-routes.js';
import { createdView } from '../tasks/view.js';

/** The request headers a create read off the socket looks at (each sent at most once). */
export interface CreateHeaders {
  authorization?: string;
  requestId?: string;
  idempotencyKey?: string;
  contentType?: string;
  contentLength?: string;
}

/** An answer written to the socket: status line and header lines (without the connection's own), and the body. */
export interface SocketAnswer {
  head: string;
  body: string;
}

export const CREATE_ROUTE = '/v1/videos/generations';

/**
 * `POST /v1/videos/generations` answered for a request read whole off the socket (socket-reads.ts
 * decides which: a plain head, a JSON body of known length already received). Everything the
 * framework's route does, in the same order and through the same functions: the key (cached, or
 * looked up), its per-minute count, the Idempotency-Key, the JSON body, the create
 * (createVideoTask), and any error as the framework's error handler answers it (errorAnswer). What
 * differs is only what the framework adds per request: its routing, hooks, reply object and
 * Node's HTTP parser — most of a create's cost on the HTTP thread before this path existed
 * (bench/README.md, "seventh session").
 */
export function answerCreates(gw: Gateway, log: Logger): (asked: CreateHeaders, body: string, started: number) => Promise<SocketAnswer> {
  const counting = { limits: gw.limits, defaultRpm: gw.config.rateLimitPerMinute };
  return async (asked, text, started) => {
    const requestId = requestIdFor(asked.requestId);
    const headers: (string | number)[] = ['x-request-id', requestId];
    let status = 200;
    let body: string;
    try {
      const key = await gw.auth.identify(asked.authorization);
      const rate = await takeRequest(counting, key);
      if (rate !== null) pushRateLimitHeaders(headers, rate);
      const created = await createVideoTask(gw, key, parseJsonBody(text), checkedIdempotencyKey(asked.idempotencyKey));
      for (const name in created.headers) headers.push(name, created.headers[name]);
      body = JSON.stringify(createdView(created.task));
    } catch (err) {
      const api = errorAnswer(err, { createsTask: true, bodyLimit: gw.config.maxBodyBytes, requestId, log: log.child({ reqId: requestId }) });
      status = api.status;
      // Lower-cased, as the framework sends every header it is given.
      for (const name in api.headers) headers.push(name.toLowerCase(), api.headers[name]);
      body = JSON.stringify(api.toBody());
    }
    headers.push('content-type', 'application/json; charset=utf-8', 'content-length', Buffer.byteLength(body));
    recordAnswer({ metrics: gw.metrics, log }, 'POST', CREATE_ROUTE, status, requestId, started);
    return { head: `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${headerLines(headers)}`, body };
  };
}
