import fs from 'node:fs';
import path from 'node:path';

/**
 * The fsync that makes a SQLite WAL commit durable, run off the event loop (libuv's thread pool),
 * shared by every commit made before it starts: commits that land while one fsync is under way
 * share the next. Used by connections that commit with `synchronous = OFF` and answer only once
 * `flush()` resolves (WalDurability in sqlite.ts; the create writer thread).
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
