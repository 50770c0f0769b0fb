/**
 * The node's temporary files under `VIDGATE_DATA_DIR/tmp`: local copies ffmpeg and ffprobe need
 * (MP4 needs seeking). Each is removed by the code that made it; one a crash (kill -9) left behind
 * is removed by the sweeper once abandoned — by age, because the folder is shared by writers this
 * process cannot see (the engine thread, another process on the same data directory).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { ABANDONED_AFTER_MS, sweepAbandonedFiles } from './abandoned-files.js';

export interface TempDirs {
  /** The finisher's downloads of finished videos (`<task>.<attempt>.<random>.mp4`), probed and stored from here. */
  outputs: string;
  /** Stored videos copied for ffmpeg to take a still from (`thumb-*.mp4`). */
  thumbnails: string;
  /** Input videos in memory written out for ffprobe (`probe-*.bin`). */
  probes: string;
}

/** Where each kind of temporary file goes (one place, so the sweeper reads exactly those folders). */
export function tempDirs(dataDir: string): TempDirs {
  const tmp = path.join(dataDir, 'tmp');
  return { outputs: path.join(tmp, 'outputs'), thumbnails: path.join(tmp, 'thumbnails'), probes: tmp };
}

/** How often the sweeper looks again while the gateway runs. */
const SWEEP_EVERY_MS = 10 * 60_000;

export interface TempFileSweeperOptions {
  dataDir: string;
  log: Logger;
  /** Tests only: how long an untouched temp file may be owned by a live writer. */
  abandonedAfterMs?: number;
  /** Tests only: how often the sweeper looks again. */
  everyMs?: number;
}

/**
 * Removes abandoned temp files at start and every ten minutes. Only the three temp folders are read
 * (never the stored videos), so a pass costs what is in flight plus what crashes left: no hot path
 * waits for it, and it does not grow with the videos stored.
 */
export class TempFileSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly o: TempFileSweeperOptions) {}

  /** Sweeps now (awaited, so a start has removed what it can before it serves), then every `everyMs`. */
  async start(): Promise<number> {
    this.timer = setInterval(() => void this.sweep(), this.o.everyMs ?? SWEEP_EVERY_MS);
    this.timer.unref();
    return this.sweep();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over the temp folders; returns how many files were removed. Never throws. */
  sweep(): Promise<number> {
    if (this.running) return this.running;
    const age = this.o.abandonedAfterMs ?? ABANDONED_AFTER_MS;
    this.running = (async () => {
      let removed = 0;
      for (const dir of new Set(Object.values(tempDirs(this.o.dataDir)))) removed += await sweepAbandonedFiles(dir, age);
      if (removed > 0) this.o.log.info({ removed, dir: path.join(this.o.dataDir, 'tmp') }, 'removed temporary files a crash left behind');
      return removed;
    })().finally(() => (this.running = null));
    return this.running;
  }
}
