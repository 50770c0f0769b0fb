import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { ApiKeyRow, Database, TaskRow } from './schema.js';
import { SqlStore } from './sql-store.js';

/**
 * The embedded default store: one SQLite file in the data dir, WAL so readers never block the engine.
 * The two hot reads (a task by id, a key by hash) use prepared statements directly: every
 * GET /v1/tasks/{id} does both, and Kysely's query building would be most of their cost.
 */
class SqliteStore extends SqlStore {
  private prepared?: { taskById: SQLite.Statement<[string], TaskRow>; keyByHash: SQLite.Statement<[string], ApiKeyRow> };

  constructor(
    db: Kysely<Database>,
    private readonly sqlite: SQLite.Database,
  ) {
    super(db);
  }

  /** Prepared on first use: the tables exist only after migrate(). */
  private get fast() {
    return (this.prepared ??= {
      taskById: this.sqlite.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE id = ?'),
      keyByHash: this.sqlite.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE hash = ?'),
    });
  }

  override async getTask(id: string): Promise<TaskRow | undefined> {
    return this.fast.taskById.get(id);
  }

  override async findKeyByHash(hash: string): Promise<ApiKeyRow | undefined> {
    return this.fast.keyByHash.get(hash);
  }
}

export function openSqliteStore(file: string): SqlStore {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a row the API answered 200 for survives a power cut, not only a process crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return new SqliteStore(db, sqlite);
}
