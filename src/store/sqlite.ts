import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { ApiKeyRow, Database, TaskRow, TaskState } from './schema.js';
import { SqlStore } from './sql-store.js';
import type { TaskGuard, TaskPatch } from './types.js';

/**
 * The embedded default store: one SQLite file in the data dir, WAL so readers never block the engine.
 * The two hot reads (a task by id, a key by hash) use prepared statements directly: every
 * GET /v1/tasks/{id} does both, and Kysely's query building would be most of their cost.
 */
class SqliteStore extends SqlStore {
  /**
   * Task reads are the hot path (clients poll). Rows are cached briefly: finished tasks for 5 s
   * (only retention changes them), unfinished ones for 0.5 s. Every write through this store
   * evicts, so one node always reads its own writes; another node's writes are seen within the TTL,
   * which is well under any sensible polling interval.
   */
  private readonly rows = new Map<string, { row: TaskRow; until: number }>();
  private static readonly TERMINAL_TTL_MS = 5_000;
  private static readonly ACTIVE_TTL_MS = 500;
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
    const now = Date.now();
    const hit = this.rows.get(id);
    if (hit && hit.until > now) return hit.row;
    const row = this.fast.taskById.get(id);
    if (row) {
      if (this.rows.size > 10_000) this.rows.clear();
      const ttl = row.state === 'completed' || row.state === 'failed' ? SqliteStore.TERMINAL_TTL_MS : SqliteStore.ACTIVE_TTL_MS;
      this.rows.set(id, { row, until: now + ttl });
    }
    return row;
  }

  override async updateTask(id: string, patch: TaskPatch, guard?: TaskGuard): Promise<boolean> {
    // Evicted before and after: a read racing the write must not re-cache the old row.
    this.rows.delete(id);
    try {
      return await super.updateTask(id, patch, guard);
    } finally {
      this.rows.delete(id);
    }
  }

  override async finishTask(id: string, patch: TaskPatch, guard: TaskGuard): Promise<boolean> {
    this.rows.delete(id);
    try {
      return await super.finishTask(id, patch, guard);
    } finally {
      this.rows.delete(id);
    }
  }

  // Lease writes change rows too: evict what they touch, so this store always reads its own writes.
  override async claimDue(states: TaskState[], now: number, limit: number, owner: string, leaseMs: number): Promise<TaskRow[]> {
    const claimed = await super.claimDue(states, now, limit, owner, leaseMs);
    for (const r of claimed) this.rows.delete(r.id);
    return claimed;
  }

  override async claimIds(ids: string[], now: number, owner: string, leaseMs: number): Promise<TaskRow[]> {
    for (const id of ids) this.rows.delete(id);
    return super.claimIds(ids, now, owner, leaseMs);
  }

  override async extendLeases(ids: string[], owner: string, until: number): Promise<number> {
    for (const id of ids) this.rows.delete(id);
    return super.extendLeases(ids, owner, until);
  }

  override async releaseLeases(owner: string): Promise<number> {
    this.rows.clear(); // which rows is not known up front; this runs once, at shutdown
    return super.releaseLeases(owner);
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
