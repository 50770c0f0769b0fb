import { ledgerEntry } from './ledger-entry.js';
import { toIdempotency } from './mappers.js';
import { num } from './numbers.js';
import { LANE_QUEUE, submitPartition } from './queues.js';
import type { IdempotencyKeysTable, TasksTable } from './schema.js';
import type { BudgetRefusal, CreateOutcome, LedgerEntry, NewTask } from './types.js';
import type { NewWorkItem } from './work-queue.js';

// This module runs in the create writer thread too (src/store/create-writer-thread.ts): it imports
// no Kysely (a quarter of a second to load) and nothing else with a large module graph.

/** An Idempotency-Key a create claims: records younger than `since_ms` are replayed. */
export interface IdempotencyClaim {
  key: string;
  body_hash: string;
  since_ms: number;
}

/**
 * A create as it goes to its transaction: the new task's facts (its request as JSON) and its
 * Idempotency-Key. Its three rows are built from it where the transaction runs (createJob), so what
 * crosses to the create writer thread is ten-odd fields, not three rows repeating them: a structured
 * clone's cost follows the property names and string bytes it copies (bench/README.md).
 */
export interface CreateSeed extends Omit<NewTask, 'request'> {
  request_json: string;
  idem?: IdempotencyClaim;
}

export function createSeed(task: NewTask, idem?: IdempotencyClaim): CreateSeed {
  // Field by field, not `...rest`: one object shape, cheap to read and to clone.
  return {
    id: task.id,
    owner_key_id: task.owner_key_id,
    model: task.model,
    provider: task.provider,
    operation: task.operation,
    request_json: JSON.stringify(task.request),
    upstream_model: task.upstream_model,
    estimated_cost_usd: task.estimated_cost_usd,
    callback_url: task.callback_url,
    created_ms: task.created_ms,
    idem,
  };
}

/**
 * One create's rows: the task's, the ledger entry of its reservation and its submission's queue
 * item. Built from the seed where the transaction runs, anew for each attempt (a batch re-run after
 * a rollback gets a new reservation id; nothing had committed, and nothing reads that id outside
 * the ledger).
 */
export interface CreateJob {
  row: TasksTable;
  idem?: IdempotencyClaim;
  reserve: LedgerEntry;
  submit: NewWorkItem;
}

export function createJob(seed: CreateSeed): CreateJob {
  return {
    row: newTaskRow(seed),
    idem: seed.idem,
    reserve: ledgerEntry(seed.owner_key_id, seed.id, 'reserve', seed.estimated_cost_usd, seed.model, seed.created_ms),
    submit: { queue: LANE_QUEUE.submit, item_id: seed.id, partition_key: submitPartition(seed), group_key: seed.provider, due_ms: seed.created_ms },
  };
}

/**
 * What a create did, as the transaction knows it: a created task is its seed's row, which the
 * caller builds from the seed it holds (so a writer thread answers with a word, not the task).
 */
export type StoredOutcome = { kind: 'created' } | Exclude<CreateOutcome, { kind: 'created' }>;

const CREATED: StoredOutcome = { kind: 'created' };

export interface KeyBudget {
  balance_usd: number | null;
  reserved_usd: number;
  spent_usd: number;
  spend_limit_usd: number | null;
}

/**
 * The few writes a create makes, inside one transaction the caller holds. Two implementations:
 * Kysely (any dialect) and prepared SQLite statements (the embedded default's hot path, where
 * building queries would cost more than running them). One algorithm (`createTask`) drives both.
 */
export interface CreateOps {
  findIdempotency(owner: string, key: string): IdempotencyKeysTable | undefined | Promise<IdempotencyKeysTable | undefined>;
  /** `taskId`: only the record this create made. */
  deleteIdempotency(owner: string, key: string, taskId?: string): unknown;
  /** False when another create holds the key already (it committed first). */
  insertIdempotency(row: IdempotencyKeysTable): boolean | Promise<boolean>;
  /** Adds to the key's reservation only if its balance and spend limit cover it. */
  reserve(owner: string, amountUsd: number): boolean | Promise<boolean>;
  budget(owner: string): KeyBudget | Promise<KeyBudget>;
  insertLedger(entry: LedgerEntry): unknown;
  insertTask(row: TasksTable): unknown;
  enqueue(item: NewWorkItem): unknown;
}

/** What a new task's row looks like. */
export function newTaskRow(task: CreateSeed): TasksTable {
  return {
    id: task.id,
    owner_key_id: task.owner_key_id,
    model: task.model,
    provider: task.provider,
    operation: task.operation,
    state: 'pending',
    request_json: task.request_json,
    upstream_model: task.upstream_model,
    upstream_id: null,
    progress: null,
    error_code: null,
    error_message: null,
    cancelled: 0,
    created_ms: task.created_ms,
    updated_ms: task.created_ms,
    submitted_ms: null,
    completed_ms: null,
    output_expired_ms: null,
    deleted_ms: null,
    outputs_json: null,
    video_blob: null,
    video_duration_s: null,
    video_width: null,
    video_height: null,
    video_has_audio: null,
    estimated_cost_usd: task.estimated_cost_usd,
    cost_usd: null,
    billing_transaction_id: null,
    callback_url: task.callback_url,
    channel_id: null,
    version: 0,
  };
}

/**
 * One create: replay a live idempotency record; else reserve the estimate (or refuse, writing
 * nothing), write the ledger row and the task, and queue its submission.
 */
export async function createTask(ops: CreateOps, { row, idem, reserve, submit }: CreateJob): Promise<StoredOutcome> {
  const owner = row.owner_key_id;
  if (idem) {
    const found = await ops.findIdempotency(owner, idem.key);
    if (found && num(found.created_ms) >= idem.since_ms) return { kind: 'replay', record: toIdempotency(found) };
    // An expired record is replaced: the key may be reused after its window.
    if (found) await ops.deleteIdempotency(owner, idem.key);
    if (!(await ops.insertIdempotency({ owner_key_id: owner, idem_key: idem.key, body_hash: idem.body_hash, task_id: row.id, created_ms: row.created_ms }))) {
      // Another node's create with the same key committed first: replay it.
      return { kind: 'replay', record: toIdempotency((await ops.findIdempotency(owner, idem.key))!) };
    }
  }
  const est = row.estimated_cost_usd;
  if (!(await ops.reserve(owner, est))) {
    if (idem) await ops.deleteIdempotency(owner, idem.key, row.id);
    return budgetRefusal(await ops.budget(owner), est);
  }
  await ops.insertLedger(reserve);
  await ops.insertTask(row);
  await ops.enqueue(submit);
  return CREATED;
}

/** Every create of a batch, in order, in the caller's one transaction. */
export async function createTasks(ops: CreateOps, seeds: CreateSeed[]): Promise<StoredOutcome[]> {
  const out: StoredOutcome[] = [];
  for (const seed of seeds) out.push(await createTask(ops, createJob(seed)));
  return out;
}

/** Why the key's budget cannot hold `est` more (for creates and re-priced submissions alike). */
export function budgetRefusal(key: KeyBudget, est: number): BudgetRefusal {
  const balance = key.balance_usd === null ? null : num(key.balance_usd);
  const reserved = num(key.reserved_usd);
  if (balance !== null && balance - reserved < est - 1e-9) {
    return { kind: 'insufficient_balance', balanceUsd: balance, availableUsd: Math.round((balance - reserved) * 1e6) / 1e6 };
  }
  const limit = num(key.spend_limit_usd);
  return { kind: 'quota_exceeded', limitUsd: limit, remainingUsd: Math.round(Math.max(0, limit - num(key.spent_usd) - reserved) * 1e6) / 1e6 };
}
