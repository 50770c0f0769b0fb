import type { Admission } from '../store/types.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { RateBuckets } from './rate-bucket.js';

/**
 * Whether one more task may go to a provider now: under its concurrency cap (jobs in flight
 * across every node, read in the claim's transaction), its breaker admitting (one probe when
 * half-open), and a submission-rate token. What a refused claim took is given back.
 */
export function providerAdmission(opts: {
  limits: Partial<Record<string, { concurrency?: number }>>;
  breaker: CircuitBreaker;
  buckets: RateBuckets;
  now: number;
}): Admission {
  return {
    admit(provider, inFlight) {
      const cap = opts.limits[provider]?.concurrency;
      if (cap !== undefined && inFlight >= cap) return false;
      if (!opts.buckets.hasToken(provider, opts.now)) return false;
      if (!opts.breaker.admit(provider, opts.now)) return false;
      opts.buckets.take(provider, opts.now);
      return true;
    },
    refund(provider) {
      opts.buckets.giveBack(provider);
      opts.breaker.cancelProbe(provider);
    },
  };
}
