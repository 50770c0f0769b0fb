import { sql, type Kysely } from 'kysely';
import { changed, num } from './db.js';
import { ledgerEntry, writeLedger } from './ledger.js';
import { toIdempotency, toTask } from './mappers.js';
import type { Database, IdempotencyKeysTable, TasksTable } from './schema.js';
import type { BudgetRefusal, CreateOutcome, LedgerEntry, NewTask } from './types.js';
import type { NewWorkItem, WorkQueue } from './work-queue.js';

export type CreateJob = { task: NewTask; idem?: { key: string; body_hash: string; since_ms: number } };

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
export async function createTask(ops: CreateOps, { task, idem }: CreateJob, submitItem: (task: NewTask) => NewWorkItem): Promise<CreateOutcome> {
  const owner = task.owner_key_id;
  if (idem) {
    const found = await ops.findIdempotency(owner, idem.key);
    if (found && num(found.created_ms) >= idem.since_ms) return { kind: 'replay', record: toIdempotency(found) };
    // An expired record is replaced: the key may be reused after its window.
    if (found) await ops.deleteIdempotency(owner, idem.key);
    if (!(await ops.insertIdempotency({ owner_key_id: owner, idem_key: idem.key, body_hash: idem.body_hash, task_id: task.id, created_ms: task.created_ms }))) {
      // Another node's create with the same key committed first: replay it.
      return { kind: 'replay', record: toIdempotency((await ops.findIdempotency(owner, idem.key))!) };
    }
  }
  const est = task.estimated_cost_usd;
  if (!(await ops.reserve(owner, est))) {
    if (idem) await ops.deleteIdempotency(owner, idem.key, task.id);
    return budgetRefusal(await ops.budget(owner), est);
  }
  await ops.insertLedger(ledgerEntry(owner, task.id, 'reserve', est, task.model, task.created_ms));
  const row = newTaskRow(task);
  await ops.insertTask(row);
  await ops.enqueue(submitItem(task));
  return { kind: 'created', task: toTask(row) };
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

/** The create's writes through Kysely, in the caller's transaction (PostgreSQL; any dialect). */
export function kyselyCreateOps(trx: Kysely<Database>, queue: WorkQueue): CreateOps {
  const idemRow = (owner: string, key: string) => trx.selectFrom('idempotency_keys').selectAll().where('owner_key_id', '=', owner).where('idem_key', '=', key);
  return {
    findIdempotency: (owner, key) => idemRow(owner, key).executeTakeFirst(),
    async deleteIdempotency(owner, key, taskId) {
      let q = trx.deleteFrom('idempotency_keys').where('owner_key_id', '=', owner).where('idem_key', '=', key);
      if (taskId !== undefined) q = q.where('task_id', '=', taskId);
      await q.execute();
    },
    async insertIdempotency(row) {
      const res = await trx
        .insertInto('idempotency_keys')
        .values(row)
        .onConflict((oc) => oc.columns(['owner_key_id', 'idem_key']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async reserve(owner, est) {
      const res = await trx
        .updateTable('api_keys')
        .set({ reserved_usd: sql`reserved_usd + ${est}` })
        .where('id', '=', owner)
        .where((eb) => eb.or([eb('balance_usd', 'is', null), eb(sql`balance_usd - reserved_usd`, '>=', est - 1e-9)]))
        .where((eb) => eb.or([eb('spend_limit_usd', 'is', null), eb(sql`spent_usd + reserved_usd + ${est}`, '<=', sql`spend_limit_usd + 1e-9`)]))
        .executeTakeFirst();
      return changed(res) > 0;
    },
    budget: (owner) => trx.selectFrom('api_keys').select(['balance_usd', 'reserved_usd', 'spent_usd', 'spend_limit_usd']).where('id', '=', owner).executeTakeFirstOrThrow(),
    insertLedger: (entry) => writeLedger(trx, entry),
    insertTask: (row) => trx.insertInto('tasks').values(row).execute(),
    enqueue: (item) => queue.enqueue(trx, item),
  };
}
