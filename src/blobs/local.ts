import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { BlobUnavailableError, type BlobInfo, type BlobStore, type ByteRange } from './types.js';

/** Blobs as files under a root folder; writes go to a temp name and are renamed into place. */
export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    return full;
  }

  async put(key: string, body: Readable): Promise<BlobInfo> {
    const final = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(final), { recursive: true });
    const tmp = `${final}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(body, fs.createWriteStream(tmp));
      const fh = await fs.promises.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.promises.rename(tmp, final);
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
  }
}
