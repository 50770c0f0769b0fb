/**
 * Removes the audio track of a stored video by stream copy (no re-encode, so it takes a moment and
 * loses nothing): how `output_audio: false` is honoured where the upstream always renders sound
 * (Veo on the Gemini API, Grok Imagine over REST).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';

const run = promisify(execFile);

/** File in → file out: every stream but audio, copied as it is (MP4 with the index up front). */
export async function removeAudioTrack(input: string, output: string, signal?: AbortSignal): Promise<void> {
  await run(ffmpeg.path, ['-v', 'error', '-nostdin', '-y', '-i', input, '-map', '0', '-map', '-0:a', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', output], { signal });
}

/** The two things of a blob store this needs: a local path to read, and an atomic write back. */
export interface StoredFile {
  localPath(key: string): string;
  put(key: string, body: Readable): Promise<unknown>;
}

/** Replaces the stored video `key` with the same video without its audio track. */
export async function removeStoredAudio(store: StoredFile, key: string, signal?: AbortSignal): Promise<void> {
  const silent = join(tmpdir(), `vidgate-silent-${randomBytes(8).toString('hex')}.mp4`);
  try {
    await removeAudioTrack(store.localPath(key), silent, signal);
    await store.put(key, createReadStream(silent));
  } finally {
    await rm(silent, { force: true });
  }
}
