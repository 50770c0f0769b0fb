/** The simulator's calls, so a fault can target just one of them. `download` is the media host. */
export type XaiRoute = 'create' | 'poll' | 'download';

export interface JobError {
  code: string;
  message: string;
}

/** How a job ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome =
  | { kind: 'success' }
  | { kind: 'fail'; error: JobError }
  | { kind: 'moderated' }
  | { kind: 'expire' }
  | { kind: 'hang' };

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
  /** Forget every pending fault and the latency. */
  reset(): void;
}

export const DEFAULT_JOB_ERROR: JobError = {
  code: 'internal_error',
  message: 'Video generation failed due to an internal error. You have not been charged for this request. Please try again.',
};

interface RequestFault {
  status: 429 | 500 | 503;
  remaining: number;
  only?: XaiRoute;
  retryAfterSeconds?: number;
}

export class XaiFaultState implements XaiFaultControls {
  latencyMs = 0;
  private requestFaults: RequestFault[] = [];
  private jobFaults: JobOutcome[] = [];

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: XaiRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: 429, remaining: count, ...opts });
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: XaiRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: opts.status ?? 503, remaining: count, only: opts.only });
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNextJob(error: Partial<JobError> = {}): void {
    this.jobFaults.push({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error } });
  }

  moderateNextJob(): void {
    this.jobFaults.push({ kind: 'moderated' });
  }

  expireNextJob(): void {
    this.jobFaults.push({ kind: 'expire' });
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
  takeRequestFault(route: XaiRoute): { status: 429 | 500 | 503; retryAfterSeconds?: number } | undefined {
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
  if (prompt.includes('[sim:policy]')) return { kind: 'moderated' };
  if (prompt.includes('[sim:expire]')) return { kind: 'expire' };
  if (prompt.includes('[sim:hang]')) return { kind: 'hang' };
  return undefined;
}

/** Markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 429 | 503 | 'policy' | undefined {
  if (prompt.includes('[sim:429]')) return 429;
  if (prompt.includes('[sim:policy-create]')) return 'policy';
  for (const [marker, status] of [['[sim:429-once]', 429], ['[sim:503-once]', 503]] as const) {
    if (prompt.includes(marker) && !seenOnce.has(`${marker}${prompt}`)) {
      seenOnce.add(`${marker}${prompt}`);
      return status;
    }
  }
  return undefined;
}
