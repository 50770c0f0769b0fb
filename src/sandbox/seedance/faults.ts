/** The simulator's API calls, so a fault can target just one of them. */
export type SeedanceRoute = 'create' | 'poll' | 'cancel' | 'list';

export interface TaskFailure {
  code: string;
  message: string;
}

/** How a task ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome =
  | { kind: 'success' }
  | { kind: 'fail'; error: TaskFailure }
  | { kind: 'hang' }
  | { kind: 'queue' }
  | { kind: 'expire' };

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

interface RequestFault {
  status: 429 | 500 | 503;
  remaining: number;
  only?: SeedanceRoute;
  retryAfterSeconds?: number;
}

export class FaultState implements SeedanceFaultControls {
  latencyMs = 0;
  private requestFaults: RequestFault[] = [];
  private jobFaults: JobOutcome[] = [];

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: SeedanceRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: 429, remaining: count, ...opts });
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: SeedanceRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: opts.status ?? 503, remaining: count, only: opts.only });
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNextJob(error: Partial<TaskFailure> = {}): void {
    this.jobFaults.push({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error } });
  }

  policyNextJob(): void {
    this.jobFaults.push({ kind: 'fail', error: OUTPUT_POLICY_ERROR });
  }

  hangNextJob(): void {
    this.jobFaults.push({ kind: 'hang' });
  }

  holdNextJobQueued(): void {
    this.jobFaults.push({ kind: 'queue' });
  }

  expireNextJob(): void {
    this.jobFaults.push({ kind: 'expire' });
  }

  reset(): void {
    this.latencyMs = 0;
    this.requestFaults = [];
    this.jobFaults = [];
  }

  takeRequestFault(route: SeedanceRoute): { status: 429 | 500 | 503; retryAfterSeconds?: number } | undefined {
    const fault = this.requestFaults.find((f) => !f.only || f.only === route);
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.requestFaults.splice(this.requestFaults.indexOf(fault), 1);
    return { status: fault.status, retryAfterSeconds: fault.retryAfterSeconds };
  }

  takeJobOutcome(): JobOutcome {
    return this.jobFaults.shift() ?? { kind: 'success' };
  }
}

/** Black-box hooks: markers in the prompt pick the task's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  if (prompt.includes('[sim:fail]')) return { kind: 'fail', error: DEFAULT_JOB_ERROR };
  if (prompt.includes('[sim:policy-output]')) return { kind: 'fail', error: OUTPUT_POLICY_ERROR };
  if (prompt.includes('[sim:hang]')) return { kind: 'hang' };
  if (prompt.includes('[sim:queue]')) return { kind: 'queue' };
  if (prompt.includes('[sim:expire]')) return { kind: 'expire' };
  return undefined;
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 429 | 503 | 'policy' | undefined {
  if (prompt.includes('[sim:policy]')) return 'policy';
  if (prompt.includes('[sim:429]')) return 429;
  for (const [marker, status] of [['[sim:429-once]', 429], ['[sim:503-once]', 503]] as const) {
    if (prompt.includes(marker) && !seenOnce.has(`${marker}${prompt}`)) {
      seenOnce.add(`${marker}${prompt}`);
      return status;
    }
  }
  return undefined;
}
