import path from 'node:path';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.js';
import type { Store } from './types.js';

export type { Store } from './types.js';

/**
 * The store a node uses: PostgreSQL when a database URL is configured (many nodes), else SQLite in
 * the data directory (one node, no services). `createWriter`: SQLite's create writer thread (for a
 * store that takes creates: the HTTP thread's).
 */
export function openStore(databaseUrl: string | null, dataDir: string, sqlite: SqliteStoreOptions = {}): Store {
  return databaseUrl ? openPostgresStore(databaseUrl) : openSqliteStore(path.join(dataDir, 'vidgate.sqlite'), sqlite);
}
