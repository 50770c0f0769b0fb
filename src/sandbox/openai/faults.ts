import { firstMarker, onceMarkerFault, exceptUnlessTargeted, StatusFaultCore } from '../common/faults.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type OpenAIRoute = 'create' | 'retrieve' | 'content' | 'list' | 'delete' | 'models';

/** A failed Video's `error` (`VideoCreateError`). */
export interface VideoError {
  code: string;
  message: string;
}

/** How a job ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; error: VideoError } | { kind: 'hang' };

/** Test hooks to make the simulator misbehave like the real upstream does on a bad day. */
export interface OpenAIFaultControls {
  /** The next `count` API calls (optionally only one route) answer 429 rate_limit_exceeded with Retry-After. */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: OpenAIRoute }): void;
  /** The next `count` API calls (optionally only one route) answer 500 or 503 server_error. */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: OpenAIRoute }): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next accepted job ends `failed` with this error (default internal_error). */
  failNextJob(error?: Partial<VideoError>): void;
  /** The next accepted job ends `failed` with code moderation_blocked (output moderation). */
  moderateNextJob(): void;
  /** The next accepted job never finishes (stays in_progress). */
  hangNextJob(): void;
  /** Forget every pending fault and the latency. */
  /** The upstream stops serving model `id`: creates are refused as for an unknown model, and a model list drops it. */
  retireModel(id: string): void;
  reset(): void;
}

export const DEFAULT_JOB_ERROR: VideoError = { code: 'internal_error', message: 'Video generation failed due to an internal error. Please try again.' };
export const MODERATION_ERROR: VideoError = {
  code: 'moderation_blocked',
  message: 'The generated video was blocked by our moderation system because it may violate our usage policies.',
};

export class FaultState extends StatusFaultCore<OpenAIRoute, JobOutcome> implements OpenAIFaultControls {
  constructor() {
    // The model list is read in the background by the gateway: only a fault aimed at it hits it.
    super(503, exceptUnlessTargeted<OpenAIRoute>('models'));
  }

  failNextJob(error: Partial<VideoError> = {}): void {
    this.queueJobOutcome({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error } });
  }

  moderateNextJob(): void {
    this.queueJobOutcome({ kind: 'fail', error: MODERATION_ERROR });
  }
}

/** Black-box hooks: markers in the prompt pick the job's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  return firstMarker<JobOutcome>(prompt, [
    ['[sim:fail]', { kind: 'fail', error: DEFAULT_JOB_ERROR }],
    ['[sim:policy]', { kind: 'fail', error: MODERATION_ERROR }],
    ['[sim:hang]', { kind: 'hang' }],
  ]);
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 429 | 503 | 'policy' | undefined {
  if (prompt.includes('[sim:policy-create]')) return 'policy';
  if (prompt.includes('[sim:429]')) return 429;
  return onceMarkerFault(prompt, seenOnce, 429, 503);
}
