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
  reset(): void;
}

interface RequestFault extends InjectedError {
  remaining: number;
  only?: KlingRoute;
}

export class KlingFaultState implements KlingFaultControls {
  latencyMs = 0;
  private requestFaults: RequestFault[] = [];
  private jobFaults: JobOutcome[] = [];

  constructor(private readonly defaultRetryAfter: number) {}

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
    if (count > 0) this.requestFaults.push({ ...error, remaining: count });
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNextJob(message = DEFAULT_FAIL_MESSAGE): void {
    this.jobFaults.push({ kind: 'fail', message });
  }

  policyFailNextJob(message = DEFAULT_POLICY_MESSAGE): void {
    this.jobFaults.push({ kind: 'fail', message });
  }

  hangNextJob(): void {
    this.jobFaults.push({ kind: 'hang' });
  }

  reset(): void {
    this.latencyMs = 0;
    this.requestFaults = [];
    this.jobFaults = [];
  }

  /** The first queued fault for this route; downloads are only faulted when asked for explicitly. */
  takeRequestFault(route: KlingRoute): InjectedError | undefined {
    const fault = this.requestFaults.find((f) => (f.only ? f.only === route : route !== 'download'));
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.requestFaults.splice(this.requestFaults.indexOf(fault), 1);
    return { httpStatus: fault.httpStatus, code: fault.code, message: fault.message, retryAfterSeconds: fault.retryAfterSeconds };
  }

  takeJobOutcome(): JobOutcome {
    return this.jobFaults.shift() ?? { kind: 'success' };
  }
}

/** Black-box hooks: markers in the prompt pick the task's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  if (prompt.includes('[sim:fail]')) return { kind: 'fail', message: DEFAULT_FAIL_MESSAGE };
  if (prompt.includes('[sim:policy-output]')) return { kind: 'fail', message: DEFAULT_POLICY_MESSAGE };
  if (prompt.includes('[sim:hang]')) return { kind: 'hang' };
  return undefined;
}

/** Markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): 'rate' | 'unavailable' | 'policy' | undefined {
  if (prompt.includes('[sim:429]')) return 'rate';
  if (prompt.includes('[sim:policy]')) return 'policy';
  for (const [marker, fault] of [['[sim:429-once]', 'rate'], ['[sim:503-once]', 'unavailable']] as const) {
    if (prompt.includes(marker) && !seenOnce.has(`${marker}${prompt}`)) {
      seenOnce.add(`${marker}${prompt}`);
      return fault;
    }
  }
  return undefined;
}
