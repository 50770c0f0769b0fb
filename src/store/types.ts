import type { ApiKeyRow, IdempotencyRow, TaskRow, TaskState } from './schema.js';

export type TaskPatch = Partial<Omit<TaskRow, 'id' | 'owner_key_id' | 'created'>>;

/** A guard on an update: the write only happens if the row still matches (optimistic concurrency). */
export interface TaskGuard {
  state?: TaskState | TaskState[];
  leaseOwner?: string;
}

/**
 * Persistence for Vidgate. Callers never see SQL; SQLite and (later) PostgreSQL implement this.
 * Every method is a single durable step: when it resolves, the write is on disk.
 */
export interface Store {
  migrate(): Promise<void>;
  close(): Promise<void>;

  getMeta(key: string): Promise<string | undefined>;
  /** Sets key only if unset; returns the value that is stored afterwards. */
  setMetaIfAbsent(key: string, value: string): Promise<string>;

  insertKey(row: ApiKeyRow): Promise<void>;
  findKeyByHash(hash: string): Promise<ApiKeyRow | undefined>;
  listKeys(): Promise<ApiKeyRow[]>;
  /** Returns false when no active key has that id. */
  revokeKey(id: string, now: number): Promise<boolean>;
  countAdminKeys(): Promise<number>;

  insertTask(row: TaskRow): Promise<void>;
  /**
   * Inserts the task and its idempotency record atomically, unless a record for the same
   * (owner, key) created at or after `since` exists: then nothing is written and it is returned.
   */
  insertTaskIdempotently(row: TaskRow, idem: IdempotencyRow, since: number): Promise<{ existing: IdempotencyRow | null }>;
  getTask(id: string): Promise<TaskRow | undefined>;
  /** Applies patch if the guard holds; returns whether a row changed. */
  updateTask(id: string, patch: TaskPatch, guard?: TaskGuard): Promise<boolean>;
  /**
   * Claims up to `limit` tasks in `states` that are due (next_run_at ≤ now) and not leased by
   * anyone else (or whose lease expired), leasing them to `owner` until now + leaseMs.
   */
  claimDue(states: TaskState[], now: number, limit: number, owner: string, leaseMs: number): Promise<TaskRow[]>;
  /** Tasks leased by `owner` (to release them on shutdown). */
  releaseLeases(owner: string): Promise<number>;
  countByState(): Promise<Record<string, number>>;
}
