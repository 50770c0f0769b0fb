import { retirementMessage } from '../catalog/lifecycle.js';
import type { ModelSpec } from '../catalog/types.js';
import { UpstreamError, type TaskError } from '../providers/types.js';
import type { Failure } from './transitions.js';

/** Our public error code for an upstream refusal, by kind; the adapter's message says the rest. */
const UPSTREAM_CODES: Record<UpstreamError['kind'], string> = {
  rate_limited: 'upstream_rate_limited',
  unavailable: 'upstream_unavailable',
  timeout: 'timeout_error',
  ambiguous: 'upstream_error',
  invalid_input: 'invalid_request',
  content_policy: 'content_policy_violation',
  auth: 'upstream_auth_failed',
  quota: 'upstream_quota_exceeded',
  not_found: 'upstream_not_found',
  model_retired: 'model_retired',
};

export function taskErrorFromUpstream(err: UpstreamError, model?: ModelSpec): TaskError {
  // The upstream refused the model itself: name the catalog's replacement.
  if (err.kind === 'model_retired') return { code: 'model_retired', message: retirementMessage(model, err.message) };
  return { code: UPSTREAM_CODES[err.kind], message: err.message };
}

const INTERNAL: Failure = { kind: 'internal', code: 'internal_error', message: 'The gateway hit an internal error while processing this task.' };

/**
 * Classifies whatever a step threw: an upstream error by its kind, an input problem by its media
 * code (a fetch that failed may be retried; a bad input may not), anything else as ours — said
 * without internals.
 */
export function failureFromError(err: unknown, model?: ModelSpec): Failure {
  if (err instanceof UpstreamError) return { kind: err.kind, ...taskErrorFromUpstream(err, model), retryAfterSeconds: err.retryAfterSeconds };
  if (err instanceof Error && err.name === 'MediaError' && typeof (err as Error & { code?: unknown }).code === 'string') {
    const code = (err as Error & { code: string }).code;
    return { kind: code === 'input_fetch_failed' ? 'input_fetch' : 'input_invalid', code, message: err.message };
  }
  return INTERNAL;
}
