import type { BlobStore } from '../blobs/types.js';
import type { Store } from '../store/types.js';
import type { Logger } from 'pino';

/**
 * Deletes stored outputs older than the retention period. The task row is kept and says so
 * (output_expired_at); the blob goes first, so a crash in between only leaves a row whose file is
 * already gone, which the next sweep finishes.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly retentionSeconds: number,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; returns how many outputs were deleted. */
  async sweep(nowSeconds = Math.floor(Date.now() / 1000)): Promise<number> {
    if (this.running) return 0;
    let deleted = 0;
    const pass = (async () => {
      for (;;) {
        const rows = await this.store.expiredOutputs(nowSeconds - this.retentionSeconds, 100);
        for (const row of rows) {
          await this.blobs.delete(row.video_blob!);
          await this.store.updateTask(row.id, { video_blob: null, output_expired_at: nowSeconds }, { state: 'completed' });
          deleted++;
        }
        if (rows.length < 100) break;
      }
    })().catch((err) => this.log.error({ err }, 'retention sweep failed'));
    this.running = pass.then(() => undefined);
    await this.running;
    this.running = null;
    if (deleted > 0) this.log.info({ deleted }, 'deleted outputs past retention');
    return deleted;
  }
}
