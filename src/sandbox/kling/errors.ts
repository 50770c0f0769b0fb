import { randomUUID } from 'node:crypto';

/** An error answered with Kling's envelope {code, message, request_id} and an HTTP status (§1.9). */
export class KlingHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return { code: this.code, message: this.message, request_id: randomUUID() };
  }
}

/** 400 1201: a parameter value Kling refuses (the message names it). */
export const invalidValue = (message: string) => new KlingHttpError(400, 1201, message);
/** 400 1200: the body is not a usable request at all. */
export const invalidRequest = (message: string) => new KlingHttpError(400, 1200, message);
export const notFound = (message = 'Resource not found') => new KlingHttpError(404, 1203, message);
export const badMethod = () => new KlingHttpError(404, 1202, 'Invalid request method');

export const authError = (code: 1001 | 1002 | 1003 | 1004) =>
  new KlingHttpError(
    401,
    code,
    {
      1001: 'Authorization is empty',
      1002: 'Authorization is invalid',
      1003: 'Authorization is not yet valid',
      1004: 'Authorization has expired',
    }[code],
  );

export function rateLimited(code: 1302 | 1303, retryAfterSeconds: number): KlingHttpError {
  const message = code === 1303 ? 'parallel task over resource pack limit' : 'The API request is too fast, please slow down the request frequency';
  return new KlingHttpError(429, code, message, { 'retry-after': String(retryAfterSeconds) });
}

export function serverError(status: 500 | 503 | 504): KlingHttpError {
  if (status === 503) return new KlingHttpError(503, 5001, 'Server temporarily unavailable, usually due to maintenance');
  if (status === 504) return new KlingHttpError(504, 5002, 'Server internal timeout, usually due to a backlog');
  return new KlingHttpError(500, 5000, 'Server internal error');
}

export const contentRefused = () => new KlingHttpError(400, 1301, 'Content security policy triggered: the input contains content that violates the platform rules');
