import { toIdempotency } from './mappers.js';
import { num } from './numbers.js';
import type { IdempotencyKeysTable, TasksTable } from './schema.js';
import type { BudgetRefusal, CreateOutcome, LedgerEntry, NewTask } from './types.js';
import type { NewWorkItem } from './work-queue.js';

// This module runs in the create writer thread too (src/store/create-writer-thread.ts): it imports
// no Kysely (a quarter of a second to load) and nothing else with a large module graph.

/**
 * One create, with everything decided before its transaction: the task's row, the ledger entry of
 * its reservation and its submission's queue item. Plain data, so it can be sent to another thread.
 */
export interface CreateJob {
  row: TasksTable;
  idem?: { key: string; body_hash: string; since_ms: number };
  reserve: LedgerEntry;
  submit: NewWorkItem;
}

/** A task row's columns, in a fixed order (a packed job's, and the create's INSERT). */
export const TASK_COLUMNS = [
  'id',
  'owner_key_id',
  'model',
  'provider',
  'operation',
  'state',
  'request_json',
  'upstream_model',
  'upstream_id',
  'progress',
  'error_code',
  'error_message',
  'cancelled',
  'created_ms',
  'updated_ms',
  'submitted_ms',
  'completed_ms',
  'output_expired_ms',
  'deleted_ms',
  'outputs_json',
  'video_blob',
  'video_duration_s',
  'video_width',
  'video_height',
  'video_has_audio',
  'estimated_cost_usd',
  'cost_usd',
  'billing_transaction_id',
  'callback_url',
  'channel_id',
  'version',
] as const satisfies readonly (keyof TasksTable)[];
const LEDGER_FIELDS = ['id', 'key_id', 'task_id', 'kind', 'amount_usd', 'model', 'day', 'created_ms'] as const satisfies readonly (keyof LedgerEntry)[];
const SUBMIT_FIELDS = ['queue', 'item_id', 'partition_key', 'group_key', 'due_ms', 'attempts'] as const satisfies readonly (keyof NewWorkItem)[];
// Every field is packed: a field added to one of these types and not to its list fails to compile.
type Unlisted = Exclude<keyof TasksTable, (typeof TASK_COLUMNS)[number]> | Exclude<keyof LedgerEntry, (typeof LEDGER_FIELDS)[number]> | Exclude<keyof NewWorkItem, (typeof SUBMIT_FIELDS)[number]>;
const EVERY_FIELD_PACKED: [Unlisted] extends [never] ? true : Unlisted = true;
void EVERY_FIELD_PACKED;
/** Values per packed job: the row, the Idempotency-Key's three, the reservation, the queue item. */
const PACKED_LENGTH = TASK_COLUMNS.length + 3 + LEDGER_FIELDS.length + SUBMIT_FIELDS.length;

/**
 * Jobs for another thread as one flat array of their values, in the order of the lists above. A
 * structured clone writes every property's name out again for every object; of an array of
 * values, only the values: the HTTP thread pays a fraction for sending a batch to the create writer
 * thread (bench/README.md, eighth session).
 */
export function packJobs(jobs: readonly CreateJob[]): unknown[] {
  const out: unknown[] = [];
  for (const { row, idem, reserve, submit } of jobs) {
    for (const c of TASK_COLUMNS) out.push(row[c]);
    if (idem) out.push(idem.key, idem.body_hash, idem.since_ms);
    else out.push(null, null, null);
    for (const f of LEDGER_FIELDS) out.push(reserve[f]);
    for (const f of SUBMIT_FIELDS) out.push(submit[f]);
  }
  return out;
}

/** packJobs undone. */
export function unpackJobs(packed: readonly unknown[]): CreateJob[] {
  const jobs: CreateJob[] = [];
  for (let at = 0; at < packed.length; at += PACKED_LENGTH) {
    let i = at;
    const row: Record<string, unknown> = {};
    for (const c of TASK_COLUMNS) row[c] = packed[i++];
    const key = packed[i];
    const idem = key === null ? undefined : { key: key as string, body_hash: packed[i + 1] as string, since_ms: packed[i + 2] as number };
    i += 3;
    const reserve: Record<string, unknown> = {};
    for (const f of LEDGER_FIELDS) reserve[f] = packed[i++];
    const submit: Record<string, unknown> = {};
    for (const f of SUBMIT_FIELDS) submit[f] = packed[i++];
    jobs.push({ row: row as unknown as TasksTable, idem, reserve: reserve as unknown as LedgerEntry, submit: submit as unknown as NewWorkItem });
  }
  return jobs;
}

/**
 * What a create did, as the transaction knows it: a created task is the job's row, which the caller
 * already holds (so a writer thread answers with a word, not the task).
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
export function newTaskRow(task: NewTask): TasksTable {
  return {
    id: task.id,
    owner_key_id: task.owner_key_id,
    model: task.model,
    provider: task.provider,
    operation: task.operation,
    state: 'pending',
    request_json: JSON.stringify(task.request),
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
export async function createTasks(ops: CreateOps, jobs: CreateJob[]): Promise<StoredOutcome[]> {
  const out: StoredOutcome[] = [];
  for (const job of jobs) out.push(await createTask(ops, job));
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
