import { sql, type Kysely } from 'kysely';
import { roundUsd } from '../contract/money.js';
import { num, type Db } from './db.js';
import { toLedgerEntry } from './mappers.js';
import type { Database } from './schema.js';
import type { LedgerEntry, LedgerRepository, UsageRow } from './types.js';

export async function writeLedger(trx: Kysely<Database>, entry: LedgerEntry): Promise<void> {
  await trx.insertInto('ledger').values(entry).execute();
}

/**
 * `column + amount` for a key's running total (balance, reserved, spent): doubles added to in SQL, so
 * each update snaps the sum back to the micro-dollar (as roundUsd, on both dialects) and error never
 * accumulates over many charges. (The SQLite create's prepared reservation writes the same by hand.)
 */
export function plusUsd(column: 'reserved_usd' | 'spent_usd' | 'balance_usd', amount: number) {
  return sql<number>`round((${sql.ref(column)} + ${amount}) * 1000000) / 1000000`;
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
      reserved_usd: plusUsd('reserved_usd', -reservedUsd),
      spent_usd: plusUsd('spent_usd', cost),
      balance_usd: sql`case when balance_usd is null then null else ${plusUsd('balance_usd', -cost)} end`,
    })
    .where('id', '=', entry.key_id)
    .execute();
  await writeLedger(trx, entry);
}

export class SqlLedgerRepository implements LedgerRepository {
  constructor(private readonly db: Db) {}

  /** Every entry of a key (tests, audits): no index serves it (see usage), so it reads the whole ledger. */
  async entriesFor(keyId: string): Promise<LedgerEntry[]> {
    const rows = await this.db.kysely.selectFrom('ledger').selectAll().where('key_id', '=', keyId).orderBy('created_ms').orderBy('id').execute();
    return rows.map(toLedgerEntry);
  }

  async usage(keyId: string | null, fromDay: string, toDay: string): Promise<UsageRow[]> {
    const rows = await usageQuery(this.db.kysely, keyId, fromDay, toDay).execute();
    return rows.map((r) => ({ key_id: r.key_id, day: r.day, model: r.model ?? '', requests: num(r.requests), cost_usd: roundUsd(num(r.cost_usd)) }));
  }
}

/** The usage report's query: settled charges by key, day and model (exported for its plan's test). */
export function usageQuery(kysely: Kysely<Database>, keyId: string | null, fromDay: string, toDay: string) {
  let q = kysely
    .selectFrom('ledger')
    .select(['key_id', 'day', 'model', (eb) => eb.fn.countAll<number>().as('requests'), (eb) => eb.fn.sum<number>('amount_usd').as('cost_usd')])
    // The ledger's indexes hold settled entries only (migration 011). A literal, not a parameter:
    // a plan made for any value (PostgreSQL's generic plans) could not use a partial index.
    .where('kind', '=', sql.lit('settle'))
    .where('day', '>=', fromDay)
    .where('day', '<=', toDay);
  if (keyId !== null) q = q.where('key_id', '=', keyId);
  return q.groupBy(['key_id', 'day', 'model']).orderBy('day').orderBy('model');
}
