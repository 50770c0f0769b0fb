import { CountedFault, firstMarker, onceMarkerFault, StatusFaultCore } from '../common/faults.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type ViduRoute = 'create' | 'poll' | 'cancel' | 'download';

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
  /** The upstream stops serving model `id`: creates are refused as for an unknown model, and a model list drops it. */
  retireModel(id: string): void;
  reset(): void;
}

export const DEFAULT_FAIL_CODE = 'InternalServiceFailure';

/** ViduFaultControls plus the simulator-side consumers of the queued faults. */
export class FaultState extends StatusFaultCore<ViduRoute, JobOutcome> implements ViduFaultControls {
  concurrencyLimit: number | null = null;
  private readonly creditFaults = new CountedFault();

  constructor() {
    // Vidu's plain server error is 500 InternalServiceFailure.
    super(500);
  }

  creditsExhaustedNext(count: number): void {
    this.creditFaults.add(count);
  }

  setConcurrencyLimit(limit: number | null): void {
    this.concurrencyLimit = limit === null ? null : Math.max(0, limit);
  }

  failNextJob(errCode: string = DEFAULT_FAIL_CODE): void {
    this.queueJobOutcome({ kind: 'fail', errCode });
  }

  policyNextJob(): void {
    this.queueJobOutcome({ kind: 'fail', errCode: 'CreationPolicyViolation' });
  }

  override reset(): void {
    super.reset();
    this.concurrencyLimit = null;
    this.creditFaults.reset();
  }

  takeCreditFault(): boolean {
    return this.creditFaults.take();
  }
}

/** Black-box hooks: markers in the prompt pick the task's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  return firstMarker<JobOutcome>(prompt, [
    ['[sim:fail]', { kind: 'fail', errCode: DEFAULT_FAIL_CODE }],
    ['[sim:policy]', { kind: 'fail', errCode: 'CreationPolicyViolation' }],
    ['[sim:hang]', { kind: 'hang' }],
  ]);
}

export type CreateFault = 429 | 503 | 'prompt-policy' | 'credits' | 'busy';

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): CreateFault | undefined {
  if (prompt.includes('[sim:429]')) return 429;
  if (prompt.includes('[sim:policy-prompt]')) return 'prompt-policy';
  if (prompt.includes('[sim:credits]')) return 'credits';
  // [sim:busy-once]: the first create of this prompt answers 400 OperationInProcess ("please retry later").
  if (prompt.includes('[sim:busy-once]') && !seenOnce.has(`busy:${prompt}`)) {
    seenOnce.add(`busy:${prompt}`);
    return 'busy';
  }
  return onceMarkerFault(prompt, seenOnce, 429, 503);
}
