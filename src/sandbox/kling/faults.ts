import { exceptUnlessTargeted, FaultCore, firstMarker, onceMarkerFault } from '../common/faults.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type KlingRoute = 'create' | 'poll' | 'element' | 'download';

export const DEFAULT_FAIL_MESSAGE = 'Video generation failed due to an internal error, please try again later';
export const DEFAULT_POLICY_MESSAGE = 'Failure to pass the risk control system: the generated content may violate the content security policy';

/** How a task ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; message: string } | { kind: 'hang' };

/** An error reply to answer instead of the real one (HTTP 200 + non-zero code is allowed: Kling does that). */
export interface InjectedError {
  httpStatus: number;
  code: number;
  message: string;
  retryAfterSeconds?: number;
}

/** Test hooks to make the simulator misbehave like Kling does on a bad day. */
export interface KlingFaultControls {
  /** The next `count` API calls answer 429 with code 1303 (concurrency) or 1302 (frequency), plus Retry-After. */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; code?: 1302 | 1303; only?: KlingRoute }): void;
  /** The next `count` API calls answer 500/5000, 503/5001 or 504/5002 (default 503). */
  serverErrorNext(count: number, opts?: { status?: 500 | 503 | 504; only?: KlingRoute }): void;
  /** The next `count` API calls answer this envelope, e.g. {httpStatus: 429, code: 1102} (pack used up). */
  errorNext(count: number, error: InjectedError & { only?: KlingRoute }): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next accepted task ends `failed` with this task_status_msg. */
  failNextJob(message?: string): void;
  /** The next accepted task ends `failed` with a risk-control task_status_msg. */
  policyFailNextJob(message?: string): void;
  /** The next accepted task never finishes. */
  hangNextJob(): void;
  /** Forget every pending fault and the latency. */
  /** The upstream stops serving model `id`: creates are refused as for an unknown model, and a model list drops it. */
  retireModel(id: string): void;
  reset(): void;
}

export class KlingFaultState extends FaultCore<KlingRoute, InjectedError, JobOutcome> implements KlingFaultControls {
  constructor(private readonly defaultRetryAfter: number) {
    // Untargeted faults hit API calls only: result downloads are faulted when asked for explicitly.
    super(exceptUnlessTargeted<KlingRoute>('download'));
  }

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; code?: 1302 | 1303; only?: KlingRoute } = {}): void {
    const code = opts.code ?? 1303;
    const message = code === 1303 ? 'parallel task over resource pack limit' : 'The API request is too fast, please slow down the request frequency';
    this.errorNext(count, { httpStatus: 429, code, message, retryAfterSeconds: opts.retryAfterSeconds ?? this.defaultRetryAfter, only: opts.only });
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503 | 504; only?: KlingRoute } = {}): void {
    const status = opts.status ?? 503;
    const code = status === 500 ? 5000 : status === 503 ? 5001 : 5002;
    this.errorNext(count, { httpStatus: status, code, message: status === 503 ? 'Server temporarily unavailable' : status === 504 ? 'Server internal timeout' : 'Server internal error', only: opts.only });
  }

  errorNext(count: number, error: InjectedError & { only?: KlingRoute }): void {
    const { httpStatus, code, message, retryAfterSeconds, only } = error;
    this.queueRequestFault(count, { httpStatus, code, message, retryAfterSeconds }, only);
  }

  failNextJob(message = DEFAULT_FAIL_MESSAGE): void {
    this.queueJobOutcome({ kind: 'fail', message });
  }

  policyFailNextJob(message = DEFAULT_POLICY_MESSAGE): void {
    this.queueJobOutcome({ kind: 'fail', message });
  }
}

/** Black-box hooks: markers in the prompt pick the task's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  return firstMarker<JobOutcome>(prompt, [
    ['[sim:fail]', { kind: 'fail', message: DEFAULT_FAIL_MESSAGE }],
    ['[sim:policy-output]', { kind: 'fail', message: DEFAULT_POLICY_MESSAGE }],
    ['[sim:hang]', { kind: 'hang' }],
  ]);
}

/** Markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 'rate' | 'unavailable' | 'policy' | undefined {
  if (prompt.includes('[sim:429]')) return 'rate';
  if (prompt.includes('[sim:policy]')) return 'policy';
  return onceMarkerFault(prompt, seenOnce, 'rate', 'unavailable');
}
