/**
 * One breaker per provider. After `threshold` consecutive outage signals (5xx, timeouts) it opens:
 * no new submissions go to that provider for a cooldown. Then one probe submission is let through
 * (half-open); its success closes the breaker, its failure re-opens it for twice as long (capped).
 * Tasks meanwhile wait in `pending`: nothing fails because a provider is down.
 */
export interface BreakerOptions {
  threshold: number;
  cooldownMs: number;
  maxCooldownMs: number;
}

interface State {
  failures: number;
  openUntil: number;
  cooldownMs: number;
  /** When the half-open probe was admitted (0 = none); a probe that never reports back expires. */
  probingSince: number;
  /** Opened by rest() (a refused key or quota), not by outages: an answer to a poll does not end it. */
  rested: boolean;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private readonly states = new Map<string, State>();

  constructor(private readonly opts: BreakerOptions) {}

  private get(provider: string): State {
    let s = this.states.get(provider);
    if (!s) {
      s = { failures: 0, openUntil: 0, cooldownMs: this.opts.cooldownMs, probingSince: 0, rested: false };
      this.states.set(provider, s);
    }
    return s;
  }

  state(provider: string, now = Date.now()): BreakerState {
    const s = this.get(provider);
    if (s.openUntil === 0) return 'closed';
    const probing = s.probingSince !== 0 && now - s.probingSince < s.cooldownMs;
    return now < s.openUntil || probing ? 'open' : 'half-open';
  }

  /** May a new submission go to this provider now? In half-open, exactly one probe is admitted. */
  admit(provider: string, now = Date.now()): boolean {
    const st = this.state(provider, now);
    if (st === 'closed') return true;
    if (st === 'half-open') {
      this.get(provider).probingSince = now;
      return true;
    }
    return false;
  }

  /** Read-only check (no probe consumed), for choosing which providers to look at. */
  wouldAdmit(provider: string, now = Date.now()): boolean {
    return this.state(provider, now) !== 'open';
  }

  success(provider: string): void {
    const s = this.get(provider);
    s.failures = 0;
    s.openUntil = 0;
    s.probingSince = 0;
    s.cooldownMs = this.opts.cooldownMs;
    s.rested = false;
  }

  /**
   * An answer about work the provider already accepted (a status poll): it is up, as success() says,
   * but that says nothing of its key or quota for new work, so a rest stands until a create gets through.
   */
  answered(provider: string): void {
    if (!this.get(provider).rested) this.success(provider);
  }

  failure(provider: string, now = Date.now()): void {
    const s = this.get(provider);
    if (s.probingSince !== 0) {
      s.probingSince = 0;
      s.cooldownMs = Math.min(s.cooldownMs * 2, this.opts.maxCooldownMs);
      s.openUntil = now + s.cooldownMs;
      return;
    }
    s.failures++;
    if (s.openUntil === 0 && s.failures >= this.opts.threshold) s.openUntil = now + s.cooldownMs;
  }

  /**
   * A create refused for the provider's key or quota: it answered (a run of outages ends), but it
   * cannot take new work. A probe refused so counts as a failed one (re-opens for twice as long);
   * otherwise whether the provider rests depends on whether another can take the work (rest()).
   */
  refused(provider: string, now = Date.now()): void {
    const s = this.get(provider);
    if (s.probingSince !== 0) this.failure(provider, now);
    else s.failures = 0;
  }

  /**
   * Sends a provider that refused outright (a revoked key, no quota) to rest for a cooldown while
   * other providers can take the work, so it is not asked again at every tick: a closed breaker opens
   * now; an open one keeps its time. Only a create that gets through ends the rest (see answered()).
   */
  rest(provider: string, now = Date.now()): void {
    const s = this.get(provider);
    s.rested = true;
    s.failures = Math.max(s.failures, this.opts.threshold);
    if (s.openUntil === 0) s.openUntil = now + s.cooldownMs;
  }

  /** Forgets an admitted probe that was never sent (nothing to claim), so the next one may go. */
  cancelProbe(provider: string): void {
    this.get(provider).probingSince = 0;
  }

  /** How long until this breaker lets something through again (0 when it would now). */
  retryInMs(provider: string, now = Date.now()): number {
    const s = this.get(provider);
    if (this.state(provider, now) !== 'open') return 0;
    const probeEnds = s.probingSince !== 0 ? s.probingSince + s.cooldownMs : 0;
    return Math.max(1, Math.max(s.openUntil, probeEnds) - now);
  }
}
