import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { fitImage } from '../../src/media/fit-image.js';
import { MediaError } from '../../src/media/errors.js';

function image(size: string, codec: 'png' | 'mjpeg'): Buffer {
  return execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', `color=c=green:size=${size}`, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', codec, '-'], { maxBuffer: 8 << 20 });
}

/** Width and height from a PNG's IHDR. */
function pngSize(b: Buffer): [number, number] {
  assert.equal(b.subarray(1, 4).toString('latin1'), 'PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('fitImage', () => {
  it('scales and crops any image to exactly the asked size, as PNG', async () => {
    for (const [from, codec, w, h] of [
      ['640x360', 'png', 720, 1280],
      ['300x300', 'mjpeg', 1280, 720],
      ['1920x1080', 'png', 1024, 1792],
    ] as const) {
      const out = await fitImage(image(from, codec), w, h);
      assert.equal(out.mimeType, 'image/png');
      assert.deepEqual(pngSize(out.bytes), [w, h]);
    }
  });

  it('refuses bytes that are not an image with a MediaError', async () => {
    await assert.rejects(fitImage(Buffer.from('definitely not an image'), 64, 64), (e: unknown) => e instanceof MediaError && e.code === 'input_invalid');
  });
});
