import type SQLite from 'better-sqlite3';
import type { CreateOps } from './create-task.js';
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

const insertSql = (table: string, columns: readonly string[]) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;

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
      `UPDATE api_keys SET reserved_usd = reserved_usd + @est WHERE id = @id
         AND (balance_usd IS NULL OR balance_usd - reserved_usd >= @est - 1e-9)
         AND (spend_limit_usd IS NULL OR spent_usd + reserved_usd + @est <= spend_limit_usd + 1e-9)`,
    ),
    budget: db.prepare<[string], { balance_usd: number | null; reserved_usd: number; spent_usd: number; spend_limit_usd: number | null }>(
      'SELECT balance_usd, reserved_usd, spent_usd, spend_limit_usd FROM api_keys WHERE id = ?',
    ),
    ledger: db.prepare(insertSql('ledger', ['id', 'key_id', 'task_id', 'kind', 'amount_usd', 'model', 'day', 'created_ms'])),
    task: db.prepare(insertSql('tasks', TASK_COLUMNS)),
    // As WorkQueue.enqueue: the partition learns its new head first, then the item.
    head: db.prepare(
      `INSERT INTO work_partitions (queue, partition_key, group_key, head_due_ms, served_ms, in_flight) VALUES (@queue, @partition_key, @group_key, @due_ms, 0, 0)
       ON CONFLICT (queue, partition_key) DO UPDATE SET head_due_ms = CASE WHEN work_partitions.head_due_ms < @due_ms THEN work_partitions.head_due_ms ELSE @due_ms END`,
    ),
    item: db.prepare(insertSql('work_items', ['queue', 'item_id', 'partition_key', 'group_key', 'due_ms', 'lease_owner', 'attempts'])),
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
    insertIdempotency: (row) => s.insertIdem.run(row).changes > 0,
    reserve: (owner, est) => s.reserve.run({ id: owner, est }).changes > 0,
    budget: (owner) => s.budget.get(owner)!,
    insertLedger: (entry: LedgerEntry) => s.ledger.run(entry),
    insertTask: (row: TasksTable) => s.task.run(row),
    enqueue(item) {
      const row = { queue: item.queue, item_id: item.item_id, partition_key: item.partition_key ?? '', group_key: item.group_key ?? '', due_ms: item.due_ms, lease_owner: null, attempts: item.attempts ?? 0 };
      const head = `${row.queue}\n${row.partition_key}`;
      const set = heads.get(head);
      if (set === undefined || row.due_ms < set) {
        s.head.run(row);
        heads.set(head, row.due_ms);
      }
      s.item.run(row);
    },
  };
}
