import type SQLite from 'better-sqlite3';
import type { CreateOps } from './create-task.js';
import { FAIR_QUEUES } from './queues.js';
import type { IdempotencyKeysTable, TasksTable } from './schema.js';
import type { LedgerEntry } from './types.js';

const TASK_COLUMNS = [
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

/**
 * An INSERT with positional parameters, bound from explicit arguments: better-sqlite3 binds a named
 * parameter with two property lookups on the object (has, then get), an array through a slower
 * path still; across a create's rows that was ~8 µs of the writer thread's ~42 (bench/README.md,
 * tenth session). The argument lists below follow these column lists (test/store/sqlite-create.test.ts).
 */
const insertSql = (table: string, columns: readonly string[]) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;

/** The create's writes on one SQLite connection; `newTransaction` before each transaction's first create. */
export interface SqliteCreateOps extends CreateOps {
  newTransaction(): void;
}

/**
 * The create's writes as prepared SQLite statements: the same SQL the Kysely path builds, prepared
 * once. Run only inside a transaction the caller holds on this connection.
 */
export function sqliteCreateOps(db: SQLite.Database): SqliteCreateOps {
  const s = {
    findIdem: db.prepare<[string, string], IdempotencyKeysTable>('SELECT * FROM idempotency_keys WHERE owner_key_id = ? AND idem_key = ?'),
    deleteIdem: db.prepare('DELETE FROM idempotency_keys WHERE owner_key_id = ? AND idem_key = ?'),
    deleteIdemOf: db.prepare('DELETE FROM idempotency_keys WHERE owner_key_id = ? AND idem_key = ? AND task_id = ?'),
    insertIdem: db.prepare(`${insertSql('idempotency_keys', ['owner_key_id', 'idem_key', 'body_hash', 'task_id', 'created_ms'])} ON CONFLICT (owner_key_id, idem_key) DO NOTHING`),
    reserve: db.prepare(
      // Parameters: the estimate, the key, the estimate, the estimate. The total rounded as ledger.ts's plusUsd does.
      `UPDATE api_keys SET reserved_usd = round((reserved_usd + ?) * 1000000) / 1000000 WHERE id = ?
         AND (balance_usd IS NULL OR balance_usd - reserved_usd >= ? - 1e-9)
         AND (spend_limit_usd IS NULL OR spent_usd + reserved_usd + ? <= spend_limit_usd + 1e-9)`,
    ),
    budget: db.prepare<[string], { balance_usd: number | null; reserved_usd: number; spent_usd: number; spend_limit_usd: number | null }>(
      'SELECT balance_usd, reserved_usd, spent_usd, spend_limit_usd FROM api_keys WHERE id = ?',
    ),
    ledger: db.prepare(insertSql('ledger', ['id', 'key_id', 'task_id', 'kind', 'amount_usd', 'model', 'day', 'created_ms'])),
    task: db.prepare(insertSql('tasks', TASK_COLUMNS)),
    // As WorkQueue.enqueue: the partition learns its new head first, then the item. A head already
    // earlier is left as it is, unwritten (see WorkQueue.lowerHead).
    head: db.prepare(
      `INSERT INTO work_partitions (queue, partition_key, group_key, head_due_ms, served_ms, in_flight) VALUES (?, ?, ?, ?, 0, 0)
       ON CONFLICT (queue, partition_key) DO UPDATE SET head_due_ms = excluded.head_due_ms WHERE excluded.head_due_ms < work_partitions.head_due_ms`,
    ),
    // Unleased: lease_owner stays NULL.
    item: db.prepare(insertSql('work_items', ['queue', 'item_id', 'partition_key', 'group_key', 'due_ms', 'attempts'])),
  };
  // The partition heads this transaction has set (queue + partition → head due). A batch of creates
  // of one key and provider is one partition: its head is the earliest due, written once, not once
  // per create (a later create's due only lowers it if the clock went backwards between them).
  let heads = new Map<string, number>();
  return {
    newTransaction() {
      heads = new Map();
    },
    findIdempotency: (owner, key) => s.findIdem.get(owner, key),
    deleteIdempotency: (owner, key, taskId) => (taskId === undefined ? s.deleteIdem.run(owner, key) : s.deleteIdemOf.run(owner, key, taskId)),
    insertIdempotency: (r) => s.insertIdem.run(r.owner_key_id, r.idem_key, r.body_hash, r.task_id, r.created_ms).changes > 0,
    reserve: (owner, est) => s.reserve.run(est, owner, est, est).changes > 0,
    budget: (owner) => s.budget.get(owner)!,
    insertLedger: (e: LedgerEntry) => s.ledger.run(e.id, e.key_id, e.task_id, e.kind, e.amount_usd, e.model, e.day, e.created_ms),
    // TASK_COLUMNS' order.
    insertTask: (r: TasksTable) =>
      s.task.run(
        r.id,
        r.owner_key_id,
        r.model,
        r.provider,
        r.operation,
        r.state,
        r.request_json,
        r.upstream_model,
        r.upstream_id,
        r.progress,
        r.error_code,
        r.error_message,
        r.cancelled,
        r.created_ms,
        r.updated_ms,
        r.submitted_ms,
        r.completed_ms,
        r.output_expired_ms,
        r.deleted_ms,
        r.outputs_json,
        r.video_blob,
        r.video_duration_s,
        r.video_width,
        r.video_height,
        r.video_has_audio,
        r.estimated_cost_usd,
        r.cost_usd,
        r.billing_transaction_id,
        r.callback_url,
        r.channel_id,
        r.version,
      ),
    enqueue(item) {
      // Always a fair queue's item (a create's submission): its partition learns the new head.
      if (!FAIR_QUEUES.has(item.queue)) throw new Error(`the create writer enqueues to fair queues only, not ${item.queue}`);
      const partition = item.partition_key ?? '';
      const group = item.group_key ?? '';
      const head = `${item.queue}\n${partition}`;
      const set = heads.get(head);
      if (set === undefined || item.due_ms < set) {
        s.head.run(item.queue, partition, group, item.due_ms);
        heads.set(head, item.due_ms);
      }
      s.item.run(item.queue, item.item_id, partition, group, item.due_ms, item.attempts ?? 0);
    },
  };
}
