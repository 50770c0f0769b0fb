import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** The SQL handle every repository shares: Kysely plus what differs between the two engines. */
export interface Db {
  /**
   * Reads (and migrations). Every write goes through `tx`, even one statement: on SQLite a write
   * made here is an autocommit, which waits for another connection's write lock (the create writer,
   * the engine thread, the checkpointer's RESTART) in SQLite's busy handler, asleep on the event
   * loop; `tx` waits on a timer. test/store/writes-through-tx.test.ts holds the store to it.
   */
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one write transaction. SQLite: BEGIN IMMEDIATE, so a transaction that reads before
   * it writes cannot deadlock with a writer on another connection; PostgreSQL: READ COMMITTED, with
   * row locks (and SKIP LOCKED claims) where a repository needs them.
   */
  tx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Tells other nodes these tasks changed, delivered when `trx` commits (PostgreSQL NOTIFY). On
   * SQLite this does nothing: the other connections are threads of this process, told after the
   * commit by the store's thread feed (src/store/thread-feed.ts).
   */
  notifyTaskChanges(trx: Kysely<Database>, ids: string[]): Promise<void>;
  /**
   * Tells every node's engine that work became due now (an upstream callback), delivered when `trx`
   * commits (PostgreSQL NOTIFY; on SQLite the one engine is woken by the caller).
   */
  notifyWorkDue(trx: Kysely<Database>): Promise<void>;
}

/** The PostgreSQL channel task-change notices travel on; the payload is comma-separated task ids. */
export const TASK_CHANGES_CHANNEL = 'vidgate_task_changes';
/** The PostgreSQL channel "work is due now" notices travel on (no payload: engines just look). */
export const WORK_DUE_CHANNEL = 'vidgate_work_due';
/** NOTIFY payloads are limited to 8000 bytes: ids go in chunks well under it. */
const IDS_PER_NOTICE = 150;

export function postgresDb(kysely: Kysely<Database>): Db {
  return {
    kysely,
    dialect: 'postgres',
    tx: (fn) => kysely.transaction().execute(fn),
    async notifyTaskChanges(trx, ids) {
      for (let i = 0; i < ids.length; i += IDS_PER_NOTICE) {
        await sql`select pg_notify(${TASK_CHANGES_CHANNEL}, ${ids.slice(i, i + IDS_PER_NOTICE).join(',')})`.execute(trx);
      }
    },
    async notifyWorkDue(trx) {
      await sql`select pg_notify(${WORK_DUE_CHANNEL}, '')`.execute(trx);
    },
  };
}

// Kept apart (no Kysely import) for the create writer thread, whose module graph stays small.
export { num, numOrNull } from './numbers.js';

export function changed(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined): number {
  return Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? 0n);
}
