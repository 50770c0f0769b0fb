import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** The SQL handle every repository shares: Kysely plus what differs between the two engines. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one write transaction. SQLite: BEGIN IMMEDIATE, so a transaction that reads before
   * it writes cannot deadlock with a writer on another connection; PostgreSQL: READ COMMITTED, with
   * row locks (and SKIP LOCKED claims) where a repository needs them.
   */
  tx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
}

export function sqliteDb(kysely: Kysely<Database>): Db {
  return {
    kysely,
    dialect: 'sqlite',
    tx: (fn) =>
      // One connection, held for the whole transaction (Kysely's SQLite driver serialises users of it).
      kysely.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw err;
        }
      }),
  };
}

export function postgresDb(kysely: Kysely<Database>): Db {
  return { kysely, dialect: 'postgres', tx: (fn) => kysely.transaction().execute(fn) };
}

/** Counts come back as strings from some drivers; every number we store fits a double. */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

export function changed(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined): number {
  return Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? 0n);
}
