/** The simulator's API calls, so a fault can target just one of them. */
export type TopazRoute = 'create' | 'accept' | 'upload' | 'complete' | 'status';

/** How a request ends once uploaded. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; errorCode: string; message: string } | { kind: 'hang' };

/** Test hooks to make the simulator misbehave like the real upstream does on a bad day. */
export interface TopazFaultControls {
  /** The next `count` API calls (optionally only one route) answer 429 with Retry-After. */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: TopazRoute }): void;
  /** The next `count` API calls (optionally only one route) answer 500 SERVER_ERROR or 503 SERVER_MAINTENANCE. */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: TopazRoute }): void;
  /** The next `count` accepts answer 402 INSUFFICIENT_CREDITS. */
  insufficientCreditsNext(count?: number): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next uploaded request ends `failed` with this errorCode/message. */
  failNextJob(error?: { errorCode?: string; message?: string }): void;
  /** The next uploaded request stays `processing` forever. */
  hangNextJob(): void;
  /** Forget every pending fault and the latency. */
  reset(): void;
}

interface RequestFault {
  status: 429 | 500 | 503;
  remaining: number;
  only?: TopazRoute;
  retryAfterSeconds?: number;
}

export const DEFAULT_FAILURE = { errorCode: 'PROCESSING_FAILED', message: 'The enhancement pipeline failed while processing the video.' };

export class FaultState implements TopazFaultControls {
  latencyMs = 0;
  creditsShortfalls = 0;
  private requestFaults: RequestFault[] = [];
  private jobFaults: JobOutcome[] = [];

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: TopazRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: 429, remaining: count, ...opts });
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: TopazRoute } = {}): void {
    if (count > 0) this.requestFaults.push({ status: opts.status ?? 503, remaining: count, only: opts.only });
  }

  insufficientCreditsNext(count = 1): void {
    this.creditsShortfalls += Math.max(0, count);
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNextJob(error: { errorCode?: string; message?: string } = {}): void {
    this.jobFaults.push({ kind: 'fail', ...DEFAULT_FAILURE, ...error });
  }

  hangNextJob(): void {
    this.jobFaults.push({ kind: 'hang' });
  }

  reset(): void {
    this.latencyMs = 0;
    this.creditsShortfalls = 0;
    this.requestFaults = [];
    this.jobFaults = [];
  }

  takeRequestFault(route: TopazRoute): { status: 429 | 500 | 503; retryAfterSeconds?: number } | undefined {
    const fault = this.requestFaults.find((f) => !f.only || f.only === route);
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.requestFaults.splice(this.requestFaults.indexOf(fault), 1);
    return { status: fault.status, retryAfterSeconds: fault.retryAfterSeconds };
  }

  takeCreditsShortfall(): boolean {
    if (this.creditsShortfalls <= 0) return false;
    this.creditsShortfalls--;
    return true;
  }

  takeJobOutcome(): JobOutcome {
    return this.jobFaults.shift() ?? { kind: 'success' };
  }
}
