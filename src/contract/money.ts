/** USD amounts are kept to the micro-dollar everywhere (prices, ledger, balances, usage). */
export function roundUsd(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
