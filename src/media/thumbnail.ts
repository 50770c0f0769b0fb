/** A JPEG still of a stored video (the OpenAI Videos API's `variant=thumbnail`), made with ffmpeg. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { createLimiter, type Limiter } from './limiter.js';

/** The first frame, scaled to at most 640 px wide, as JPEG bytes. The video goes through a temp file (MP4 needs seeking). */
export async function videoThumbnail(video: Readable, tmpDir: string): Promise<Buffer> {
  await mkdir(tmpDir, { recursive: true });
  const file = join(tmpDir, `thumb-${randomBytes(8).toString('hex')}.mp4`);
  try {
    await pipeline(video, createWriteStream(file));
    return await new Promise<Buffer>((resolve, reject) => {
      execFile(
        ffmpeg.path,
        ['-hide_banner', '-loglevel', 'error', '-i', file, '-frames:v', '1', '-vf', "scale='min(640,iw)':-2", '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '4', 'pipe:1'],
        { encoding: 'buffer', maxBuffer: 8 * 1024 * 1024, timeout: 30_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
  } finally {
    await rm(file, { force: true });
  }
}

/** Thumbnails kept in memory (a 640 px JPEG is tens of KB). */
const CACHED_THUMBNAILS = 128;
/** Stills waiting for ffmpeg beyond this are refused (the caller retries) rather than queued for minutes. */
const MAX_QUEUED = 32;

/** Too many stills are waiting for ffmpeg: retry shortly. */
export class ThumbnailsBusyError extends Error {
  constructor() {
    super('too many thumbnails are being made');
    this.name = 'ThumbnailsBusyError';
  }
}

/**
 * Thumbnails for a gateway: a stored video never changes, so its still is made once and kept (the
 * most recently used ones), and ffmpeg runs at most `concurrency` at a time — forty clients asking
 * at once start no more processes than that; the others wait their turn (requests for the same
 * video share one run).
 */
export class Thumbnails {
  private readonly cache = new Map<string, Buffer>();
  private readonly making = new Map<string, Promise<Buffer>>();
  private readonly slots: Limiter;
  /** ffmpeg runs so far (for tests and the curious). */
  made = 0;
  /** The most ffmpeg runs seen at once (counted around the runs themselves, not by the limiter). */
  peak = 0;
  private running = 0;

  constructor(private readonly o: { tmpDir: string; concurrency: number; cacheEntries?: number; maxQueued?: number }) {
    this.slots = createLimiter(o.concurrency);
  }

  /** The still of the video stored under `key`; `open` reads the video when it has to be made. */
  async get(key: string, open: () => Promise<Readable>): Promise<Buffer> {
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last: the first key is the one to evict.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    let pending = this.making.get(key);
    if (!pending) {
      if (this.slots.queued >= (this.o.maxQueued ?? MAX_QUEUED)) throw new ThumbnailsBusyError();
      pending = this.slots
        .run(async () => {
          this.made++;
          this.peak = Math.max(this.peak, ++this.running);
          try {
            return await videoThumbnail(await open(), this.o.tmpDir);
          } finally {
            this.running--;
          }
        })
        .then((jpeg) => {
          if (this.cache.size >= (this.o.cacheEntries ?? CACHED_THUMBNAILS)) this.cache.delete(this.cache.keys().next().value!);
          this.cache.set(key, jpeg);
          return jpeg;
        })
        .finally(() => this.making.delete(key));
      this.making.set(key, pending);
    }
    return pending;
  }

  /** Forgets a video's still (its file was deleted). */
  forget(key: string): void {
    this.cache.delete(key);
  }
}
