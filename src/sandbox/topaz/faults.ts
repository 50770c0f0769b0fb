import { CountedFault, StatusFaultCore } from '../common/faults.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type TopazRoute = 'create' | 'accept' | 'upload' | 'complete' | 'status' | 'cancel';

/** How a request ends once uploaded. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; message: string } | { kind: 'hang' };

/** Test hooks to make the simulator misbehave like the real upstream does on a bad day. */
export interface TopazFaultControls {
  /** The next `count` API calls (optionally only one route) answer 429 with Retry-After. */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: TopazRoute }): void;
  /** The next `count` API calls (optionally only one route) answer 500 or 503 (`{message}`). */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: TopazRoute }): void;
  /** The next `count` accepts answer 402 "Insufficient credits". */
  insufficientCreditsNext(count?: number): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next uploaded request ends `failed` with this message (StatusResponse has no error code). */
  failNextJob(error?: { message?: string }): void;
  /** The next uploaded request stays `processing` forever. */
  hangNextJob(): void;
  /** Forget every pending fault and the latency. */
  /** The upstream stops serving model `id`: creates are refused as for an unknown model, and a model list drops it. */
  retireModel(id: string): void;
  reset(): void;
}

export const DEFAULT_FAILURE = { message: 'The enhancement pipeline failed while processing the video.' };

export class FaultState extends StatusFaultCore<TopazRoute, JobOutcome> implements TopazFaultControls {
  private readonly creditsShortfalls = new CountedFault();

  insufficientCreditsNext(count = 1): void {
    this.creditsShortfalls.add(count);
  }

  failNextJob(error: { message?: string } = {}): void {
    this.queueJobOutcome({ kind: 'fail', ...DEFAULT_FAILURE, ...error });
  }

  override reset(): void {
    super.reset();
    this.creditsShortfalls.reset();
  }

  takeCreditsShortfall(): boolean {
    return this.creditsShortfalls.take();
  }
}
