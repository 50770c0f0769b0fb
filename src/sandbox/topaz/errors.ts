/**
 * An HTTP error answered as Topaz's Video API OpenAPI defines every error response
 * (`components.responses` BadRequest … ServiceUnavailable): a JSON body with only `{message}`.
 */
export class TopazHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return { message: this.message };
  }
}

/** A validation failure: the field's path and the reason are in the message (no separate list). */
export const invalidInput = (path: string, msg: string) => new TopazHttpError(400, `Invalid request: ${path}: ${msg}`);

export const invalidState = (message: string) => new TopazHttpError(400, message);

export const unauthorized = () => new TopazHttpError(401, 'Unauthorized: a valid X-API-Key header is required.');

export const notFound = (what = 'Not found') => new TopazHttpError(404, what);

export const insufficientCredits = (needed: number) => new TopazHttpError(402, `Insufficient credits: this request needs up to ${needed} credits. Add credits to your account and accept the request again.`);

/** Not in Topaz's OpenAPI (no 429 is listed): a fault control, as any edge or proxy may answer it. */
export const rateLimited = (retryAfterSeconds: number) => new TopazHttpError(429, 'Too many requests. Please slow down.', { 'retry-after': String(retryAfterSeconds) });

export function serverError(httpStatus: 500 | 503): TopazHttpError {
  return httpStatus === 503 ? new TopazHttpError(503, 'Service unavailable: the service is under maintenance. Please try again later.') : new TopazHttpError(500, 'Internal server error: an unexpected error occurred.');
}
