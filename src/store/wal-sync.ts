import fs from 'node:fs';
import path from 'node:path';
import type SQLite from 'better-sqlite3';

/**
 * fsyncs of one WAL under way at once. A commit needs an fsync that starts after it: with one at a
 * time, a commit that lands while one runs waits for it to end and then for its own — on average
 * half an fsync more (1–2.5 ms on these machines under load). A second one lets it start at once;
 * more would only hold more of libuv's four pool threads (which file reads share) for a disk that
 * flushes one at a time anyway.
 */
const SYNCS_AT_ONCE = 2;

/**
 * The fsync that makes a SQLite WAL commit durable, run off the event loop (libuv's thread pool),
 * shared by every commit made before it starts: up to SYNCS_AT_ONCE run at once, and commits that
 * land while that many are under way share the next. Used by connections that commit with
 * `synchronous = OFF` and answer only once `flush()` resolves (WalDurability in sqlite.ts; the
 * create writer thread).
 */
export class WalSync {
  private wal: Promise<fs.promises.FileHandle> | null = null;
  private running = 0;
  /** The fsync the commits since the last one started will share, once one under way ends. */
  private waiting: { done: Promise<void>; begin: () => void } | null = null;
  /** fsyncs started (for tests and the curious: an idle gateway should start none). */
  syncs = 0;
  /**
   * The first fsync that failed. After one, the kernel may have dropped the pages it could not
   * write, so a later fsync that succeeds proves nothing about earlier commits: no commit can be
   * promised durable any more (PostgreSQL stops for the same reason). Every flush fails from then
   * on, until the gateway is restarted on a healthy disk.
   */
  private failed: Error | null = null;

  constructor(private readonly file: string) {}

  /** Resolves once everything committed before the call is on disk. */
  flush(): Promise<void> {
    if (this.file === ':memory:') return Promise.resolve();
    if (this.failed) return Promise.reject(this.failed);
    if (this.running < SYNCS_AT_ONCE) return this.start();
    // Those under way may have started before our commit: the next one is ours (unless one of them
    // fails first: a failure is remembered, and answers every flush from then on).
    if (!this.waiting) {
      let begin!: () => void;
      const done = new Promise<void>((resolve, reject) => {
        begin = () => (this.failed ? reject(this.failed) : this.start().then(resolve, reject));
      });
      this.waiting = { done, begin };
    }
    return this.waiting.done;
  }

  private start(): Promise<void> {
    this.running++;
    return this.fsync().finally(() => {
      this.running--;
      const next = this.waiting;
      this.waiting = null;
      next?.begin();
    });
  }

  private async fsync(): Promise<void> {
    this.syncs++;
    this.wal ??= fs.promises.open(`${this.file}-wal`, 'r').then(async (handle) => {
      // The WAL file's own directory entry, once (it was created by the first write).
      const dir = await fs.promises.open(path.dirname(this.file), 'r');
      await dir.sync().finally(() => dir.close());
      return handle;
    });
    try {
      // fsync applies to the file, whichever descriptor wrote it.
      await (await this.wal).sync();
    } catch (err) {
      this.failed ??= new Error(`the database's write-ahead log could not be synced to disk (${(err as Error).message}); no commit since can be promised durable. Restart the gateway once the disk is healthy.`);
      throw this.failed;
    }
  }

  async close(): Promise<void> {
    const wal = await this.wal?.catch(() => null);
    this.wal = null;
    await wal?.close();
  }
}

/** A write transaction's statements on a connection, prepared once (exec() would compile them each time). */
export interface CommitStatements {
  begin: SQLite.Statement;
  commit: SQLite.Statement;
  totalChanges: SQLite.Statement<[], number>;
}

export function writeStatements(db: SQLite.Database): CommitStatements {
  return { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), totalChanges: db.prepare<[], number>('SELECT total_changes()').pluck() };
}

/**
 * The rest of a write transaction once BEGIN has run: `fn`, then COMMIT — or ROLLBACK, and the
 * error thrown on. `wrote`: it inserted, updated or deleted a row (one that changed nothing needs no
 * fsync). Both SQLite write paths use it: WalDurability (sqlite.ts) and the create writer thread.
 */
export async function commitAfter<T>(db: SQLite.Database, st: CommitStatements, fn: () => Promise<T>): Promise<{ result: T; wrote: boolean }> {
  try {
    const before = st.totalChanges.get()!;
    const result = await fn();
    st.commit.run();
    return { result, wrote: st.totalChanges.get() !== before };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
