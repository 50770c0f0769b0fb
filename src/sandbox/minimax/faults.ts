import { FaultCore, firstMarker, onceMarkerFault } from '../common/faults.js';
import type { BaseRespError } from './jobs.js';

/** The simulator's API calls, so a fault can target just one of them. */
export type MinimaxRoute = 'create' | 'query' | 'retrieve';

/** How a job ends, chosen at create time from prompt markers or queued job faults. */
export type JobOutcome = { kind: 'success' } | { kind: 'fail'; error: BaseRespError; spelling?: 'Fail' | 'Failed' } | { kind: 'hang' };

/** Test hooks to make the simulator misbehave like MiniMax does on a bad day. */
export interface MinimaxFaultControls {
  /**
   * The next `count` calls (optionally one route) are rate limited: HTTP 200 + base_resp 1002 as
   * MiniMax usually answers, or with http429 an edge HTTP 429 carrying Retry-After.
   */
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: MinimaxRoute; http429?: boolean }): void;
  /** The next `count` calls (optionally one route) answer HTTP 500 (1000) or 503 (1033). */
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: MinimaxRoute }): void;
  /** The next `count` calls (optionally one route) answer HTTP 200 with this base_resp code (1008, 1026, 1004…). */
  errorCodeNext(count: number, statusCode: number, opts?: { message?: string; only?: MinimaxRoute }): void;
  /** Delay every API answer by `ms` (0 turns it off). */
  setLatency(ms: number): void;
  /** The next accepted job ends with status Fail (default base_resp 1000); `spelling` 'Failed' is the other form seen in the wild. */
  failNextJob(error?: Partial<BaseRespError>, spelling?: 'Fail' | 'Failed'): void;
  /** The next accepted job never finishes. */
  hangNextJob(): void;
  /** The upstream stops serving model `id`: creates are refused as for an unknown model, and a model list drops it. */
  retireModel(id: string): void;
  reset(): void;
}

export const DEFAULT_JOB_ERROR: BaseRespError = { status_code: 1000, status_msg: 'unknown error', error_message: 'video generation failed, please retry' };
export const OUTPUT_SENSITIVE: BaseRespError = { status_code: 1027, status_msg: 'output new_sensitive', error_message: 'The generated video may contain sensitive content.' };

export type TakenFault = { type: 'rate'; retryAfterSeconds?: number; http429: boolean } | { type: 'server'; status: 500 | 503 } | { type: 'code'; statusCode: number; message?: string };

export class FaultState extends FaultCore<MinimaxRoute, TakenFault, JobOutcome> implements MinimaxFaultControls {
  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: MinimaxRoute; http429?: boolean } = {}): void {
    this.queueRequestFault(count, { type: 'rate', retryAfterSeconds: opts.retryAfterSeconds, http429: opts.http429 ?? false }, opts.only);
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: MinimaxRoute } = {}): void {
    this.queueRequestFault(count, { type: 'server', status: opts.status ?? 503 }, opts.only);
  }

  errorCodeNext(count: number, statusCode: number, opts: { message?: string; only?: MinimaxRoute } = {}): void {
    this.queueRequestFault(count, { type: 'code', statusCode, message: opts.message }, opts.only);
  }

  failNextJob(error: Partial<BaseRespError> = {}, spelling: 'Fail' | 'Failed' = 'Fail'): void {
    this.queueJobOutcome({ kind: 'fail', error: { ...DEFAULT_JOB_ERROR, ...error }, spelling });
  }
}

/** Prompt markers that pick the job's fate without any test API. */
export function outcomeFromPrompt(prompt: string): JobOutcome | undefined {
  return firstMarker<JobOutcome>(prompt, [
    ['[sim:fail]', { kind: 'fail', error: DEFAULT_JOB_ERROR }],
    ['[sim:policy-output]', { kind: 'fail', error: OUTPUT_SENSITIVE }],
    ['[sim:hang]', { kind: 'hang' }],
  ]);
}

/** Prompt markers that make the create call itself fail: always, or only the first time per prompt. */
export function createFaultFromPrompt(prompt: string, seenOnce: Set<string>): '429' | '503' | 'policy' | 'balance' | undefined {
  if (prompt.includes('[sim:429]')) return '429';
  if (prompt.includes('[sim:policy]')) return 'policy';
  if (prompt.includes('[sim:balance]')) return 'balance';
  return onceMarkerFault(prompt, seenOnce, '429', '503');
}
