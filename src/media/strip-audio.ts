/**
 * Removes the audio track of a video by stream copy (no re-encode, so it takes a moment and
 * loses nothing): how `output_audio: false` is honoured where the upstream always renders sound
 * (Veo on the Gemini API, Grok Imagine over REST).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';

const run = promisify(execFile);

/** File in → file out: every stream but audio, copied as it is (MP4 with the index up front). */
export async function removeAudioTrack(input: string, output: string, signal?: AbortSignal): Promise<void> {
  await run(ffmpeg.path, ['-v', 'error', '-nostdin', '-y', '-i', input, '-map', '0', '-map', '-0:a', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', output], { signal });
}
