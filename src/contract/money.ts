/** USD amounts are kept to the micro-dollar everywhere (prices, ledger, balances, usage). */
export function roundUsd(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** What a finished task is charged: what it cost, never more than was reserved for it. */
export function settledUsd(costUsd: number, reservedUsd: number): number {
  return roundUsd(Math.max(0, Math.min(costUsd, reservedUsd)));
}
