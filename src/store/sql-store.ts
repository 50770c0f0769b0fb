import type { Db } from './db.js';
import { SqlKeyRepository } from './keys.js';
import { SqlLedgerRepository } from './ledger.js';
import { runMigrations, runMigrationsLocked } from './migrations.js';
import type { TasksTable } from './schema.js';
import { SqlIdempotencyRepository, SqlMetaRepository } from './small-repos.js';
import { FAIR_QUEUES, SqlTaskRepository } from './tasks.js';
import type { Store } from './types.js';
import { SqlWebhookRepository } from './webhooks.js';
import { WorkQueue } from './work-queue.js';

export interface SqlStoreOptions {
  /** A faster way to read one task row (SQLite: a prepared statement). */
  fastTaskRow?: (id: string) => TasksTable | undefined;
  /** Called after anything changed a task (its id), e.g. to wake waiters. */
  onTaskChange?: (id: string) => void;
  /** Extra work when closing (the driver's own handles). */
  onClose?: () => void | Promise<void>;
}

/** The repositories over one SQL database (dialect differences live in Db and the work queue). */
export class SqlStore implements Store {
  readonly keys: SqlKeyRepository;
  readonly tasks: SqlTaskRepository;
  readonly ledger: SqlLedgerRepository;
  readonly idempotency: SqlIdempotencyRepository;
  readonly meta: SqlMetaRepository;
  readonly webhooks: SqlWebhookRepository;
  readonly queue: WorkQueue;

  constructor(
    private readonly db: Db,
    private readonly opts: SqlStoreOptions = {},
  ) {
    this.queue = new WorkQueue(db, FAIR_QUEUES);
    this.keys = new SqlKeyRepository(db);
    this.tasks = new SqlTaskRepository(db, this.queue, opts.fastTaskRow, opts.onTaskChange);
    this.ledger = new SqlLedgerRepository(db);
    this.idempotency = new SqlIdempotencyRepository(db);
    this.meta = new SqlMetaRepository(db);
    this.webhooks = new SqlWebhookRepository(db, this.queue);
  }

  get dialect() {
    return this.db.dialect;
  }

  async migrate(): Promise<void> {
    if (this.db.dialect === 'postgres') await runMigrationsLocked(this.db.kysely);
    else await runMigrations(this.db.kysely);
  }

  async close(): Promise<void> {
    await this.db.kysely.destroy();
    await this.opts.onClose?.();
  }
}
