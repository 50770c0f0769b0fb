/** The simulator's API calls, so a fault can target just one of them. */
export type ViduRoute = 'create' | 'poll' | 'download';

/** How a task ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; errCode: string } | { kind: 'hang' };

/** Test hooks to make the simulator misbehave like the real upstream does on a bad day. */
export interface ViduFaultControls {
  /** The next `count` API calls (optionally only one route) answer 429 QuotaExceeded with Retry-After. */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: ViduRoute }): void;
  /** The next `count` API calls (optionally only one route) answer 500 InternalServiceFailure or 503. */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: ViduRoute }): void;
  /** The next `count` creates answer 400 CreditInsufficient. */
  creditsExhaustedNext(count: number): void;
  /** At most `limit` unfinished tasks per account; more → 429 QuotaExceeded (real default 5). null = no limit. */
  setConcurrencyLimit(limit: number | null): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next accepted task ends `state: failed` with this err_code (default InternalServiceFailure). */
  failNextJob(errCode?: string): void;
  /** The next accepted task ends `state: failed`, err_code CreationPolicyViolation (output moderation). */
  policyNextJob(): void;
  /** The next accepted task never finishes. */
  hangNextJob(): void;
  /** Forget every pending fault, the latency and the concurrency limit. */
  reset(): void;
}

export const DEFAULT_FAIL_CODE = 'InternalServiceFailure';

interface RequestFault {
  status: 429 | 500 | 503;
  remaining: number;
  only?: ViduRoute;
  retryAfterSeconds?: number;
}

/** ViduFaultControls plus the simulator-side consumers of the queued faults. */
export class FaultState implements ViduFaultControls {
  latencyMs = 0;
  concurrencyLimit: number | null = null;
  private creditFaults = 0;
  private requestFaults: RequestFault[] = [];
  private jobFaults: JobOutcome[] = [];

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: ViduRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: 429, remaining: count, ...opts });
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: ViduRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: opts.status ?? 500, remaining: count, only: opts.only });
  }

  creditsExhaustedNext(count: number): void {
    this.creditFaults += Math.max(0, count);
  }

  setConcurrencyLimit(limit: number | null): void {
    this.concurrencyLimit = limit === null ? null : Math.max(0, limit);
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNextJob(errCode: string = DEFAULT_FAIL_CODE): void {
    this.jobFaults.push({ kind: 'fail', errCode });
  }

  policyNextJob(): void {
    this.jobFaults.push({ kind: 'fail', errCode: 'CreationPolicyViolation' });
  }

  hangNextJob(): void {
    this.jobFaults.push({ kind: 'hang' });
  }

  reset(): void {
    this.latencyMs = 0;
    this.concurrencyLimit = null;
    this.creditFaults = 0;
    this.requestFaults = [];
    this.jobFaults = [];
  }

  takeRequestFault(route: ViduRoute): { status: 429 | 500 | 503; retryAfterSeconds?: number } | undefined {
    const fault = this.requestFaults.find((f) => !f.only || f.only === route);
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.requestFaults.splice(this.requestFaults.indexOf(fault), 1);
    return { status: fault.status, retryAfterSeconds: fault.retryAfterSeconds };
  }

  takeCreditFault(): boolean {
    if (this.creditFaults <= 0) return false;
    this.creditFaults--;
    return true;
  }

  takeJobOutcome(): JobOutcome {
    return this.jobFaults.shift() ?? { kind: 'success' };
  }
}

/** Black-box hooks: markers in the prompt pick the task's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  if (prompt.includes('[sim:fail]')) return { kind: 'fail', errCode: DEFAULT_FAIL_CODE };
  if (prompt.includes('[sim:policy]')) return { kind: 'fail', errCode: 'CreationPolicyViolation' };
  if (prompt.includes('[sim:hang]')) return { kind: 'hang' };
  return undefined;
}

export type CreateFault = 429 | 503 | 'prompt-policy' | 'credits';

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): CreateFault | undefined {
  if (prompt.includes('[sim:429]')) return 429;
  if (prompt.includes('[sim:policy-prompt]')) return 'prompt-policy';
  if (prompt.includes('[sim:credits]')) return 'credits';
  for (const [marker, status] of [['[sim:429-once]', 429], ['[sim:503-once]', 503]] as const) {
    if (prompt.includes(marker) && !seenOnce.has(`${marker}${prompt}`)) {
      seenOnce.add(`${marker}${prompt}`);
      return status;
    }
  }
  return undefined;
}
