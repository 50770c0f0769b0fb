import { timeOrderedHex } from '../contract/ids.js';
import { roundUsd } from '../contract/money.js';
import type { LedgerEntry, LedgerKind } from './types.js';

// Ledger rows as plain data, apart from ledger.ts (which loads Kysely): the create writer thread builds reservations too.

export function utcDay(ms: number): string {
  // Every entry of a day has the same answer: formatted once, then reused while ms is in that day.
  if (ms >= day.start && ms < day.end) return day.text;
  const text = new Date(ms).toISOString().slice(0, 10);
  const start = Date.parse(text);
  // Only days from 1970 on: before it, a fractional ms rounds towards zero, i.e. sometimes into the next day.
  if (start >= 0) day = { start, end: start + 86_400_000, text };
  return text;
}

/** The UTC day utcDay last formatted: [start, end) in ms. */
let day = { start: 0, end: 0, text: '' };

/** Ledger ids double as billing_transaction_id: txn_ + 24 hex (time-ordered, like task ids). */
export function ledgerEntry(keyId: string, taskId: string | null, kind: LedgerKind, amount: number, model: string | null, created_ms: number): LedgerEntry {
  return { id: `txn_${timeOrderedHex(6, created_ms)}`, key_id: keyId, task_id: taskId, kind, amount_usd: roundUsd(amount), model, day: utcDay(created_ms), created_ms };
}
