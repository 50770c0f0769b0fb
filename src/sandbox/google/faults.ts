import { firstMarker, onceMarkerFault, exceptUnlessTargeted, StatusFaultCore } from '../common/faults.js';
import type { OperationError } from './errors.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type GoogleRoute = 'create' | 'poll' | 'download' | 'models';

/** How a job ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; error: OperationError } | { kind: 'rai'; reasons: string[] } | { kind: 'hang' };

/** Test hooks to make the simulator misbehave like the real upstream does on a bad day. */
export interface FaultControls {
  /** The next `count` API calls (optionally only one route) answer 429 RESOURCE_EXHAUSTED. */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: GoogleRoute }): void;
  /** The next `count` API calls (optionally only one route) answer 500 INTERNAL or 503 UNAVAILABLE. */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: GoogleRoute }): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next accepted job ends with done:true + error (default 13 INTERNAL). */
  failNextJob(error?: Partial<OperationError>): void;
  /** The next accepted job ends done:true with raiMediaFilteredCount/Reasons and no samples. */
  raiFilterNextJob(reasons?: string[]): void;
  /** The next accepted job never finishes. */
  hangNextJob(): void;
  /** The model is shut down from now on: creates answer 404 NOT_FOUND and models.list omits it. */
  retireModel(id: string): void;
  /** Forget every pending fault and the latency. */
  reset(): void;
}

export const DEFAULT_JOB_ERROR: OperationError = {
  code: 13,
  message: 'Video generation failed due to an internal error. You have not been charged for this request. Please try again.',
  status: 'INTERNAL',
};

export const DEFAULT_RAI_REASONS = [
  'We encountered an issue with the audio for your prompt. You have not been charged for this request. Please try changing your prompt or contact support if the issue persists. Support codes: 64151117',
];

/** FaultControls plus the simulator-side consumers of the queued faults. */
export class FaultState extends StatusFaultCore<GoogleRoute, JobOutcome> implements FaultControls {
  constructor() {
    // The model list is read in the background by the gateway: only a fault aimed at it hits it.
    super(503, exceptUnlessTargeted<GoogleRoute>('models'));
  }

  failNextJob(error: Partial<OperationError> = {}): void {
    this.queueJobOutcome({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error } });
  }

  raiFilterNextJob(reasons: string[] = DEFAULT_RAI_REASONS): void {
    this.queueJobOutcome({ kind: 'rai', reasons });
  }
}

/** Black-box hooks: markers in the prompt pick the job's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  return firstMarker<JobOutcome>(prompt, [
    ['[sim:fail]', { kind: 'fail', error: DEFAULT_JOB_ERROR }],
    ['[sim:rai]', { kind: 'rai', reasons: DEFAULT_RAI_REASONS }],
    ['[sim:hang]', { kind: 'hang' }],
  ]);
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 429 | 503 | undefined {
  if (prompt.includes('[sim:429]')) return 429;
  return onceMarkerFault(prompt, seenOnce, 429, 503);
}
