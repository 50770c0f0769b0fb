import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ABANDONED_AFTER_MS, sweepAbandonedFiles } from '../abandoned-files.js';
import { BlobUnavailableError, type BlobInfo, type BlobStore, type ByteRange } from './types.js';

/** Uploads in progress, under the root (so the rename into place stays on one filesystem). */
const PARTS_DIR = '.parts';

export interface LocalBlobStoreOptions {
  /** Tests only: how long an untouched `.part` file may be owned by a live writer. */
  abandonedAfterMs?: number;
}

/**
 * Blobs as files under a root folder; writes go to `<root>/.parts/` and are renamed into place.
 * Uploads a crash interrupted are swept from there at start (check) and, at most once per
 * abandonment age, by a put: only that folder is read, never the blobs, so the cost follows the
 * uploads in flight, not the number stored.
 */
export class LocalBlobStore implements BlobStore {
  private readonly abandonedAfterMs: number;
  private lastSweep = 0;

  constructor(
    private readonly root: string,
    options: LocalBlobStoreOptions = {},
  ) {
    this.abandonedAfterMs = options.abandonedAfterMs ?? ABANDONED_AFTER_MS;
  }

  private pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    if (full.startsWith(this.partsDir() + path.sep)) throw new Error(`blob key is in the uploads folder: ${key}`);
    return full;
  }

  private partsDir(): string {
    return path.join(path.resolve(this.root), PARTS_DIR);
  }

  /** Removes the `.part` files untouched for longer than the abandonment age; returns how many. Best effort. */
  async sweepAbandonedParts(): Promise<number> {
    this.lastSweep = Date.now();
    return sweepAbandonedFiles(this.partsDir(), this.abandonedAfterMs, (name) => name.endsWith('.part'));
  }

  async put(key: string, body: Readable): Promise<BlobInfo> {
    const final = this.pathOf(key);
    if (Date.now() - this.lastSweep > this.abandonedAfterMs) await this.sweepAbandonedParts();
    await fs.promises.mkdir(path.dirname(final), { recursive: true });
    await fs.promises.mkdir(this.partsDir(), { recursive: true });
    const tmp = path.join(this.partsDir(), `${randomBytes(12).toString('hex')}.part`);
    try {
      await pipeline(body, fs.createWriteStream(tmp));
      const fh = await fs.promises.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.promises.rename(tmp, final).catch((err: NodeJS.ErrnoException) => {
        // The store's fault, not the upload's (EXDEV: a subfolder mounted apart from .parts/): retried as an outage.
        throw new BlobUnavailableError(`local blob store: cannot move an upload into place (${err.code ?? err.message}); the blob folder must be one filesystem`, { cause: err });
      });
    } catch (err) {
      await fs.promises.rm(tmp, { force: true });
      throw err;
    }
    return (await this.stat(key)) as BlobInfo;
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const st = await fs.promises.stat(this.pathOf(key));
      return { size: st.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new BlobUnavailableError(`local blob store: ${(err as Error).message}`, { cause: err });
    }
  }

  async open(key: string, range?: ByteRange): Promise<Readable | null> {
    // Opened before returning, so a missing file is a null here rather than a stream error later.
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.pathOf(key), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new BlobUnavailableError(`local blob store: ${(err as Error).message}`, { cause: err });
    }
    return fh.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }

  async check(): Promise<void> {
    try {
      await fs.promises.mkdir(this.root, { recursive: true });
      await fs.promises.access(this.root, fs.constants.W_OK);
    } catch (err) {
      throw new BlobUnavailableError(`cannot write to ${this.root}: ${(err as Error).message}`, { cause: err });
    }
    await this.sweepAbandonedParts();
  }
}
