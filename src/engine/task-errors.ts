import { retirementMessage } from '../catalog/lifecycle.js';
import type { ModelSpec } from '../catalog/types.js';
import type { TaskError, UpstreamError } from '../providers/types.js';

/** Our public error code for an upstream refusal, by kind; the adapter's message says the rest. */
export function taskErrorFromUpstream(err: UpstreamError, model?: ModelSpec): TaskError {
  // The upstream refused the model itself: name the catalog's replacement.
  if (err.kind === 'model_retired') return { code: 'model_retired', message: retirementMessage(model, err.message) };
  const code: Record<UpstreamError['kind'], string> = {
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
  return { code: code[err.kind], message: err.message };
}

/** Errors from loading inputs carry their own code (media/); anything else is ours, said without internals. */
export function taskErrorFromUnknown(err: unknown): TaskError {
  if (err instanceof Error && err.name === 'MediaError' && typeof (err as Error & { code?: unknown }).code === 'string') {
    return { code: (err as Error & { code: string }).code, message: err.message };
  }
  return { code: 'internal_error', message: 'The gateway hit an internal error while processing this task.' };
}
