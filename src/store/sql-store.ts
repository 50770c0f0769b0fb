import { sql } from 'kysely';
import type { Db } from './db.js';
import type { Batching } from './group-commit.js';
import { SqlKeyRepository } from './keys.js';
import { SqlLedgerRepository } from './ledger.js';
import { runMigrations, runMigrationsLocked } from './migrations.js';
import type { TasksTable } from './schema.js';
import { SqlIdempotencyRepository, SqlMetaRepository } from './small-repos.js';
import { FAIR_QUEUES } from './queues.js';
import { SqlTaskRepository, type CreateBatch } from './tasks.js';
import type { Store } from './types.js';
import { SqlUpstreamCallbackRepository } from './upstream-callbacks.js';
import { SqlWebhookRepository } from './webhooks.js';
import { WorkQueue } from './work-queue.js';

export interface SqlStoreOptions {
  /** A faster way to read one task row (SQLite: a prepared statement). */
  fastTaskRow?: (id: string) => TasksTable | undefined;
  /** A faster way to run batches of creates (SQLite: prepared statements, in the create writer thread or not). */
  createBatch?: CreateBatch;
  /** How creates are batched (default: one batch under way at a time, each waiting for the previous one). */
  createBatching?: Batching;
  /** Where other nodes' (or threads') task changes are heard (PostgreSQL LISTEN, SQLite threadFeed); started with the first watcher. */
  changeFeed?: ChangeFeed;
  /** First when closing, while the connection is open (SQLite: the create writer's batches in flight finish). */
  beforeClose?: () => Promise<void>;
  /** Extra work when closing (the driver's own handles). */
  onClose?: () => void | Promise<void>;
  /** SQLite: how many WAL fsyncs this connection has started. */
  walSyncs?: () => number;
}

/** A source of task-change and work-due notices from elsewhere. */
export interface ChangeFeed {
  start(onIds: (ids: string[]) => void, onWorkDue: () => void): void;
  /** Tells the others of a change this connection committed (where the database does not: SQLite). */
  publish?(id: string): void;
  stop(): Promise<void>;
}

/** The repositories over one SQL database (dialect differences live in Db and the work queue). */
export class SqlStore implements Store {
  readonly keys: SqlKeyRepository;
  readonly tasks: SqlTaskRepository;
  readonly ledger: SqlLedgerRepository;
  readonly idempotency: SqlIdempotencyRepository;
  readonly meta: SqlMetaRepository;
  readonly webhooks: SqlWebhookRepository;
  readonly upstreamCallbacks: SqlUpstreamCallbackRepository;
  readonly queue: WorkQueue;

  private readonly watchers = new Set<(id: string) => void>();
  private readonly dueWatchers = new Set<() => void>();
  private feedStarted = false;

  constructor(
    private readonly db: Db,
    private readonly opts: SqlStoreOptions = {},
  ) {
    this.queue = new WorkQueue(db, FAIR_QUEUES);
    this.keys = new SqlKeyRepository(db);
    this.tasks = new SqlTaskRepository(
      db,
      this.queue,
      opts.fastTaskRow,
      (id, elsewhere) => {
        for (const w of this.watchers) w(id);
        if (!elsewhere) this.opts.changeFeed?.publish?.(id);
      },
      opts.createBatch,
      opts.createBatching,
    );
    this.ledger = new SqlLedgerRepository(db);
    this.idempotency = new SqlIdempotencyRepository(db);
    this.meta = new SqlMetaRepository(db);
    this.webhooks = new SqlWebhookRepository(db, this.queue);
    this.upstreamCallbacks = new SqlUpstreamCallbackRepository(db, this.queue);
  }

  get dialect() {
    return this.db.dialect;
  }

  /** SQLite: WAL fsyncs started so far (null elsewhere: PostgreSQL syncs on its own). */
  walSyncs(): number | null {
    return this.opts.walSyncs?.() ?? null;
  }

  async migrate(): Promise<void> {
    if (this.db.dialect === 'postgres') await runMigrationsLocked(this.db.kysely);
    else await runMigrations(this.db.kysely);
  }

  async databaseTimeMs(): Promise<number | null> {
    if (this.db.dialect !== 'postgres') return null;
    const { rows } = await sql<{ ms: number }>`select extract(epoch from clock_timestamp()) * 1000 as ms`.execute(this.db.kysely);
    return Number(rows[0].ms);
  }

  watchTaskChanges(onChange: (id: string) => void): () => void {
    this.watchers.add(onChange);
    this.startFeed();
    return () => this.watchers.delete(onChange);
  }

  watchWorkDue(onDue: () => void): () => void {
    this.dueWatchers.add(onDue);
    this.startFeed();
    return () => this.dueWatchers.delete(onDue);
  }

  private startFeed(): void {
    if (this.feedStarted || !this.opts.changeFeed) return;
    this.feedStarted = true;
    this.opts.changeFeed.start(
      (ids) => {
        for (const id of ids) this.tasks.changedElsewhere(id);
      },
      () => {
        for (const w of this.dueWatchers) w();
      },
    );
  }

  async close(): Promise<void> {
    await this.opts.beforeClose?.();
    await this.opts.changeFeed?.stop();
    await this.db.kysely.destroy();
    await this.opts.onClose?.();
  }
}
