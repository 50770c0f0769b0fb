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

  constructor(private readonly file: string) {}

  /** Resolves once everything committed before the call is on disk. */
  flush(): Promise<void> {
    if (this.file === ':memory:') return Promise.resolve();
    if (!this.running) {
      this.running = this.fsync().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // The fsync under way may have started before our commit: the next one is ours.
    this.next ??= this.running.then(() => {
      this.next = null;
      return this.flush();
    });
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
    // fsync applies to the file, whichever descriptor wrote it.
    await (await this.wal).sync();
  }

  async close(): Promise<void> {
    const wal = await this.wal?.catch(() => null);
    this.wal = null;
    await wal?.close();
  }
}
