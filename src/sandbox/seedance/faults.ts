import { firstMarker, onceMarkerFault, StatusFaultCore } from '../common/faults.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type SeedanceRoute = 'create' | 'poll' | 'cancel' | 'list';

export interface TaskFailure {
  code: string;
  message: string;
}

/** How a task ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; error: TaskFailure } | { kind: 'hang' } | { kind: 'queue' } | { kind: 'expire' };

/** Test hooks to make the simulator misbehave like the real upstream does on a bad day. */
export interface SeedanceFaultControls {
  /** The next `count` API calls (optionally only one route) answer 429 with Retry-After. */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: SeedanceRoute }): void;
  /** The next `count` API calls (optionally only one route) answer 500 InternalServiceError or 503 ServerOverloaded. */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: SeedanceRoute }): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next accepted task ends `failed` with this error (default InternalServiceError). */
  failNextJob(error?: Partial<TaskFailure>): void;
  /** The next accepted task fails with OutputVideoSensitiveContentDetected. */
  policyNextJob(): void;
  /** The next accepted task runs forever. */
  hangNextJob(): void;
  /** The next accepted task stays `queued` until it is cancelled. */
  holdNextJobQueued(): void;
  /** The next accepted task ends `expired` (execution_expires_after passed while queued). */
  expireNextJob(): void;
  /** Forget every pending fault and the latency. */
  /** The upstream stops serving model `id`: creates are refused as for an unknown model, and a model list drops it. */
  retireModel(id: string): void;
  reset(): void;
}

export const DEFAULT_JOB_ERROR: TaskFailure = {
  code: 'InternalServiceError',
  message: 'The service encountered an unexpected internal error while generating the video.',
};

export const OUTPUT_POLICY_ERROR: TaskFailure = {
  code: 'OutputVideoSensitiveContentDetected',
  message: 'The request failed because the output video may contain sensitive information.',
};

export class FaultState extends StatusFaultCore<SeedanceRoute, JobOutcome> implements SeedanceFaultControls {
  failNextJob(error: Partial<TaskFailure> = {}): void {
    this.queueJobOutcome({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error } });
  }

  policyNextJob(): void {
    this.queueJobOutcome({ kind: 'fail', error: OUTPUT_POLICY_ERROR });
  }

  holdNextJobQueued(): void {
    this.queueJobOutcome({ kind: 'queue' });
  }

  expireNextJob(): void {
    this.queueJobOutcome({ kind: 'expire' });
  }
}

/** Black-box hooks: markers in the prompt pick the task's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  return firstMarker<JobOutcome>(prompt, [
    ['[sim:fail]', { kind: 'fail', error: DEFAULT_JOB_ERROR }],
    ['[sim:policy-output]', { kind: 'fail', error: OUTPUT_POLICY_ERROR }],
    ['[sim:hang]', { kind: 'hang' }],
    ['[sim:queue]', { kind: 'queue' }],
    ['[sim:expire]', { kind: 'expire' }],
  ]);
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 429 | 503 | 'policy' | 'moderation-down' | undefined {
  if (prompt.includes('[sim:policy]')) return 'policy';
  if (prompt.includes('[sim:moderation-down]')) return 'moderation-down';
  if (prompt.includes('[sim:429]')) return 429;
  return onceMarkerFault(prompt, seenOnce, 429, 503);
}
