/** Token bucket per provider for upstream submissions: `perMinute` tokens, refilled continuously, burst up to one minute's worth. */
export class RateBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: (provider: string) => number | undefined) {}

  take(provider: string, now = Date.now()): boolean {
    const rate = this.perMinute(provider);
    if (rate === undefined) return true;
    const b = this.buckets.get(provider) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 60_000) * rate);
    b.at = now;
    this.buckets.set(provider, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  hasToken(provider: string, now = Date.now()): boolean {
    const rate = this.perMinute(provider);
    if (rate === undefined) return true;
    const b = this.buckets.get(provider);
    return !b || Math.min(rate, b.tokens + ((now - b.at) / 60_000) * rate) >= 1;
  }

  /** Returns a token taken for a submission that did not happen after all. */
  giveBack(provider: string): void {
    const rate = this.perMinute(provider);
    const b = this.buckets.get(provider);
    if (rate !== undefined && b) b.tokens = Math.min(rate, b.tokens + 1);
  }
}
