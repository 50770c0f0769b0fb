import { sql, type Kysely } from 'kysely';
import { reshapeForManyNodes } from './migrations/006-many-nodes.js';
import { addUpstreamCallbacks } from './migrations/009-upstream-callbacks.js';

/**
 * Schema migrations, portable across SQLite and PostgreSQL (Kysely's schema builder only).
 * Append new entries; never edit an applied one.
 */
export const MIGRATIONS: { name: string; up: (db: Kysely<any>) => Promise<void> }[] = [
  {
    name: '001_initial',
    async up(db) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('is_admin', 'integer', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('revoked', 'bigint')
        .execute();
      await db.schema
        .createTable('tasks')
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
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .addColumn('next_run_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('submitted_at', 'bigint')
        .addColumn('outputs_json', 'text')
        .addColumn('video_blob', 'text')
        .addColumn('video_duration', 'double precision')
        .addColumn('video_width', 'integer')
        .addColumn('video_height', 'integer')
        .addColumn('video_has_audio', 'integer')
        .addColumn('estimated_cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision')
        .execute();
      // The engine's hot query: due work by state.
      await db.schema.createIndex('tasks_due').on('tasks').columns(['state', 'next_run_at']).execute();
      await db.schema.createIndex('tasks_owner').on('tasks').columns(['owner_key_id', 'created']).execute();
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '002_idempotency',
    async up(db) {
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('owner_key_id', 'text', (c) => c.notNull())
        .addColumn('idem_key', 'text', (c) => c.notNull())
        .addColumn('body_hash', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['owner_key_id', 'idem_key'])
        .execute();
    },
  },
  {
    name: '003_billing_and_callbacks',
    async up(db) {
      // Balance: prepaid credit (null = no balance tracking); spend limit: cap on spent + reserved.
      await db.schema.alterTable('api_keys').addColumn('balance_usd', 'double precision').execute();
      await db.schema.alterTable('api_keys').addColumn('spend_limit_usd', 'double precision').execute();
      await db.schema
        .alterTable('api_keys')
        .addColumn('reserved_usd', 'double precision', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('api_keys')
        .addColumn('spent_usd', 'double precision', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('api_keys').addColumn('rpm_limit', 'integer').execute();
      await db.schema.alterTable('api_keys').addColumn('webhook_url', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('webhook_secret', 'text').execute();
      await db.schema.alterTable('tasks').addColumn('billing_transaction_id', 'text').execute();
      await db.schema.alterTable('tasks').addColumn('callback_url', 'text').execute();
      await db.schema
        .createTable('ledger')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('amount_usd', 'double precision', (c) => c.notNull())
        .addColumn('model', 'text')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_key_day').on('ledger').columns(['key_id', 'day']).execute();
    },
  },
  {
    name: '004_retention',
    async up(db) {
      // When the output was stored, and when retention deleted it (the task row itself is kept).
      await db.schema.alterTable('tasks').addColumn('completed_at', 'bigint').execute();
      await db.schema.alterTable('tasks').addColumn('output_expired_at', 'bigint').execute();
    },
  },
  {
    name: '005_webhooks',
    async up(db) {
      // One event per (task, type), carrying its webhook-id, retry position and lease.
      await db.schema
        .createTable('webhook_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('owner_key_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('round_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('last_response_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'bigint')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addUniqueConstraint('webhook_events_task_type', ['task_id', 'event_type'])
        .execute();
      await db.schema.createIndex('webhook_events_due').on('webhook_events').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('webhook_events_owner').on('webhook_events').columns(['owner_key_id', 'created']).execute();
      // The delivery log: one row per attempt.
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('started', 'bigint', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('error', 'text')
        .addColumn('succeeded', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_attempts_event').on('webhook_attempts').columns(['event_id', 'attempt']).execute();
      // Finding finished tasks that still lack an event scans recent tasks by `updated`.
      await db.schema.createIndex('tasks_updated').on('tasks').columns(['updated']).execute();
    },
  },
  { name: '006_many_nodes', up: reshapeForManyNodes },
  {
    name: '007_claim_indexes',
    async up(db) {
      // Claims must cost what they take, whatever the backlog: interrupted submissions (leased
      // items whose lease ran out) and the head of a partition (unleased items) each get an index
      // holding only the rows such a claim can take.
      await db.schema.createIndex('work_items_leased_due').on('work_items').columns(['queue', 'due_ms']).where(sql.ref('lease_owner'), 'is not', null).execute();
      await db.schema.createIndex('work_items_free_partition_due').on('work_items').columns(['queue', 'partition_key', 'due_ms']).where(sql.ref('lease_owner'), 'is', null).execute();
      await db.schema.dropIndex('work_items_partition_due').execute();
    },
  },
  {
    name: '008_task_channel',
    async up(db) {
      // The channel a task is pinned to; null = nothing sent yet. Tasks already sent went through
      // their provider's default channel: '~default' (PRE_CHANNEL_PIN) says so.
      await db.schema.alterTable('tasks').addColumn('channel_id', 'text').execute();
      await db.updateTable('tasks').set({ channel_id: '~default' }).where('state', '<>', 'pending').execute();
    },
  },
  { name: '009_upstream_callbacks', up: addUpstreamCallbacks },
  {
    name: '010_task_deleted',
    async up(db) {
      // When the owner deleted the video (OpenAI's DELETE /v1/videos/{id}); the row stays for its ledger entries.
      await db.schema.alterTable('tasks').addColumn('deleted_ms', 'bigint').execute();
    },
  },
  {
    name: '011_ledger_settle_indexes',
    async up(db) {
      // The ledger's indexes serve its only indexed reader, the usage report, which counts settled
      // charges: a create's reservation row no longer goes into them (two B-tree pages fewer in
      // every create transaction; bench/README.md, twelfth session).
      await db.schema.dropIndex('ledger_key_day').execute();
      await db.schema.dropIndex('ledger_day').execute();
      await db.schema.createIndex('ledger_settle_key_day').on('ledger').columns(['key_id', 'day']).where(sql.ref('kind'), '=', sql.lit('settle')).execute();
      await db.schema.createIndex('ledger_settle_day').on('ledger').column('day').where(sql.ref('kind'), '=', sql.lit('settle')).execute();
    },
  },
  {
    name: '012_plain_due_index',
    async up(db) {
      // Plain claims (polls, downloads: queues without partitions) take the earliest due items of
      // their queue; every submission entered the index they read, which no claim of submissions
      // reads (fair queues have their own). An index a create's row enters costs its transaction
      // two to three WAL pages on SQLite (bench/README.md, twelfth session).
      await db.schema.dropIndex('work_items_due').execute();
      await db.schema.createIndex('work_items_plain_due').on('work_items').columns(['queue', 'due_ms']).where(sql.ref('partition_key'), '=', sql.lit('')).execute();
    },
  },
];

/** Applies what is missing, in order, each migration in its own transaction. */
export async function runMigrations(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('vidgate_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied', 'bigint', (c) => c.notNull())
    .execute();
  const done = new Set((await db.selectFrom('vidgate_migrations').select('name').execute()).map((r: { name: string }) => r.name));
  for (const m of MIGRATIONS) {
    if (done.has(m.name)) continue;
    await db.transaction().execute(async (trx) => {
      await m.up(trx);
      await trx
        .insertInto('vidgate_migrations')
        .values({ name: m.name, applied: Math.floor(Date.now() / 1000) })
        .execute();
    });
  }
}

/**
 * PostgreSQL: several nodes may start at once. One session-level advisory lock makes them take
 * turns; the first applies what is missing, the others find it done.
 */
export async function runMigrationsLocked(db: Kysely<any>): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
    try {
      await runMigrations(conn);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
    }
  });
}

/** An arbitrary constant shared by every Vidgate node ('vidg' in ASCII). */
const MIGRATION_LOCK_ID = 0x76696467;
