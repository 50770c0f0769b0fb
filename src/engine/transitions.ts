import { usdString } from '../catalog/pricing.js';
import { settledUsd } from '../contract/money.js';
import type { BudgetRefusal, TaskFailure, TaskTransition, TaskVideo } from '../store/types.js';
import { backoffMs, honouredRetryAfterMs, RETRY_POLICY, type FailureKind, type Step } from './retry-policy.js';
import { callbackRecheckMs, nextPollDelayMs, sparsePollDelayMs } from './schedule.js';

/**
 * The task state machine as pure functions: (state, event) → the next state, the fields to write
 * and when the next step runs. The lanes (submit, poll, finish) do the I/O, turn what happened into
 * one of these events and commit the decision; nothing here reads a clock or the network.
 */

/** A failed step, classified. `code`/`message` are what the task shows if it fails for it. */
export interface Failure {
  kind: FailureKind;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

/** Everything a decision may depend on besides the event. */
export interface DecisionContext {
  now: number;
  /** Attempts already made of the current step. */
  attempts: number;
  maxAttempts: number;
  /** The provider can look a job up by our reference (crash recovery without resending). */
  canLookup: boolean;
  /** The model's typical job time, and the factor the sandbox shrinks time by. */
  typicalSeconds: number;
  pollScale: number;
  /** The upstream calls back when the job ends: polls are a sparse fallback. */
  callbacks?: boolean;
  /** When the job was submitted, and how long it may run before we give up on it. */
  submittedMs: number;
  maxRuntimeMs: number;
  random?: () => number;
}

export type SubmitEvent = { type: 'submitted'; upstreamId: string } | { type: 'failed'; failure: Failure };

/** A submission found in flight with its holder gone: what asking the provider by our reference said. */
export type RecoveryEvent = { type: 'found'; upstreamId: string } | { type: 'absent' } | { type: 'failed'; failure: Failure } | { type: 'no_lookup' };

export type PollEvent =
  | { type: 'running'; progress?: number; retryAfterSeconds?: number; calledBack?: boolean }
  | { type: 'succeeded'; outputs: unknown[] }
  | { type: 'upstream_failed'; error: TaskFailure }
  | { type: 'upstream_cancelled' }
  | { type: 'failed'; failure: Failure };

/**
 * Why a submission is refused before anything is sent upstream (nothing is charged): its source
 * video is longer than the model takes or cannot be read, the budget cannot cover what its source
 * really costs, or it names a task of ours it may not use.
 */
export type RefusalEvent =
  | { type: 'source_too_long'; model: string; seconds: number; maxSeconds: number }
  | { type: 'source_unplayable' }
  | { type: 'over_budget'; refusal: BudgetRefusal; seconds: number; estimateUsd: number; reservedUsd: number }
  | { type: 'reference_not_found'; error: TaskFailure }
  /** No configured channel can take it any more (configuration changed since the create). */
  | { type: 'no_channel'; reason: string };

export type FinishEvent =
  /** `reservedUsd`: what the task holds; it is never charged more. */
  { type: 'stored'; video: TaskVideo; costUsd: number; reservedUsd: number } | { type: 'unplayable' } | { type: 'failed'; failure: Failure };

/** Before any step: a task whose provider has no route any more, or whose job ran out of time. */
export function noChannel(from: TaskTransition['from'], provider: string): TaskTransition {
  return fail(from, { code: 'all_channels_failed', message: `No channel is configured for provider '${provider}'.` });
}

/** A task pinned to a channel that is no longer configured (removed before a restart): its job cannot be reached. */
export function pinnedChannelGone(from: TaskTransition['from'], channelId: string): TaskTransition {
  return fail(from, {
    code: 'all_channels_failed',
    message: `This task was submitted through channel '${channelId}', which is no longer configured, so its upstream job cannot be reached. Restore the channel (same id and credentials) or create a new task.`,
  });
}

/** No channel could take the submission now (all busy, rate-limited or with an open breaker): pending again, no attempt spent. */
export function waitForChannel(ctx: DecisionContext, waitMs: number): TaskTransition {
  return { from: 'submitting', to: 'pending', next: { lane: 'submit', due_ms: ctx.now + Math.max(50, waitMs), attempts: ctx.attempts } };
}

/**
 * Several channels were tried in one submission and each refused the create: one failure for the
 * retry policy, of the most hopeful kind (a transient one is retried later), coded as TokenLab's
 * `all_channels_failed` and naming what each channel said. One channel's failure stays its own.
 */
export function allChannelsFailed(model: string, tried: { channel: string; failure: Failure }[]): Failure {
  if (tried.length === 1) return tried[0].failure;
  const transient = tried.filter((t) => t.failure.kind === 'rate_limited' || t.failure.kind === 'unavailable');
  const lead = (transient.length ? transient : tried).at(-1)!.failure;
  const waits = transient.map((t) => t.failure.retryAfterSeconds).filter((s): s is number => s !== undefined);
  return {
    kind: lead.kind,
    code: 'all_channels_failed',
    message: `Every channel serving '${model}' refused the create: ${tried.map((t) => `${t.channel}: ${t.failure.message}`).join('; ')}`,
    retryAfterSeconds: waits.length ? Math.min(...waits) : undefined,
  };
}

export function overdue(maxRuntimeMs: number): TaskTransition {
  return fail('processing', { code: 'timeout_error', message: `The upstream job did not finish within ${Math.round(maxRuntimeMs / 1000)} s; the task was stopped.` });
}

export function fail(from: TaskTransition['from'], error: TaskFailure, extra: TaskTransition['patch'] = {}): TaskTransition {
  return { from, to: 'failed', patch: { error, progress: null, ...extra }, next: null };
}

function retryDelay(ctx: DecisionContext, retryAfterSeconds?: number): number {
  return Math.max(backoffMs(ctx.attempts, 1000, 60_000, ctx.random), honouredRetryAfterMs(retryAfterSeconds));
}

/** When to poll next, `elapsedMs` after submission: adaptive, or a sparse fallback where callbacks come. */
function pollDelay(ctx: DecisionContext, elapsedMs: number, retryAfterSeconds?: number): number {
  return (ctx.callbacks ? sparsePollDelayMs : nextPollDelayMs)(elapsedMs, ctx.typicalSeconds, ctx.pollScale, retryAfterSeconds);
}

/** The first poll: sparse, proportional to the model's typical time. */
function firstPoll(ctx: DecisionContext): number {
  return ctx.now + pollDelay(ctx, 0);
}

/** Never later than the max-runtime deadline (plus a second), so a wedged job fails on time. */
function capToDeadline(ctx: DecisionContext, at: number): number {
  return Math.min(at, ctx.submittedMs + ctx.maxRuntimeMs + 1000);
}

const INTERRUPTED = (why: string): TaskFailure => ({
  code: 'submission_interrupted',
  message: `The gateway lost track of this task's submission (a restart or a broken connection)${why}, so it was not sent again (to avoid a duplicate charge). Create a new task to try again.`,
});

/** The last of a step's retries failed: the upstream's reason, and that the gateway has stopped trying. */
function exhausted(failure: TaskFailure, attempts: number): TaskFailure {
  return { code: failure.code, message: `${failure.message} The gateway gave up after ${attempts} attempts; create a new task to try again.` };
}

/** Failures of a step, through the retry-policy table. */
function onFailure(step: Step, from: TaskTransition['from'], failure: Failure, ctx: DecisionContext, lane: 'submit' | 'poll' | 'finish'): TaskTransition {
  const action = RETRY_POLICY[step][failure.kind];
  const more = ctx.attempts + 1 < ctx.maxAttempts;
  const asFailure = { code: failure.code, message: failure.message };
  switch (action) {
    case 'requeue':
      if (!more) return fail(from, exhausted(asFailure, ctx.attempts + 1));
      return { from, to: 'pending', next: { lane: 'submit', due_ms: ctx.now + retryDelay(ctx, failure.retryAfterSeconds), attempts: ctx.attempts + 1 } };
    case 'lookup':
      if (!ctx.canLookup) {
        return fail(
          from,
          failure.kind === 'timeout'
            ? { code: 'timeout_error', message: 'The upstream did not answer the submission in time; it was not retried to avoid creating the job twice. Create a new task to try again.' }
            : { code: 'submission_interrupted', message: 'The connection to the upstream broke after the submission was sent, so it was not sent again (to avoid a duplicate charge). Create a new task to try again.' },
        );
      }
      // Still submitting: recovery asks the provider by our reference shortly.
      return { from, to: from, next: { lane: 'submit', due_ms: ctx.now + retryDelay(ctx), attempts: ctx.attempts + 1 } };
    case 'retry':
    case 'persist': {
      if (action === 'retry' && !more) return fail(from, step === 'lookup' ? INTERRUPTED(' and the provider could not tell whether it had received it') : exhausted(asFailure, ctx.attempts + 1));
      // With attempts left, a bounded retry waits like a patient one.
      const due = ctx.now + retryDelay(ctx, failure.retryAfterSeconds);
      return { from, to: from, next: { lane, due_ms: lane === 'poll' ? capToDeadline(ctx, due) : due, attempts: ctx.attempts + 1 } };
    }
    case 'fail':
      return fail(from, asFailure);
  }
}

/** submitting → processing, or back to pending, or a lookup later, or failed. */
export function afterSubmit(event: SubmitEvent, ctx: DecisionContext): TaskTransition {
  if (event.type === 'submitted') {
    return { from: 'submitting', to: 'processing', patch: { upstream_id: event.upstreamId, submitted_ms: ctx.now }, next: { lane: 'poll', due_ms: firstPoll(ctx), attempts: 0 } };
  }
  return onFailure('submit', 'submitting', event.failure, ctx, 'submit');
}

const usd = (n: number) => `$${usdString(n)}`;

/** submitting → failed, before the upstream was asked for anything. */
export function refuseSubmission(event: RefusalEvent): TaskTransition {
  switch (event.type) {
    case 'source_too_long':
      return fail('submitting', {
        code: 'source_too_long',
        message: `video_url is ${event.seconds.toFixed(1)} s long; ${event.model} takes sources of at most ${event.maxSeconds} s (its output is as long as its source). Trim the video and create a new task. Nothing was charged.`,
      });
    case 'source_unplayable':
      return fail('submitting', { code: 'invalid_request', message: 'video_url is not a playable video (it could not be probed). Send an MP4, MOV or MKV file.' });
    case 'over_budget': {
      const r = event.refusal;
      const costs = `The source video is ${event.seconds.toFixed(1)} s long, so this task costs ${usd(event.estimateUsd)} (${usd(event.reservedUsd)} is reserved for it)`;
      const after = 'Nothing was sent upstream and nothing was charged.';
      return r.kind === 'insufficient_balance'
        ? fail('submitting', { code: 'insufficient_balance', message: `${costs}, and the key's balance has only ${usd(r.availableUsd)} more available. ${after} Top up the balance or send a shorter video.` })
        : fail('submitting', {
            code: 'quota_exceeded',
            message: `${costs}, and only ${usd(r.remainingUsd)} of the key's ${usd(r.limitUsd)} spend limit remains. ${after} Ask an admin to raise the limit or send a shorter video.`,
          });
    }
    case 'reference_not_found':
      return fail('submitting', event.error);
    case 'no_channel':
      return fail('submitting', { code: 'all_channels_failed', message: `No channel can take this task: ${event.reason} Nothing was charged.` });
  }
}

/**
 * A submission interrupted by a crash: never resend blindly. Found upstream → poll that job;
 * certainly absent → pending again (sending is safe); no clear answer → ask again later, then give up.
 */
export function afterRecovery(event: RecoveryEvent, ctx: DecisionContext): TaskTransition {
  switch (event.type) {
    case 'found':
      return { from: 'submitting', to: 'processing', patch: { upstream_id: event.upstreamId, submitted_ms: ctx.now }, next: { lane: 'poll', due_ms: ctx.now, attempts: 0 } };
    case 'absent':
      return { from: 'submitting', to: 'pending', next: { lane: 'submit', due_ms: ctx.now, attempts: 0 } };
    case 'no_lookup':
      return fail('submitting', INTERRUPTED(''));
    case 'failed':
      return onFailure('lookup', 'submitting', event.failure, ctx, 'submit');
  }
}

/** processing: keep polling (sparse, then dense near the typical finish), finish, or fail. */
export function afterPoll(event: PollEvent, ctx: DecisionContext, currentProgress: number | null): TaskTransition {
  switch (event.type) {
    case 'running': {
      const elapsed = ctx.now - ctx.submittedMs;
      // A callback said the job ended, yet the upstream still reads running: ask again soon, not at the sparse fallback.
      const wait = event.calledBack ? Math.max(callbackRecheckMs(ctx.pollScale), honouredRetryAfterMs(event.retryAfterSeconds)) : pollDelay(ctx, elapsed, event.retryAfterSeconds);
      const due = capToDeadline(ctx, ctx.now + wait);
      const progress = event.progress !== undefined ? Math.max(0, Math.min(99, Math.round(event.progress))) : currentProgress;
      return { from: 'processing', to: 'processing', patch: progress !== currentProgress ? { progress } : undefined, next: { lane: 'poll', due_ms: due, attempts: 0 } };
    }
    case 'succeeded':
      return { from: 'processing', to: 'finishing', patch: { outputs: event.outputs }, next: { lane: 'finish', due_ms: ctx.now, attempts: 0 } };
    case 'upstream_failed':
      return fail('processing', event.error);
    case 'upstream_cancelled':
      return fail('processing', { code: 'task_cancelled', message: 'The task was cancelled upstream.' }, { cancelled: true });
    case 'failed':
      return onFailure('poll', 'processing', event.failure, ctx, 'poll');
  }
}

/** finishing: the output is stored and probed → completed; else retried or failed. */
export function afterFinish(event: FinishEvent, ctx: DecisionContext): TaskTransition {
  switch (event.type) {
    case 'stored':
      return { from: 'finishing', to: 'completed', patch: { progress: 100, completed_ms: ctx.now, video: event.video, cost_usd: settledUsd(event.costUsd, event.reservedUsd) }, next: null };
    case 'unplayable':
      return fail('finishing', { code: 'invalid_output', message: 'The upstream returned a file that is not a playable video.' });
    case 'failed':
      return onFailure('finish', 'finishing', event.failure, ctx, 'finish');
  }
}
