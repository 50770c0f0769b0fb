import { FaultCore, firstMarker, onceMarkerFault } from '../common/faults.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type DashScopeRoute = 'create' | 'poll' | 'cancel';

export interface TaskFailure {
  code: string;
  message: string;
}

/** How a task ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; error: TaskFailure } | { kind: 'hang' };

/** Test hooks to make the simulator misbehave like DashScope does on a bad day. */
export interface DashScopeFaultControls {
  /** The next `count` calls (optionally one route) answer 429 Throttling.RateQuota (with Retry-After when given). */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: DashScopeRoute }): void;
  /** The next `count` calls (optionally one route) answer 500/503 InternalError. */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: DashScopeRoute }): void;
  /** The next `count` calls (optionally one route) answer this error ({status, code, message}), e.g. 400 Arrearage. */
  errorNext(count: number, error: { status: number; code: string; message?: string }, opts?: { only?: DashScopeRoute }): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next accepted task ends FAILED with output.code/message (default InternalError). */
  failNextJob(error?: Partial<TaskFailure>): void;
  /** The next accepted task never finishes (stays PENDING, so it can be cancelled). */
  hangNextJob(): void;
  /** The upstream stops serving model `id`: creates are refused as for an unknown model, and a model list drops it. */
  retireModel(id: string): void;
  reset(): void;
}

export const DEFAULT_TASK_FAILURE: TaskFailure = { code: 'InternalError', message: 'Video generation failed due to an internal error, please try again later.' };
export const OUTPUT_INSPECTION_FAILED: TaskFailure = { code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' };

export type TakenFault = { type: 'rate'; retryAfterSeconds?: number } | { type: 'server'; status: 500 | 503 } | { type: 'error'; status: number; code: string; message?: string };

export class FaultState extends FaultCore<DashScopeRoute, TakenFault, JobOutcome> implements DashScopeFaultControls {
  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: DashScopeRoute } = {}): void {
    this.queueRequestFault(count, { type: 'rate', retryAfterSeconds: opts.retryAfterSeconds }, opts.only);
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: DashScopeRoute } = {}): void {
    this.queueRequestFault(count, { type: 'server', status: opts.status ?? 503 }, opts.only);
  }

  errorNext(count: number, error: { status: number; code: string; message?: string }, opts: { only?: DashScopeRoute } = {}): void {
    this.queueRequestFault(count, { type: 'error', ...error }, opts.only);
  }

  failNextJob(error: Partial<TaskFailure> = {}): void {
    this.queueJobOutcome({ kind: 'fail', error: { ...DEFAULT_TASK_FAILURE, ...error } });
  }
}

export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  return firstMarker<JobOutcome>(prompt, [
    ['[sim:fail]', { kind: 'fail', error: DEFAULT_TASK_FAILURE }],
    ['[sim:policy-output]', { kind: 'fail', error: OUTPUT_INSPECTION_FAILED }],
    ['[sim:hang]', { kind: 'hang' }],
  ]);
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): '429' | '503' | 'policy' | undefined {
  if (prompt.includes('[sim:429]')) return '429';
  if (prompt.includes('[sim:policy]')) return 'policy';
  return onceMarkerFault(prompt, seenOnce, '429', '503');
}
