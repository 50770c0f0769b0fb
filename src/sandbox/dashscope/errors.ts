import { randomUUID } from 'node:crypto';

/** DashScope's synchronous error envelope {request_id, code, message} with an HTTP 4xx/5xx (§3.7). */
export class DashScopeError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody() {
    return { request_id: randomUUID(), code: this.code, message: this.message };
  }
}

export const invalidParameter = (message: string) => new DashScopeError(400, 'InvalidParameter', message);
export const missingKey = () => new DashScopeError(401, 'InvalidApiKey', 'No API-key provided.');
export const invalidKey = () => new DashScopeError(401, 'InvalidApiKey', 'Invalid API-key provided.');
export const syncNotSupported = () => new DashScopeError(403, 'AccessDenied', 'current user api does not support synchronous calls');
export const modelNotFound = (model: string) => new DashScopeError(404, 'ModelNotFound', `Model not exist: ${model}`);
export const notFound = (what: string) => new DashScopeError(404, 'NotFound', `${what} not found.`);
export const inputInspectionFailed = () => new DashScopeError(400, 'DataInspectionFailed', 'Input data may contain inappropriate content.');
export const throttled = (retryAfterSeconds?: number) =>
  new DashScopeError(429, 'Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.', retryAfterSeconds ? { 'retry-after': String(retryAfterSeconds) } : {});
export const serverError = (status: 500 | 503) => new DashScopeError(status, 'InternalError', 'An internal error has occured, please try again later or contact service support.');
export const cannotCancel = () => new DashScopeError(400, 'UnsupportedOperation', 'Failed to cancel the task, please confirm if the task is in PENDING status.');
