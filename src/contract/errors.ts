/**
 * TokenLab error envelope: {"error":{"message","type","code","param", ...extras}}.
 * Every error a caller can cause is an ApiError; the HTTP room turns it into the envelope.
 */
export type ErrorType =
  | 'unauthorized'
  | 'invalid_api_key'
  | 'permission_error'
  | 'insufficient_balance'
  | 'quota_exceeded'
  | 'invalid_request_error'
  | 'model_not_found'
  | 'rate_limit_exceeded'
  | 'server_error'
  | 'upstream_error'
  | 'all_channels_failed'
  | 'timeout_error'
  | 'not_found_error'
  | 'async_task_not_found';

/** Extra, schema-listed properties a validation error may carry (allowed_durations, supported_operations, …). */
export type ErrorExtras = Record<string, unknown>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly extras: ErrorExtras = {},
    readonly headers: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): { error: Record<string, unknown> } {
    // `param` is a string in the schema: omitted (not null) when no single parameter is at fault.
    const error: Record<string, unknown> = { message: this.message, type: this.type, code: this.code };
    if (this.param !== null) error.param = this.param;
    return { error: { ...error, ...this.extras } };
  }
}

/** 400 invalid_request_error naming the offending parameter. */
export function badRequest(param: string | null, message: string, code = 'invalid_request', extras: ErrorExtras = {}): ApiError {
  return new ApiError(400, 'invalid_request_error', code, message, param, extras);
}

/** 503 service_unavailable that the client retries after `retryAfterSeconds` (body and Retry-After header agree). */
export function serviceUnavailable(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError(503, 'server_error', 'service_unavailable', message, null, { retryable: true, retry_after: retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
}

export function taskNotFound(): ApiError {
  return new ApiError(404, 'invalid_request_error', 'async_task_not_found', 'Task not found or no longer available.', 'id');
}

/**
 * draft_task_id that is not one of the caller's own completed draft tasks. Whatever the id is —
 * another key's task, an upstream id, a running task, nothing at all — the answer is this one, so it
 * tells nobody anything about ids that are not theirs.
 */
export function draftTaskNotFound(): ApiError {
  return badRequest('draft_task_id', 'draft_task_id must be the id (ldtask_…) of one of your own completed draft tasks (created with draft=true on the same model); no such task was found.', 'draft_task_not_found');
}

export function modelNotFound(model: string, status = 404, suggestion?: string): ApiError {
  const extras: ErrorExtras = suggestion ? { did_you_mean: suggestion } : {};
  const hint = suggestion ? ` Did you mean '${suggestion}'? ` : ' ';
  return new ApiError(status, 'invalid_request_error', 'model_not_found', `Model '${model}' not found.${hint}List models with GET /v1/models.`.replace(/\s+$/, ''), 'model', extras);
}
