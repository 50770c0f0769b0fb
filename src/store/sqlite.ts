import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { sqliteDb } from './db.js';
import type { Database, TasksTable } from './schema.js';
import { SqlStore } from './sql-store.js';

/**
 * The embedded default store: one SQLite file in the data dir, WAL so readers never block writers.
 * The hot read (a task by id) uses a prepared statement directly.
 */
export function openSqliteStore(file: string): SqlStore {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a row the API answered 200 for survives a power cut, not only a process crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  let taskById: SQLite.Statement<[string], TasksTable> | undefined;
  return new SqlStore(sqliteDb(kysely), {
    // Prepared on first use: the table exists only after migrate().
    fastTaskRow: (id) => (taskById ??= sqlite.prepare<[string], TasksTable>('SELECT * FROM tasks WHERE id = ?')).get(id),
  });
}
