import type { UpstreamErrorKind } from '../providers/types.js';

/** The steps of a task's life that call out and may fail. */
export type Step = 'submit' | 'lookup' | 'poll' | 'finish';

/**
 * Why a step failed: an upstream error kind (see providers/types.ts), an input we could not fetch,
 * the finished output we could not download, our own blob store out of reach, or our own bug.
 */
export type FailureKind = UpstreamErrorKind | 'input_fetch' | 'input_invalid' | 'download' | 'storage' | 'internal';

/**
 * What to do about a failure:
 * - `retry`: the same step again after a backoff (the provider's Retry-After honoured), until the
 *   attempts run out, then fail;
 * - `persist`: the same, for as long as the job may still run (its model's maximum runtime);
 * - `requeue`: back to pending and submit again later (only where the upstream certainly did not act);
 * - `lookup`: the create may have landed; ask the provider by our reference instead of resending;
 * - `fail`: now.
 */
export type RetryAction = 'retry' | 'persist' | 'requeue' | 'lookup' | 'fail';

const FAIL: Record<FailureKind, RetryAction> = {
  rate_limited: 'fail',
  unavailable: 'fail',
  timeout: 'fail',
  ambiguous: 'fail',
  invalid_input: 'fail',
  content_policy: 'fail',
  auth: 'fail',
  quota: 'fail',
  not_found: 'fail',
  model_retired: 'fail',
  input_fetch: 'fail',
  input_invalid: 'fail',
  download: 'fail',
  storage: 'fail',
  internal: 'fail',
};

/** The retry policy, in one table: (step, failure kind) → action. Anything unlisted fails. */
export const RETRY_POLICY: Record<Step, Record<FailureKind, RetryAction>> = {
  submit: {
    ...FAIL,
    // 429 and 5xx/refused connects mean the upstream did not take the job: safe to send again.
    rate_limited: 'requeue',
    unavailable: 'requeue',
    // The job may exist upstream: never resend blindly (it would be created and billed twice).
    timeout: 'lookup',
    ambiguous: 'lookup',
    // An input URL that did not answer may be a passing network fault.
    input_fetch: 'requeue',
  },
  lookup: { ...FAIL, rate_limited: 'retry', unavailable: 'retry', timeout: 'retry', ambiguous: 'retry', not_found: 'retry', auth: 'retry', quota: 'retry', internal: 'retry' },
  // Reading a job's status changes nothing upstream: a transient error never fails the task (the
  // job keeps running), a permanent-looking one is asked again a few times before giving up.
  poll: {
    ...FAIL,
    rate_limited: 'persist',
    unavailable: 'persist',
    timeout: 'persist',
    ambiguous: 'persist',
    invalid_input: 'retry',
    content_policy: 'retry',
    auth: 'retry',
    quota: 'retry',
    not_found: 'retry',
    internal: 'retry',
  },
  // Our blob store being down is never the task's fault: storing waits for it to come back.
  finish: { ...FAIL, storage: 'persist', download: 'retry', rate_limited: 'retry', unavailable: 'retry', timeout: 'retry', ambiguous: 'retry', internal: 'retry' },
};

/**
 * Which failures of a create let the same submission try the next channel at once: those where the
 * upstream certainly did not create the job (429, 5xx, refused connection), and refusals of this
 * channel's credential or account rather than of the request (another key may be allowed, another
 * account may have credit; a 404 on create is a channel pointed at the wrong place). Never a
 * timeout or an ambiguous answer (the job may exist), nor a refusal of the request itself (invalid
 * input, content policy), nor a retired model (the provider's decision, not the account's): another
 * channel would refuse it too, or worse, create it twice.
 */
export const SUBMIT_FAILOVER: Record<FailureKind, boolean> = {
  rate_limited: true,
  unavailable: true,
  auth: true,
  quota: true,
  not_found: true,
  model_retired: false,
  timeout: false,
  ambiguous: false,
  invalid_input: false,
  content_policy: false,
  input_fetch: false,
  input_invalid: false,
  download: false,
  storage: false,
  internal: false,
};

/** Exponential backoff with full jitter for transient errors: base·2^attempt, capped. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A provider's Retry-After (or poll hint) is honoured up to an hour: a huge value must not park a task for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;
export function honouredRetryAfterMs(retryAfterSeconds: number | undefined): number {
  return Math.min(Math.max(0, retryAfterSeconds ?? 0) * 1000, MAX_RETRY_AFTER_MS);
}
