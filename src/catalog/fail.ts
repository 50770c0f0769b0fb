import { badRequest, type ApiError } from '../contract/errors.js';
import type { ModelSpec } from './types.js';

/** A per-model 400: invalid_request_error naming the param, the model and what is allowed. */
export function fail(param: string, message: string, code: string, spec: ModelSpec, extras: Record<string, unknown> = {}): ApiError {
  return badRequest(param, message, code, { model: spec.id, ...extras });
}
