import { execFile } from 'node:child_process';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import type { MediaBytes } from '../providers/types.js';
import { MediaError } from './errors.js';

/**
 * Scales an image to cover width×height and centre-crops the overflow, as a PNG. For providers that
 * need the first frame at exactly the output size (Sora): the caller's image is used instead of
 * the task failing. The image comes from stdin and goes to stdout: nothing touches the disk.
 */
export function fitImage(bytes: Buffer, width: number, height: number, timeoutMs = 20_000): Promise<MediaBytes> {
  const filter = `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height}`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      ffmpeg.path,
      ['-v', 'error', '-nostdin', '-i', 'pipe:0', '-vf', filter, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: 64 << 20, timeout: timeoutMs },
      (err, stdout) => {
        if (err || stdout.length === 0) reject(new MediaError('input_invalid', 'The input image could not be decoded to fit the output size; send a PNG, JPEG or WebP image.'));
        else resolve({ bytes: stdout, mimeType: 'image/png' });
      },
    );
    // -nostdin stops ffmpeg reading keys from a terminal; pipe:0 still carries the image.
    child.stdin?.on('error', () => {});
    child.stdin?.end(bytes);
  });
}
