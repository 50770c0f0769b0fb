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
  reset(): void;
}

export const DEFAULT_TASK_FAILURE: TaskFailure = { code: 'InternalError', message: 'Video generation failed due to an internal error, please try again later.' };
export const OUTPUT_INSPECTION_FAILED: TaskFailure = { code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' };

export type TakenFault =
  | { type: 'rate'; retryAfterSeconds?: number }
  | { type: 'server'; status: 500 | 503 }
  | { type: 'error'; status: number; code: string; message?: string };

type RequestFault = TakenFault & { remaining: number; only?: DashScopeRoute };

export class FaultState implements DashScopeFaultControls {
  latencyMs = 0;
  private requestFaults: RequestFault[] = [];
  private jobFaults: JobOutcome[] = [];

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: DashScopeRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ type: 'rate', remaining: count, ...opts });
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: DashScopeRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ type: 'server', remaining: count, status: opts.status ?? 503, only: opts.only });
  }

  errorNext(count: number, error: { status: number; code: string; message?: string }, opts: { only?: DashScopeRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ type: 'error', remaining: count, ...error, only: opts.only });
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNextJob(error: Partial<TaskFailure> = {}): void {
    this.jobFaults.push({ kind: 'fail', error: { ...DEFAULT_TASK_FAILURE, ...error } });
  }

  hangNextJob(): void {
    this.jobFaults.push({ kind: 'hang' });
  }

  reset(): void {
    this.latencyMs = 0;
    this.requestFaults = [];
    this.jobFaults = [];
  }

  takeRequestFault(route: DashScopeRoute): TakenFault | undefined {
    const fault = this.requestFaults.find((f) => !f.only || f.only === route);
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.requestFaults.splice(this.requestFaults.indexOf(fault), 1);
    const { remaining: _r, only: _o, ...taken } = fault;
    return taken as TakenFault;
  }

  takeJobOutcome(): JobOutcome {
    return this.jobFaults.shift() ?? { kind: 'success' };
  }
}

export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  if (prompt.includes('[sim:fail]')) return { kind: 'fail', error: DEFAULT_TASK_FAILURE };
  if (prompt.includes('[sim:policy-output]')) return { kind: 'fail', error: OUTPUT_INSPECTION_FAILED };
  if (prompt.includes('[sim:hang]')) return { kind: 'hang' };
  return undefined;
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): '429' | '503' | 'policy' | undefined {
  if (prompt.includes('[sim:429]')) return '429';
  if (prompt.includes('[sim:policy]')) return 'policy';
  for (const [marker, fault] of [['[sim:429-once]', '429'], ['[sim:503-once]', '503']] as const) {
    if (prompt.includes(marker) && !seenOnce.has(`${marker}${prompt}`)) {
      seenOnce.add(`${marker}${prompt}`);
      return fault;
    }
  }
  return undefined;
}
