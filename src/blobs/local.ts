import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from './types.js';

/** Blobs as files under a root folder; writes go to a temp name and are renamed into place. */
export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  localPath(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    return full;
  }

  async put(key: string, body: Readable): Promise<BlobInfo> {
    const final = this.localPath(key);
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
      const st = await fs.promises.stat(this.localPath(key));
      return { size: st.size };
    } catch {
      return null;
    }
  }

  open(key: string, range?: { start: number; end: number }): Readable {
    return fs.createReadStream(this.localPath(key), range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.localPath(key), { force: true });
  }
}
