import type { Admission } from '../store/types.js';

/**
 * Whether one more task may go to a provider now: under its concurrency cap (jobs in flight across
 * every node, read in the claim's transaction), within the submission tokens taken for this claim
 * (rate-limited providers only), and at least one of its channels reachable (a breaker not open).
 * Which channel takes it, within that channel's own limits and breaker, is decided at submission
 * (engine/failover.ts). What a refused claim took is given back; `used` says how many tokens each
 * provider spent.
 */
export function providerAdmission(opts: {
  limits: Partial<Record<string, { concurrency?: number }>>;
  /** Whether any channel of the provider may take a submission now (read-only: no half-open probe consumed). */
  reachable: (provider: string) => boolean;
  /** Submission tokens this claim holds per rate-limited provider; absent = no rate limit. */
  tokens: Map<string, number>;
  now: number;
}): Admission & { used: Map<string, number> } {
  const used = new Map<string, number>();
  return {
    used,
    admit(provider, inFlight) {
      const cap = opts.limits[provider]?.concurrency;
      if (cap !== undefined && inFlight >= cap) return false;
      const budget = opts.tokens.get(provider);
      if (budget !== undefined && (used.get(provider) ?? 0) >= budget) return false;
      if (!opts.reachable(provider)) return false;
      used.set(provider, (used.get(provider) ?? 0) + 1);
      return true;
    },
    refund(provider) {
      used.set(provider, Math.max(0, (used.get(provider) ?? 0) - 1));
    },
  };
}
