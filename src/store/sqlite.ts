import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createTasks } from './create-task.js';
import { CreateWriter, type CreateWriterOptions } from './create-writer.js';
import type { Db } from './db.js';
import type { Batching } from './group-commit.js';
import type { Database, TasksTable } from './schema.js';
import { SqlStore } from './sql-store.js';
import { threadFeed } from './thread-feed.js';
import { type CommitStatements, commitAfter, WalSync, writeStatements } from './wal-sync.js';
import { sqliteCreateOps, type SqliteCreateOps } from './sqlite-create.js';

/** How long a write waits for another connection's write lock before it fails. */
const BUSY_TIMEOUT_MS = 5_000;
/**
 * How creates go to the writer thread. Up to 4 batches before the first is answered: those sent
 * while the writer commits and syncs one wait in its queue and share its next transaction; few
 * enough that batches stay large (one message each; 8 in flight measured no better, eleventh
 * session). A batch leaves once it holds 32 creates, so the writer works on a burst's first creates
 * while this thread reads the rest (at 128 connections: rate +22-40% over batching only at the end
 * of the turn, interleaved pairs; bench/README.md, tenth session); and a create submitted while
 * no batch is with the writer leaves at once (at 32 connections +3 to +11% a round, eleventh
 * session).
 */
const WRITER_BATCHING: Batching = { maxInFlight: 4, leaveAt: 32, leaveWhenIdle: true };
/**
 * A WAL holding more frames (pages) than this at a checkpoint is also restarted by it (see
 * CHECKPOINTER): 16 MiB of 4 KiB pages.
 */
const RESTART_WAL_FRAMES = 4096;
/** A WAL file a burst left larger than this is cut back to it when it next restarts. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface SqliteStoreOptions {
  /**
   * Creates are written by a thread of their own with its own connection (VIDGATE_SQLITE_WRITER,
   * see create-writer.ts). Not for ":memory:" (a connection of its own would be another database).
   */
  createWriter?: boolean | Pick<CreateWriterOptions, 'program' | 'restartDelayMs'>;
  /** Commits between WAL checkpoints (a batch of creates counts one per create; tests). */
  checkpointEvery?: number;
}

/**
 * The embedded default store: one SQLite file in the data dir, WAL so readers never block writers.
 * The hot read (a task by id) uses a prepared statement directly; creates use prepared statements
 * too (in the create writer thread, or here); and write transactions are group-committed (see
 * WalDurability).
 */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqlStore {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a row the API answered 200 for survives a power cut, not only a process crash. Write
  // transactions get the same guarantee through WalDurability, without blocking the event loop.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Checkpoints are ours (WalDurability), taken while the file is in FULL mode.
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const durability = new WalDurability(sqlite, file, options.checkpointEvery);
  const transact = async <T>(fn: (conn: Kysely<Database>) => Promise<T>): Promise<T> => {
    // Another connection to the file (the engine thread's, or the HTTP thread's seen from the
    // engine) may hold the write lock. SQLite's own busy wait would sleep on this thread, so the lock
    // is asked for without waiting, and asked again after a timer, up to the same 5 s — with this
    // connection given back meanwhile, so reads through Kysely do not queue behind the wait.
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let pause = 1; ; pause = Math.min(pause * 2, 16)) {
      const done = await kysely.connection().execute((conn) => durability.transaction(() => fn(conn), Date.now() >= deadline));
      if (done === 'busy') {
        await new Promise((r) => setTimeout(r, pause));
        continue;
      }
      // Nothing written (an engine claim that found no work): nothing to make durable.
      if (!done.wrote) return done.result;
      // The lock is free again: other transactions commit while this one waits for the disk.
      await durability.flush();
      durability.checkpointIfDue();
      return done.result;
    }
  };
  let taskById: SQLite.Statement<[string], TasksTable> | undefined;
  // Prepared on first use: the table exists only after migrate().
  const fastTaskRow = (id: string) => {
    taskById ??= sqlite.prepare<[string], TasksTable>('SELECT * FROM tasks WHERE id = ?');
    return taskById.get(id);
  };
  let createOps: SqliteCreateOps | undefined;
  const writer =
    options.createWriter && file !== ':memory:'
      ? new CreateWriter({
          ...(options.createWriter === true ? {} : options.createWriter),
          file: path.resolve(file),
          busyTimeoutMs: BUSY_TIMEOUT_MS,
          walSizeLimitBytes: WAL_SIZE_LIMIT_BYTES,
          taskExists: (id) => fastTaskRow(id) !== undefined,
          // The writer's commits count towards the checkpoint like this connection's own: one per
          // create, as each writes pages of its own.
          onCommit: (creates) => durability.committedElsewhere(creates),
          syncWal: () => durability.flush(),
        })
      : null;
  const db: Db = {
    kysely,
    dialect: 'sqlite',
    notifyTaskChanges: async () => undefined,
    notifyWorkDue: async () => undefined,
    // One connection, held for the whole transaction (Kysely's SQLite driver serialises its users).
    tx: (fn) => transact(fn),
  };
  return new SqlStore(db, {
    // Creates are the busiest writes: their statements are prepared once and run directly, in the
    // writer thread, or else on this connection while Kysely's connection lock keeps anything else
    // out of the transaction.
    createBatch: writer
      ? (seeds) => writer.run(seeds)
      : (seeds) =>
          transact(() => {
            createOps ??= sqliteCreateOps(sqlite);
            createOps.newTransaction();
            return createTasks(createOps, seeds);
          }),
    // Batches sent while the writer commits and syncs join its next transaction: they need not wait.
    createBatching: writer ? WRITER_BATCHING : {},
    fastTaskRow,
    // The engine thread opens the same file: each hears the other's task changes.
    changeFeed: file === ':memory:' ? undefined : threadFeed(path.resolve(file)),
    beforeClose: async () => writer?.close(),
    onClose: () => durability.close(),
    walSyncs: () => durability.syncs,
  });
}

/**
 * Group commit for SQLite in WAL mode. A write transaction commits with `synchronous = NORMAL` (its
 * frames, commit marker included, are written to the WAL, not yet synced), releases the connection,
 * and then waits for an fsync of the WAL file run off the event loop; transactions that commit
 * while one fsync is under way share the next. A WAL frame that is on disk is durable (recovery
 * replays the WAL up to its last valid commit), so a transaction resolves only once it would survive
 * a power cut — as with `synchronous = FULL` — but N concurrent writers cost one fsync, and the
 * event loop never blocks on the disk. Checkpoints (which write the database file from the WAL)
 * are taken here, in FULL mode, so they sync the database file before the WAL is reused.
 */
class WalDurability {
  private readonly wal: WalSync;
  private commitsSinceCheckpoint = 0;

  /**
   * Prepared once (exec() would compile them on every transaction). Not the synchronous pragmas:
   * SQLite applies those when they are prepared, so they stay `pragma()` calls.
   */
  private readonly statements: CommitStatements;
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly file: string,
    private readonly checkpointEvery = 1000,
  ) {
    this.wal = new WalSync(file);
    this.statements = writeStatements(sqlite);
  }

  /**
   * Runs `fn` between BEGIN IMMEDIATE and COMMIT with the sync deferred (call `flush` after when
   * `wrote`). `wrote`: the transaction inserted, updated or deleted a row — engine claims that find
   * no work (every lane, every tick) commit nothing and need no fsync. 'busy': another connection
   * holds the write lock, and nothing ran (unless `last`: then its SQLITE_BUSY is thrown).
   */
  async transaction<T>(fn: () => Promise<T>, last: boolean): Promise<{ result: T; wrote: boolean } | 'busy'> {
    const st = this.statements;
    if (!this.begin(last)) return 'busy';
    try {
      const done = await commitAfter(this.sqlite, st, fn);
      if (done.wrote) this.commitsSinceCheckpoint++;
      return done;
    } finally {
      this.sqlite.pragma('synchronous = FULL');
    }
  }

  /**
   * BEGIN IMMEDIATE (the write lock) with the sync deferred, without waiting for another
   * connection's lock: false when it is held (SQLITE_BUSY), unless `last` (then the error is
   * thrown). When it returns false or throws, the connection is as before (FULL sync, 5 s busy
   * timeout), for whatever else runs on it.
   */
  private begin(last: boolean): boolean {
    // NORMAL: no sync at COMMIT in WAL mode, but the header of a restarted WAL is synced (see
    // create-writer-thread.ts) — one fsync here when this transaction is the one that restarts it.
    this.sqlite.pragma('synchronous = NORMAL');
    this.sqlite.pragma('busy_timeout = 0');
    try {
      this.statements.begin.run();
      return true;
    } catch (err) {
      this.sqlite.pragma('synchronous = FULL');
      if (last || !(err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw err;
      return false;
    } finally {
      this.sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Another connection (the create writer thread) committed, durably: counted towards the next checkpoint. */
  committedElsewhere(commits: number): void {
    this.commitsSinceCheckpoint += commits;
    this.checkpointIfDue();
  }

  /** Resolves once everything committed before the call is on disk. */
  flush(): Promise<void> {
    return this.wal.flush();
  }

  /** WAL fsyncs started. */
  get syncs(): number {
    return this.wal.syncs;
  }

  /**
   * Every so many commits: fold the WAL into the database file. A checkpoint copies and syncs
   * megabytes, so it runs on a connection of its own in a worker thread, and the event loop never
   * waits for it (see CHECKPOINTER).
   */
  checkpointIfDue(): void {
    if (this.commitsSinceCheckpoint < this.checkpointEvery || this.file === ':memory:') return;
    this.commitsSinceCheckpoint = 0;
    this.checkpointer ??= startCheckpointer(this.file);
    this.checkpointer.request();
  }

  private checkpointer: { request(): void; close(): Promise<void> } | null = null;

  async close(): Promise<void> {
    await this.checkpointer?.close();
    await this.wal.close();
  }
}

/**
 * Kysely's SQLite driver prepares every query it runs; preparing costs more than running our short
 * statements. The queries Vidgate runs are few and their SQL is stable (values are parameters), so
 * prepared statements are kept by SQL text (bounded; the least recently added go first).
 */
function withStatementCache(db: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver);
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          stmt = target.prepare(sql);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}

/**
 * The worker's whole program: a connection of its own, in FULL mode; per request a PASSIVE
 * checkpoint, which never waits for readers or writers. A WAL is reused from its start only when a
 * writer begins with every frame already copied, which never happens while writes do not pause (a
 * passive checkpoint copies what was there when it began; the next commits land meanwhile): the
 * file would grow without end (375 MB in 6 s of creates, seventh session's code) and every fsync
 * would be of a growing file. So a WAL past RESTART_WAL_FRAMES is also given a RESTART checkpoint:
 * it holds off writers while it copies the few frames the passive one missed (a few milliseconds),
 * and waits a little for readers to leave the WAL, so that the next writer starts it over. Writers
 * wait at most that long; if readers stay, it gives up until the next request.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
parentPort.on('message', () => {
  try {
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (log >= workerData.restartFrames) {
      db.pragma('busy_timeout = 50');
      try { db.pragma('wal_checkpoint(RESTART)'); } finally { db.pragma('busy_timeout = 5000'); }
    }
  } catch {}
  parentPort.postMessage('done');
});
`;

function startCheckpointer(file: string): { request(): void; close(): Promise<void> } {
  const workerData = { file, driver: createRequire(import.meta.url).resolve('better-sqlite3'), restartFrames: RESTART_WAL_FRAMES };
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData });
  worker.unref();
  let busy = false;
  worker.on('message', () => (busy = false));
  // A checkpoint that could not run is retried at the next one; it never takes the store down.
  worker.on('error', () => (busy = false));
  return {
    request() {
      if (busy) return;
      busy = true;
      worker.postMessage('checkpoint');
    },
    close: async () => void (await worker.terminate()),
  };
}
