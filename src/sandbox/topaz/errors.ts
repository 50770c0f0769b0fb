/** Topaz's OpenAPI error codes (§5.7). */
export type TopazErrorCode = 'INSUFFICIENT_CREDITS' | 'INVALID_INPUT' | 'FORBIDDEN' | 'UNAUTHORIZED' | 'SERVER_MAINTENANCE' | 'SERVER_ERROR' | 'UNKNOWN';

export interface FieldError {
  type: string;
  path: string;
  location: 'body' | 'path' | 'query';
  msg: string;
}

/** An HTTP error answered with Topaz's envelope: {"message","errorCode","errors?"}. */
export class TopazHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: TopazErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return { message: this.message, errorCode: this.errorCode, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export const invalidInput = (path: string, msg: string, type = 'invalid_value') => new TopazHttpError(400, 'INVALID_INPUT', `Invalid request: ${path}: ${msg}`, [{ type, path, location: 'body', msg }]);

export const invalidState = (message: string) => new TopazHttpError(400, 'INVALID_INPUT', message);

export const unauthorized = () => new TopazHttpError(401, 'UNAUTHORIZED', 'Unauthorized: a valid X-API-Key header is required.');

export const notFound = (what = 'Not found') => new TopazHttpError(404, 'UNKNOWN', what);

export const insufficientCredits = (needed: number) =>
  new TopazHttpError(402, 'INSUFFICIENT_CREDITS', `Insufficient credits: this request needs up to ${needed} credits. Add credits to your account and accept the request again.`);

export const rateLimited = (retryAfterSeconds: number) => new TopazHttpError(429, 'UNKNOWN', 'Too many requests. Please slow down.', undefined, { 'retry-after': String(retryAfterSeconds) });

export function serverError(httpStatus: 500 | 503): TopazHttpError {
  return httpStatus === 503 ? new TopazHttpError(503, 'SERVER_MAINTENANCE', 'The service is under maintenance. Please try again later.') : new TopazHttpError(500, 'SERVER_ERROR', 'An unexpected server error occurred.');
}
