/**
 * Per-key request rate limit on our API, in fixed one-minute windows (TokenLab states its limits
 * in requests per minute and reports X-RateLimit-Limit/Remaining/Reset per minute). In memory, per
 * node: with N nodes behind a balancer a key gets at most N × the limit.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the current window ends. */
  reset: number;
}

export class KeyRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly defaultPerMinute: number) {}

  take(keyId: string, limit = this.defaultPerMinute, nowMs = Date.now()): RateDecision {
    const start = Math.floor(nowMs / 60_000) * 60_000;
    let w = this.windows.get(keyId);
    if (!w || w.start !== start) {
      if (this.windows.size > 100_000) this.windows.clear(); // bounded memory; stale windows are worthless
      w = { start, count: 0 };
      this.windows.set(keyId, w);
    }
    const reset = (start + 60_000) / 1000;
    if (w.count >= limit) return { allowed: false, limit, remaining: 0, reset };
    w.count++;
    return { allowed: true, limit, remaining: limit - w.count, reset };
  }
}
