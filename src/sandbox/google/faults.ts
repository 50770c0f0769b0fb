import type { OperationError } from './errors.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type GoogleRoute = 'create' | 'poll' | 'download';

/** How a job ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome =
  | { kind: 'success' }
  | { kind: 'fail'; error: OperationError }
  | { kind: 'rai'; reasons: string[] }
  | { kind: 'hang' };

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
  /** Forget every pending fault and the latency. */
  reset(): void;
}

export const DEFAULT_JOB_ERROR: OperationError = {
  code: 13,
  message: 'Video generation failed due to an internal error. You have not been charged for this request. Please try again.',
  status: 'INTERNAL',
};

export const DEFAULT_RAI_REASONS = [
  "We encountered an issue with the audio for your prompt. You have not been charged for this request. Please try changing your prompt or contact support if the issue persists. Support codes: 64151117",
];

interface RequestFault {
  status: 429 | 500 | 503;
  remaining: number;
  only?: GoogleRoute;
  retryAfterSeconds?: number;
}

/** FaultControls plus the simulator-side consumers of the queued faults. */
export class FaultState implements FaultControls {
  latencyMs = 0;
  private requestFaults: RequestFault[] = [];
  private jobFaults: JobOutcome[] = [];

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: GoogleRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: 429, remaining: count, ...opts });
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: GoogleRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: opts.status ?? 503, remaining: count, only: opts.only });
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNextJob(error: Partial<OperationError> = {}): void {
    this.jobFaults.push({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error } });
  }

  raiFilterNextJob(reasons: string[] = DEFAULT_RAI_REASONS): void {
    this.jobFaults.push({ kind: 'rai', reasons });
  }

  hangNextJob(): void {
    this.jobFaults.push({ kind: 'hang' });
  }

  reset(): void {
    this.latencyMs = 0;
    this.requestFaults = [];
    this.jobFaults = [];
  }

  /** Consume the first queued request fault that applies to this route, if any. */
  takeRequestFault(route: GoogleRoute): { status: 429 | 500 | 503; retryAfterSeconds?: number } | undefined {
    const fault = this.requestFaults.find((f) => !f.only || f.only === route);
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.requestFaults.splice(this.requestFaults.indexOf(fault), 1);
    return { status: fault.status, retryAfterSeconds: fault.retryAfterSeconds };
  }

  /** Consume the next queued job fault (FIFO), or plain success. */
  takeJobOutcome(): JobOutcome {
    return this.jobFaults.shift() ?? { kind: 'success' };
  }
}

/** Black-box hooks: markers in the prompt pick the job's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  if (prompt.includes('[sim:fail]')) return { kind: 'fail', error: DEFAULT_JOB_ERROR };
  if (prompt.includes('[sim:rai]')) return { kind: 'rai', reasons: DEFAULT_RAI_REASONS };
  if (prompt.includes('[sim:hang]')) return { kind: 'hang' };
  return undefined;
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 429 | 503 | undefined {
  if (prompt.includes('[sim:429]')) return 429;
  for (const [marker, status] of [['[sim:429-once]', 429], ['[sim:503-once]', 503]] as const) {
    if (prompt.includes(marker) && !seenOnce.has(`${marker}${prompt}`)) {
      seenOnce.add(`${marker}${prompt}`);
      return status;
    }
  }
  return undefined;
}
