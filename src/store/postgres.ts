import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postgresDb } from './db.js';
import type { Database } from './schema.js';
import { SqlStore, type SqlStoreOptions } from './sql-store.js';

// int8 (counts, epoch ms) as numbers: every value we store fits a double exactly.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface PostgresOptions extends Omit<SqlStoreOptions, 'fastTaskRow' | 'onClose'> {
  /** Connections in this node's pool. */
  poolSize?: number;
}

/** PostgreSQL for many nodes: every node shares the rows and the work queue. */
export function openPostgresStore(url: string, opts: PostgresOptions = {}): SqlStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    // A statement stuck behind a lock is an outage, not a reason to hang a request forever.
    statement_timeout: 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new SqlStore(postgresDb(kysely), opts);
}
