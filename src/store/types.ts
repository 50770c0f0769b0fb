import type { ApiKeyRow, IdempotencyRow, LedgerRow, TaskRow, TaskState } from './schema.js';

export type TaskPatch = Partial<Omit<TaskRow, 'id' | 'owner_key_id' | 'created'>>;

/** A guard on an update: the write only happens if the row still matches (optimistic concurrency). */
export interface TaskGuard {
  state?: TaskState | TaskState[];
  leaseOwner?: string;
}

/** What creating a task did: the reservation is part of the same transaction as the insert. */
export type CreateOutcome =
  | { kind: 'created' }
  | { kind: 'replay'; idem: IdempotencyRow }
  | { kind: 'insufficient_balance'; balanceUsd: number; availableUsd: number }
  | { kind: 'quota_exceeded'; limitUsd: number; remainingUsd: number };

/** The largest balance a key may hold, however it is reached (set or topped up). */
export const MAX_BALANCE_USD = 1e9;

/**
 * A balance change the rules refuse (thrown by updateKeyLimits; nothing is written):
 * `below_reserved` — the new balance would not cover what tasks in flight have reserved;
 * `above_cap` — it would exceed MAX_BALANCE_USD.
 */
export class BalanceRefused extends Error {
  constructor(
    readonly reason: 'below_reserved' | 'above_cap',
    readonly param: 'balance_usd' | 'add_balance_usd',
    readonly reservedUsd: number,
  ) {
    super(`balance change refused: ${reason}`);
    this.name = 'BalanceRefused';
  }
}

export interface KeyLimitsPatch {
  balance_usd?: number | null;
  /** Adds to the balance (a top-up); recorded as a credit in the ledger. */
  add_balance_usd?: number;
  spend_limit_usd?: number | null;
  rpm_limit?: number | null;
  webhook_url?: string | null;
}

export interface UsageRow {
  key_id: string;
  day: string;
  model: string;
  requests: number;
  cost_usd: number;
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

  /** Raw insert, without billing (tests and imports). */
  insertTask(row: TaskRow): Promise<void>;
  /**
   * Creates a task in one transaction: replays an idempotency record for the same (owner, key)
   * created at or after `idem.since`; else checks the owner's balance and spend limit, reserves
   * the task's estimate, and inserts the task (and the idempotency record).
   */
  createTask(row: TaskRow, idem?: { record: IdempotencyRow; since: number }): Promise<CreateOutcome>;
  /**
   * Moves a task to completed or failed (patch.state), if the guard holds, and in the same
   * transaction settles its cost (completed: cost_usd, with a billing transaction id) or releases
   * its reservation (failed, cancelled). Returns whether the task changed.
   */
  finishTask(id: string, patch: TaskPatch, guard: TaskGuard): Promise<boolean>;
  getKey(id: string): Promise<ApiKeyRow | undefined>;
  updateKeyLimits(id: string, patch: KeyLimitsPatch): Promise<ApiKeyRow | undefined>;
  /** Settled spend by key, UTC day and model, for days in [fromDay, toDay]; all keys when keyId is null. */
  usage(keyId: string | null, fromDay: string, toDay: string): Promise<UsageRow[]>;
  ledgerFor(keyId: string): Promise<LedgerRow[]>;
  getTask(id: string): Promise<TaskRow | undefined>;
  /** Applies patch if the guard holds; returns whether a row changed. */
  updateTask(id: string, patch: TaskPatch, guard?: TaskGuard): Promise<boolean>;
  /**
   * Claims up to `limit` tasks in `states` that are due (next_run_at ≤ now) and not leased by
   * anyone else (or whose lease expired), leasing them to `owner` until now + leaseMs.
   */
  claimDue(states: TaskState[], now: number, limit: number, owner: string, leaseMs: number): Promise<TaskRow[]>;
  /**
   * Due, unleased pending tasks for the fair scheduler: at most `perOwner` per (provider, API key),
   * oldest first, skipping `excludeProviders` (full or paused) so they cannot crowd out the others.
   */
  dueCandidates(now: number, perOwner: number, limit: number, excludeProviders: string[]): Promise<{ id: string; owner_key_id: string; provider: string; next_run_at: number }[]>;
  /** Tasks in flight upstream (submitting, processing, finishing), by provider and API key. */
  inFlightCounts(): Promise<{ provider: string; owner_key_id: string; n: number }[]>;
  /** Leases the given pending tasks that nobody else holds; returns those now leased to `owner`. */
  claimIds(ids: string[], now: number, owner: string, leaseMs: number): Promise<TaskRow[]>;
  /** Completed tasks whose stored output is older than `completedBefore` (Unix seconds) and not yet deleted. */
  expiredOutputs(completedBefore: number, limit: number): Promise<TaskRow[]>;
  /** Pushes out the leases `owner` still holds on these tasks (a heartbeat while work is in flight). */
  extendLeases(ids: string[], owner: string, until: number): Promise<number>;
  /** Tasks leased by `owner` (to release them on shutdown). */
  releaseLeases(owner: string): Promise<number>;
  countByState(): Promise<Record<string, number>>;
}
