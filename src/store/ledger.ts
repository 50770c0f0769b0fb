import { sql, type Kysely } from 'kysely';
import { timeOrderedHex } from '../contract/ids.js';
import { roundUsd } from '../contract/money.js';
import { num, type Db } from './db.js';
import { toLedgerEntry } from './mappers.js';
import type { Database } from './schema.js';
import type { LedgerEntry, LedgerKind, LedgerRepository, UsageRow } from './types.js';

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

export async function writeLedger(trx: Kysely<Database>, entry: LedgerEntry): Promise<void> {
  await trx.insertInto('ledger').values(entry).execute();
}

/**
 * Ends a task's reservation in the caller's transaction: `settle` charges `cost` (balance and spend),
 * `release` charges nothing. Either way the estimate held at create leaves `reserved_usd`.
 */
export async function endReservation(trx: Kysely<Database>, entry: LedgerEntry, reservedUsd: number): Promise<void> {
  const cost = entry.kind === 'settle' ? entry.amount_usd : 0;
  await trx
    .updateTable('api_keys')
    .set({
      reserved_usd: sql`reserved_usd - ${reservedUsd}`,
      spent_usd: sql`spent_usd + ${cost}`,
      balance_usd: sql`case when balance_usd is null then null else balance_usd - ${cost} end`,
    })
    .where('id', '=', entry.key_id)
    .execute();
  await writeLedger(trx, entry);
}

export class SqlLedgerRepository implements LedgerRepository {
  constructor(private readonly db: Db) {}

  async entriesFor(keyId: string): Promise<LedgerEntry[]> {
    const rows = await this.db.kysely.selectFrom('ledger').selectAll().where('key_id', '=', keyId).orderBy('created_ms').orderBy('id').execute();
    return rows.map(toLedgerEntry);
  }

  async usage(keyId: string | null, fromDay: string, toDay: string): Promise<UsageRow[]> {
    let q = this.db.kysely
      .selectFrom('ledger')
      .select(['key_id', 'day', 'model', (eb) => eb.fn.countAll<number>().as('requests'), (eb) => eb.fn.sum<number>('amount_usd').as('cost_usd')])
      .where('kind', '=', 'settle')
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay);
    if (keyId !== null) q = q.where('key_id', '=', keyId);
    const rows = await q.groupBy(['key_id', 'day', 'model']).orderBy('day').orderBy('model').execute();
    return rows.map((r) => ({ key_id: r.key_id, day: r.day, model: r.model ?? '', requests: num(r.requests), cost_usd: roundUsd(num(r.cost_usd)) }));
  }
}
