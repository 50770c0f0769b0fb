import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BlobUnavailableError, type BlobStore } from './types.js';

/**
 * Runs `probe` on a local copy of a stored blob (ffprobe needs a seekable file: an MP4's index may
 * sit at its end), streamed into `tmpDir` and removed afterwards. Works the same for every store.
 */
export async function withLocalCopy<T>(blobs: BlobStore, key: string, tmpDir: string, probe: (file: string) => Promise<T>): Promise<T> {
  const body = await blobs.open(key);
  if (!body) throw new Error(`stored blob ${key} is missing`);
  await fs.promises.mkdir(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `blob-${randomBytes(8).toString('hex')}${path.extname(key)}`);
  try {
    try {
      await pipeline(body, fs.createWriteStream(file));
    } catch (err) {
      throw new BlobUnavailableError(`reading stored blob ${key} failed: ${(err as Error).message}`, { cause: err });
    }
    return await probe(file);
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}
