import { sql, type Kysely } from 'kysely';
import { FAR_FUTURE_MS } from '../work-queue.js';

/**
 * The reshape for many nodes:
 * - every time column becomes epoch milliseconds named `_ms` (before: a mix of seconds and ms);
 * - the engine's scheduling columns (next run, lease, attempts) leave `tasks` for the shared work
 *   queue (`work_items`, with `work_partitions` for fair claims), as do webhook events' leases;
 * - tasks gain `version` (bumped on every change: ETags and waiters);
 * - webhook events of finished tasks are queued by the transaction that finishes the task, so the
 *   index that served the old scan for them goes.
 * Tables are rebuilt (create new, copy, drop, rename) so SQLite and PostgreSQL take the same path.
 */
export async function reshapeForManyNodes(db: Kysely<any>): Promise<void> {
  await rebuildApiKeys(db);
  await rebuildTasks(db);
  await rebuildLedger(db);
  await rebuildIdempotency(db);
  await createWorkQueue(db);
  await queueExistingTasks(db);
  await rebuildWebhooks(db);
}

async function swap(db: Kysely<any>, table: string): Promise<void> {
  await db.schema.dropTable(table).execute();
  await db.schema.alterTable(`${table}_v6`).renameTo(table).execute();
}

async function rebuildApiKeys(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys_v6')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('revoked_ms', 'bigint')
    .addColumn('balance_usd', 'double precision')
    .addColumn('spend_limit_usd', 'double precision')
    .addColumn('reserved_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('spent_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('rpm_limit', 'integer')
    .addColumn('webhook_url', 'text')
    .addColumn('webhook_secret', 'text')
    .execute();
  await sql`insert into api_keys_v6 (id, name, hash, prefix, is_admin, created_ms, revoked_ms, balance_usd, spend_limit_usd, reserved_usd, spent_usd, rpm_limit, webhook_url, webhook_secret)
    select id, name, hash, prefix, is_admin, created * 1000, revoked * 1000, balance_usd, spend_limit_usd, reserved_usd, spent_usd, rpm_limit, webhook_url, webhook_secret from api_keys`.execute(db);
  await swap(db, 'api_keys');
}

async function rebuildTasks(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tasks_v6')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_key_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('request_json', 'text', (c) => c.notNull())
    .addColumn('upstream_model', 'text', (c) => c.notNull())
    .addColumn('upstream_id', 'text')
    .addColumn('progress', 'integer')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('cancelled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addColumn('submitted_ms', 'bigint')
    .addColumn('completed_ms', 'bigint')
    .addColumn('output_expired_ms', 'bigint')
    .addColumn('outputs_json', 'text')
    .addColumn('video_blob', 'text')
    .addColumn('video_duration_s', 'double precision')
    .addColumn('video_width', 'integer')
    .addColumn('video_height', 'integer')
    .addColumn('video_has_audio', 'integer')
    .addColumn('estimated_cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', 'double precision')
    .addColumn('billing_transaction_id', 'text')
    .addColumn('callback_url', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into tasks_v6 (id, owner_key_id, model, provider, operation, state, request_json, upstream_model, upstream_id, progress, error_code, error_message, cancelled,
      created_ms, updated_ms, submitted_ms, completed_ms, output_expired_ms, outputs_json, video_blob, video_duration_s, video_width, video_height, video_has_audio,
      estimated_cost_usd, cost_usd, billing_transaction_id, callback_url, version)
    select id, owner_key_id, model, provider, operation, state, request_json, upstream_model, upstream_id, progress, error_code, error_message, cancelled,
      created * 1000, updated * 1000, submitted_at, completed_at * 1000, output_expired_at * 1000, outputs_json, video_blob, video_duration, video_width, video_height, video_has_audio,
      estimated_cost_usd, cost_usd, billing_transaction_id, callback_url, 0 from tasks`.execute(db);
  // Keep the old scheduling columns around until they are copied into the work queue.
  await db.schema.alterTable('tasks').renameTo('tasks_v5').execute();
  await db.schema.alterTable('tasks_v6').renameTo('tasks').execute();
  // A key's task list, newest first.
  await db.schema.createIndex('tasks_owner_created').on('tasks').columns(['owner_key_id', 'created_ms', 'id']).execute();
  // Unfinished tasks by state (metrics); terminal states are the bulk and are never counted this way.
  await db.schema.createIndex('tasks_state').on('tasks').column('state').execute();
  // Retention: stored outputs by completion time.
  await db.schema.createIndex('tasks_stored_output').on('tasks').column('completed_ms').where(sql.ref('video_blob'), 'is not', null).execute();
}

async function rebuildLedger(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_v6')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_usd', 'double precision', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into ledger_v6 (id, key_id, task_id, kind, amount_usd, model, day, created_ms)
    select id, key_id, task_id, kind, amount_usd, model, day, created * 1000 from ledger`.execute(db);
  await swap(db, 'ledger');
  await db.schema.createIndex('ledger_key_day').on('ledger').columns(['key_id', 'day']).execute();
  await db.schema.createIndex('ledger_day').on('ledger').columns(['day', 'kind']).execute();
}

async function rebuildIdempotency(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys_v6')
    .addColumn('owner_key_id', 'text', (c) => c.notNull())
    .addColumn('idem_key', 'text', (c) => c.notNull())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_v6_pk', ['owner_key_id', 'idem_key'])
    .execute();
  await sql`insert into idempotency_keys_v6 (owner_key_id, idem_key, body_hash, task_id, created_ms)
    select owner_key_id, idem_key, body_hash, task_id, created * 1000 from idempotency_keys`.execute(db);
  await swap(db, 'idempotency_keys');
  await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_ms').execute();
}

async function createWorkQueue(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('work_items')
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('partition_key', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('group_key', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('due_ms', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('work_items_pk', ['queue', 'item_id'])
    .execute();
  // Plain claims: the earliest due items of a queue.
  await db.schema.createIndex('work_items_due').on('work_items').columns(['queue', 'due_ms']).execute();
  // Fair claims: the head of one partition.
  await db.schema.createIndex('work_items_partition_due').on('work_items').columns(['queue', 'partition_key', 'due_ms']).execute();
  await db.schema
    .createTable('work_partitions')
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('partition_key', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('head_due_ms', 'bigint', (c) => c.notNull())
    .addColumn('served_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('in_flight', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('work_partitions_pk', ['queue', 'partition_key'])
    .execute();
  await db.schema.createIndex('work_partitions_ready').on('work_partitions').columns(['queue', 'head_due_ms']).execute();
}

/** Unfinished tasks carry on from the queue: pending and interrupted submissions, polls, downloads. */
async function queueExistingTasks(db: Kysely<any>): Promise<void> {
  const partition = sql`provider || '/' || owner_key_id`;
  // A submission that was in flight keeps its (maybe expired) lease, so recovery looks it up.
  await sql`insert into work_items (queue, item_id, partition_key, group_key, due_ms, lease_owner, attempts)
    select 'task.submit', id, ${partition}, provider,
      case when state = 'submitting' then coalesce(lease_until, 0) else next_run_at end,
      case when state = 'submitting' then coalesce(lease_owner, 'migration') else null end, attempts
    from tasks_v5 where state in ('pending', 'submitting')`.execute(db);
  await sql`insert into work_items (queue, item_id, partition_key, group_key, due_ms, lease_owner, attempts)
    select case when state = 'processing' then 'task.poll' else 'task.finish' end, id, '', provider, next_run_at, null, attempts
    from tasks_v5 where state in ('processing', 'finishing')`.execute(db);
  await sql`insert into work_partitions (queue, partition_key, group_key, head_due_ms, served_ms, in_flight)
    select 'task.submit', ${partition}, provider,
      coalesce(min(case when state = 'pending' then next_run_at end), ${FAR_FUTURE_MS}), 0,
      sum(case when state <> 'pending' then 1 else 0 end)
    from tasks_v5 where state in ('pending', 'submitting', 'processing', 'finishing')
    group by provider, owner_key_id`.execute(db);
  await db.schema.dropTable('tasks_v5').execute();
}

async function rebuildWebhooks(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_events_v6')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('owner_key_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('round_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ms', 'bigint')
    .addColumn('last_response_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_ms', 'bigint')
    .addUniqueConstraint('webhook_events_v6_task_type', ['task_id', 'event_type'])
    .execute();
  await sql`insert into webhook_events_v6 (id, task_id, owner_key_id, event_type, url, created_ms, status, round, round_attempts, attempt_count, next_attempt_ms, last_response_status, last_error, delivered_ms)
    select id, task_id, owner_key_id, event_type, url, created * 1000, status, round, round_attempts, attempt_count, next_attempt_at, last_response_status, last_error, delivered_at * 1000
    from webhook_events`.execute(db);
  await sql`insert into work_items (queue, item_id, partition_key, group_key, due_ms, lease_owner, attempts)
    select 'webhook', id, owner_key_id, '', coalesce(next_attempt_at, 0), null, 0 from webhook_events where status = 'pending'`.execute(db);
  await sql`insert into work_partitions (queue, partition_key, group_key, head_due_ms, served_ms, in_flight)
    select 'webhook', owner_key_id, '', min(coalesce(next_attempt_at, 0)), 0, 0 from webhook_events where status = 'pending' group by owner_key_id`.execute(db);
  await swap(db, 'webhook_events');
  await db.schema.createIndex('webhook_events_owner').on('webhook_events').columns(['owner_key_id', 'created_ms']).execute();

  await db.schema
    .createTable('webhook_attempts_v6')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_ms', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('error', 'text')
    .addColumn('succeeded', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into webhook_attempts_v6 (id, event_id, attempt, trigger, started_ms, duration_ms, response_status, error, succeeded)
    select id, event_id, attempt, trigger, started * 1000, duration_ms, response_status, error, succeeded from webhook_attempts`.execute(db);
  await swap(db, 'webhook_attempts');
  await db.schema.createIndex('webhook_attempts_event').on('webhook_attempts').columns(['event_id', 'attempt']).execute();
}
