/** The answer to one request against a key's per-minute limit (TokenLab reports X-RateLimit-* per minute). */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the current window ends. */
  reset: number;
}

/**
 * Request and submission rate limits. Requests: fixed one-minute windows per API key. Submissions:
 * a token bucket per provider, `perMinute` tokens refilled continuously, bursting to one minute's
 * worth. In process (per node) or in Redis (shared by every node).
 */
export interface Limits {
  /**
   * Counts one request of `keyId` against `perMinute` (refused requests are not counted).
   * In process the answer is immediate (no promise on the hot read path); in Redis it is awaited.
   */
  takeRequest(keyId: string, perMinute: number): RateDecision | Promise<RateDecision>;
  /** Whole submission tokens `provider` has now, without taking any. */
  submissionTokens(provider: string, perMinute: number): Promise<number>;
  /** Takes up to `wanted` submission tokens of `provider`; resolves to how many it got. */
  takeSubmissions(provider: string, perMinute: number, wanted: number): Promise<number>;
  /** Gives back tokens taken for submissions that did not happen (capped at a full bucket). */
  returnSubmissions(provider: string, perMinute: number, count: number): Promise<void>;
  close(): Promise<void>;
}

/** What the limits log: an outage once, and the recovery. */
export interface LimitsLog {
  warn(obj: object, msg: string): void;
  info(msg: string): void;
}
