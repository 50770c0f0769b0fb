import fs from 'node:fs';
import path from 'node:path';
import type SQLite from 'better-sqlite3';

// fs's callback forms, looked up at each call (a test watches which descriptors are synced).
const openLater = (p: string) => new Promise<number>((resolve, reject) => fs.open(p, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
const fsyncLater = (fd: number) => new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
const closeLater = (fd: number) => new Promise<void>((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));

/**
 * The fsync that makes a SQLite WAL commit durable. Used by connections that commit with
 * `synchronous = NORMAL` (in WAL mode: no sync at COMMIT) and answer only once the WAL holding the
 * commit is on disk. Two ways, one per instance (never both on one): `flush()` runs the fsync off
 * the event loop (libuv's pool) and shares it with every commit made before it starts
 * (WalDurability in sqlite.ts); `flushNow()` syncs on the calling thread, for the create writer
 * thread, whose next transaction gains nothing from starting earlier (bench/README.md, eleventh
 * session). One fsync at a time, on purpose: Linux reports a writeback error to only one fsync of a
 * file description, so with two under way one could answer "durable" for pages the other was told
 * were lost (two at once were tried in the eighth session for latency, gained nothing measurable,
 * and were reverted for this).
 */
export class WalSync {
  /** The WAL's descriptor, opened at the first sync (SQLite creates the file at its first write). */
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private closed = false;
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
    if (this.closed) return Promise.reject(new Error('the WAL sync is closed'));
    return this.queue();
  }

  /**
   * Returns once everything committed before the call is on disk; throws when that failed. Never
   * beside flush() on one instance: that would be two fsyncs at once.
   */
  flushNow(): void {
    if (this.closed) throw new Error('the WAL sync is closed');
    if (this.running) throw new Error('WalSync.flushNow called while a flush() is under way: use one way per instance');
    if (this.file === ':memory:') return;
    if (this.failed) throw this.failed;
    this.syncs++;
    try {
      fs.fsyncSync(this.openWalNow());
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Whether an fsync has failed (no commit can be promised durable since). */
  get broken(): boolean {
    return this.failed !== null;
  }

  private queue(): Promise<void> {
    if (this.file === ':memory:') return Promise.resolve();
    if (this.failed) return Promise.reject(this.failed);
    if (!this.running) {
      this.running = this.fsync().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // The fsync under way may have started before our commit: the next one is ours (whether that
    // one succeeds or not: a failure is remembered, and queue answers it).
    const after = () => {
      this.next = null;
      return this.queue();
    };
    this.next ??= this.running.then(after, after);
    return this.next;
  }

  private async fsync(): Promise<void> {
    this.syncs++;
    try {
      // fsync applies to the file, whichever descriptor wrote it.
      await fsyncLater(await this.openWalLater());
    } catch (err) {
      throw this.fail(err);
    }
  }

  // The WAL's descriptor; the first time, the directory holding the WAL is synced too (its entry
  // was created by SQLite's first write). Opened the way the caller syncs: flush() never blocks
  // the event loop on the disk, flushNow() runs where blocking is the point.
  private openWalNow(): number {
    if (this.fd !== null) return this.fd;
    const fd = fs.openSync(`${this.file}-wal`, 'r');
    try {
      const dir = fs.openSync(path.dirname(this.file), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.fd = fd;
    return fd;
  }

  private async openWalLater(): Promise<number> {
    if (this.fd !== null) return this.fd;
    const fd = await openLater(`${this.file}-wal`);
    try {
      const dir = await openLater(path.dirname(this.file));
      try {
        await fsyncLater(dir);
      } finally {
        await closeLater(dir);
      }
    } catch (err) {
      await closeLater(fd);
      throw err;
    }
    this.fd = fd;
    return fd;
  }

  private fail(err: unknown): Error {
    this.failed ??= new Error(`the database's write-ahead log could not be synced to disk (${(err as Error).message}); no commit since can be promised durable. Restart the gateway once the disk is healthy.`);
    return this.failed;
  }

  /** Lets the fsyncs under way and queued finish (no new flush is taken), then closes the descriptor. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running || this.next) await (this.next ?? this.running)?.catch(() => {});
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) fs.closeSync(fd);
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
