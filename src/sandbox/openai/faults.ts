/** The simulator's API calls, so a fault can target just one of them. */
export type OpenAIRoute = 'create' | 'retrieve' | 'content' | 'list' | 'delete';

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
  reset(): void;
}

export const DEFAULT_JOB_ERROR: VideoError = { code: 'internal_error', message: 'Video generation failed due to an internal error. Please try again.' };
export const MODERATION_ERROR: VideoError = {
  code: 'moderation_blocked',
  message: 'The generated video was blocked by our moderation system because it may violate our usage policies.',
};

interface RequestFault {
  status: 429 | 500 | 503;
  remaining: number;
  only?: OpenAIRoute;
  retryAfterSeconds?: number;
}

export class FaultState implements OpenAIFaultControls {
  latencyMs = 0;
  private requestFaults: RequestFault[] = [];
  private jobFaults: JobOutcome[] = [];

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: OpenAIRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: 429, remaining: count, ...opts });
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: OpenAIRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: opts.status ?? 503, remaining: count, only: opts.only });
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNextJob(error: Partial<VideoError> = {}): void {
    this.jobFaults.push({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error } });
  }

  moderateNextJob(): void {
    this.jobFaults.push({ kind: 'fail', error: MODERATION_ERROR });
  }

  hangNextJob(): void {
    this.jobFaults.push({ kind: 'hang' });
  }

  reset(): void {
    this.latencyMs = 0;
    this.requestFaults = [];
    this.jobFaults = [];
  }

  takeRequestFault(route: OpenAIRoute): { status: 429 | 500 | 503; retryAfterSeconds?: number } | undefined {
    const fault = this.requestFaults.find((f) => !f.only || f.only === route);
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.requestFaults.splice(this.requestFaults.indexOf(fault), 1);
    return { status: fault.status, retryAfterSeconds: fault.retryAfterSeconds };
  }

  takeJobOutcome(): JobOutcome {
    return this.jobFaults.shift() ?? { kind: 'success' };
  }
}

/** Black-box hooks: markers in the prompt pick the job's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  if (prompt.includes('[sim:fail]')) return { kind: 'fail', error: DEFAULT_JOB_ERROR };
  if (prompt.includes('[sim:policy]')) return { kind: 'fail', error: MODERATION_ERROR };
  if (prompt.includes('[sim:hang]')) return { kind: 'hang' };
  return undefined;
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 429 | 503 | 'policy' | undefined {
  if (prompt.includes('[sim:policy-create]')) return 'policy';
  if (prompt.includes('[sim:429]')) return 429;
  for (const [marker, status] of [['[sim:429-once]', 429], ['[sim:503-once]', 503]] as const) {
    if (prompt.includes(marker) && !seenOnce.has(`${marker}${prompt}`)) {
      seenOnce.add(`${marker}${prompt}`);
      return status;
    }
  }
  return undefined;
}
