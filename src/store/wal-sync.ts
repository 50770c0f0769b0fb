import fs from 'node:fs';
import path from 'node:path';
import type SQLite from 'better-sqlite3';

/**
 * The fsync that makes a SQLite WAL commit durable, run off the event loop (libuv's thread pool),
 * shared by every commit made before it starts: commits that land while one fsync is under way
 * share the next. Used by connections that commit with `synchronous = NORMAL` (in WAL mode: no
 * sync at COMMIT) and answer only once `flush()` resolves (WalDurability in sqlite.ts; the create
 * writer thread). One fsync at a time, on purpose: Linux reports a writeback error to only one
 * fsync of a file description, so with two under way one could answer "durable" for pages the
 * other was told were lost (two at once were tried in the eighth session for latency, gained
 * nothing measurable, and were reverted for this; bench/README.md).
 */
export class WalSync {
  private wal: Promise<fs.promises.FileHandle> | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
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
    if (!this.running) {
      this.running = this.fsync().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // The fsync under way may have started before our commit: the next one is ours (whether that
    // one succeeds or not: a failure is remembered, and flush answers it).
    const after = () => {
      this.next = null;
      return this.flush();
    };
    this.next ??= this.running.then(after, after);
    return this.next;
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
