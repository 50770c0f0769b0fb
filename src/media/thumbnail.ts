/** A JPEG still of a stored video (the OpenAI Videos API's `variant=thumbnail`), made with ffmpeg. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ffmpeg from '@ffmpeg-installer/ffmpeg';

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
