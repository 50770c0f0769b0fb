import type { Limits, RateDecision } from './types.js';

const MINUTE_MS = 60_000;

/** Limits counted in this process: with N nodes behind a balancer, a key gets up to N × its limit. */
export class InProcessLimits implements Limits {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether `takeRequest` would allow one more request now (nothing is counted). */
  allowsRequest(keyId: string, perMinute: number): boolean {
    const w = this.windows.get(keyId);
    return !w || w.start !== this.minuteStart() || w.count < perMinute;
  }

  /** The current minute's first millisecond: the window requests are counted in. */
  private minuteStart(): number {
    const nowMs = this.now();
    return nowMs - (nowMs % MINUTE_MS);
  }

  takeRequest(keyId: string, perMinute: number): RateDecision {
    const start = this.minuteStart();
    let w = this.windows.get(keyId);
    if (!w || w.start !== start) {
      if (this.windows.size > 100_000) this.windows.clear(); // bounded memory; stale windows are worthless
      w = { start, count: 0 };
      this.windows.set(keyId, w);
    }
    const reset = (start + MINUTE_MS) / 1000;
    if (w.count >= perMinute) return { allowed: false, limit: perMinute, remaining: 0, reset };
    w.count++;
    return { allowed: true, limit: perMinute, remaining: perMinute - w.count, reset };
  }

  async submissionTokens(provider: string, perMinute: number): Promise<number> {
    return this.submissionTokensNow(provider, perMinute);
  }

  submissionTokensNow(provider: string, perMinute: number): number {
    return Math.floor(this.refill(provider, perMinute).tokens);
  }

  async takeSubmissions(provider: string, perMinute: number, wanted: number): Promise<number> {
    return this.takeSubmissionsNow(provider, perMinute, wanted);
  }

  takeSubmissionsNow(provider: string, perMinute: number, wanted: number): number {
    const b = this.refill(provider, perMinute);
    const granted = Math.max(0, Math.min(wanted, Math.floor(b.tokens)));
    b.tokens -= granted;
    this.buckets.set(provider, b);
    return granted;
  }

  async returnSubmissions(provider: string, perMinute: number, count: number): Promise<void> {
    this.returnSubmissionsNow(provider, perMinute, count);
  }

  returnSubmissionsNow(provider: string, perMinute: number, count: number): void {
    if (count <= 0) return;
    const b = this.refill(provider, perMinute);
    b.tokens = Math.min(perMinute, b.tokens + count);
    this.buckets.set(provider, b);
  }

  private refill(provider: string, perMinute: number): { tokens: number; at: number } {
    const now = this.now();
    const b = this.buckets.get(provider) ?? { tokens: perMinute, at: now };
    return { tokens: Math.min(perMinute, b.tokens + ((now - b.at) / MINUTE_MS) * perMinute), at: now };
  }

  async close(): Promise<void> {}
}
