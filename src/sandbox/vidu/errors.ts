import { randomBytes } from 'node:crypto';

/** An HTTP error in Vidu's envelope: {code, reason, message, metadata:{trace_id}} (spec providers-2 §4.7). */
export class ViduHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly reason: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return { code: this.reason, reason: this.reason, message: this.message, metadata: { trace_id: randomBytes(16).toString('hex') } };
  }
}

export const fieldLacking = (fields: string) => new ViduHttpError(400, 'FieldLacking', `field is missing or empty: ${fields}`);
export const fieldInvalid = (field: string, why?: string) => new ViduHttpError(400, 'FieldInvalid', `invalid field: ${field}${why ? ` (${why})` : ''}`);
export const fieldUnwanted = (field: string, why: string) => new ViduHttpError(400, 'FieldUnwanted', `unwanted field: ${field} (${why})`);
export const itemCount = (field: string, why: string) => new ViduHttpError(400, 'FieldItemCountOutOfRange', `item count out of range: ${field} (${why})`);
export const badRequest = (message: string) => new ViduHttpError(400, 'BadRequest', message);
/** Vidu's "busy, retry later": HTTP 400 although nothing is wrong with the request. */
export const operationInProcess = () => new ViduHttpError(400, 'OperationInProcess', 'operation in process, please retry later');
export const unauthorized = () => new ViduHttpError(401, 'Unauthorized', 'Unauthorized: send the header "Authorization: Token {api_key}"');
export const notFound = (reason: 'TaskNotFound' | 'NotFound', message: string) => new ViduHttpError(404, reason, message);
export const imageDownloadFailure = (i: number) => new ViduHttpError(400, 'ImageDownloadFailure', `image download failure: images[${i}]`);
export const imageFormatInvalid = (i: number, why: string) => new ViduHttpError(400, 'ImageFormatInvalid', `image format invalid: images[${i}] (${why})`);
export const pageSizeOutOfRange = (i: number, why: string) => new ViduHttpError(400, 'PageSizeOutOfRange', `image out of range: images[${i}] (${why})`);
export const promptPolicy = () => new ViduHttpError(400, 'TaskPromptPolicyViolation', 'the prompt violates the content policy');
export const creditInsufficient = () => new ViduHttpError(400, 'CreditInsufficient', 'insufficient credits');

/** 429 with a Retry-After header (Vidu's own clients just back off; the header helps ours). */
export function quotaExceeded(retryAfterSeconds: number, reason: 'QuotaExceeded' | 'TooManyRequests' = 'QuotaExceeded'): ViduHttpError {
  const message = reason === 'QuotaExceeded' ? 'concurrent task quota exceeded, please retry later' : 'too many requests, please retry later';
  return new ViduHttpError(429, reason, message, { 'retry-after': String(retryAfterSeconds) });
}

export function serverError(httpStatus: 500 | 503): ViduHttpError {
  return httpStatus === 503 ? new ViduHttpError(503, 'ServiceUnavailable', 'service temporarily unavailable, please retry later') : new ViduHttpError(500, 'InternalServiceFailure', 'internal service failure');
}
