import { firstMarker, onceMarkerFault, exceptUnlessTargeted, StatusFaultCore } from '../common/faults.js';

/** The simulator's calls, so a fault can target just one of them. `download` is the media host. */
export type XaiRoute = 'create' | 'poll' | 'download' | 'models';

export interface JobError {
  code: string;
  message: string;
}

/** How a job ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; error: JobError } | { kind: 'moderated' } | { kind: 'expire' } | { kind: 'hang' };

/** Test hooks to make the simulator misbehave like the real upstream does on a bad day. */
export interface XaiFaultControls {
  /** The next `count` calls (optionally of one route) answer 429 with Retry-After. */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: XaiRoute }): void;
  /** The next `count` calls (optionally of one route) answer 500 or 503 (default 503). */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: XaiRoute }): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next accepted job ends `status: "failed"` with `error` (default internal_error). */
  failNextJob(error?: Partial<JobError>): void;
  /** The next accepted job ends `done` with `video.respect_moderation: false`. */
  moderateNextJob(): void;
  /** The next accepted job ends `status: "expired"`. */
  expireNextJob(): void;
  /** The next accepted job stays `pending` forever. */
  hangNextJob(): void;
  /**
   * From now on the first poll of each pending job answers 202 with an empty body, as xAI sometimes
   * does (off by default: @ai-sdk/xai before 4.0 cannot read it, vercel/ai#17435).
   */
  emptyPendingBodies(on?: boolean): void;
  /** Forget every pending fault and the latency. */
  /** The upstream stops serving model `id`: creates are refused as for an unknown model, and a model list drops it. */
  retireModel(id: string): void;
  reset(): void;
}

export const DEFAULT_JOB_ERROR: JobError = {
  code: 'internal_error',
  message: 'Video generation failed due to an internal error. You have not been charged for this request. Please try again.',
};

export class XaiFaultState extends StatusFaultCore<XaiRoute, JobOutcome> implements XaiFaultControls {
  constructor() {
    // The model list is read in the background by the gateway: only a fault aimed at it hits it.
    super(503, exceptUnlessTargeted<XaiRoute>('models'));
  }

  emptyPending = false;

  emptyPendingBodies(on = true): void {
    this.emptyPending = on;
  }

  override reset(): void {
    super.reset();
    this.emptyPending = false;
  }

  failNextJob(error: Partial<JobError> = {}): void {
    this.queueJobOutcome({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error } });
  }

  moderateNextJob(): void {
    this.queueJobOutcome({ kind: 'moderated' });
  }

  expireNextJob(): void {
    this.queueJobOutcome({ kind: 'expire' });
  }
}

/** Black-box hooks: markers in the prompt pick the job's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  return firstMarker<JobOutcome>(prompt, [
    ['[sim:fail]', { kind: 'fail', error: DEFAULT_JOB_ERROR }],
    ['[sim:policy]', { kind: 'moderated' }],
    ['[sim:expire]', { kind: 'expire' }],
    ['[sim:hang]', { kind: 'hang' }],
  ]);
}

/** Markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 429 | 503 | 'policy' | undefined {
  if (prompt.includes('[sim:429]')) return 429;
  if (prompt.includes('[sim:policy-create]')) return 'policy';
  return onceMarkerFault(prompt, seenOnce, 429, 503);
}
