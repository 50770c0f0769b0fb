import type { BlobStore } from '../blobs/types.js';
import { IDEMPOTENCY_WINDOW_MS, type Store } from '../store/types.js';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';

/** How long an upstream callback reference is kept. */
const CALLBACK_REFERENCE_MS = 4 * 24 * 3600 * 1000;

/**
 * Deletes stored outputs older than the retention period. The task row is kept and says so
 * (output_expired_at); the blob goes first, so a crash in between only leaves a row whose file is
 * already gone, which the next sweep finishes.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly o: {
      store: Store;
      blobs: BlobStore;
      retentionSeconds: number;
      intervalMs: number;
      log: Logger;
      /** The engine's clock: retention is decided at its instant, like every other engine decision. */
      clock: Clock;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.o.intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; returns how many outputs were deleted. Expired idempotency records and callback references go too. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    const { store, blobs, log } = this.o;
    const nowMs = this.o.clock.now();
    let deleted = 0;
    const pass = (async () => {
      for (;;) {
        const tasks = await store.tasks.expiredOutputs(nowMs - this.o.retentionSeconds * 1000, 100);
        for (const task of tasks) {
          await blobs.delete(task.video!.blob_key!);
          await store.tasks.markOutputExpired(task.id, nowMs);
          deleted++;
        }
        if (tasks.length < 100) break;
      }
      await store.idempotency.purge(nowMs - IDEMPOTENCY_WINDOW_MS);
      // Callback references outlive any job (Ark's longest expiry is 72 h); a late callback then answers 404.
      await store.upstreamCallbacks.purge(nowMs - CALLBACK_REFERENCE_MS);
    })().catch((err) => log.error({ err }, 'retention sweep failed'));
    this.running = pass.then(() => undefined);
    await this.running;
    this.running = null;
    if (deleted > 0) log.info({ deleted }, 'deleted outputs past retention');
    return deleted;
  }
}
