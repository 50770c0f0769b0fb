/**
 * The movie-header reader that lets a create know an inline source's length without ffprobe: real
 * ffmpeg files (checked against ffprobe), a version-1 header, and whatever is not a usable header.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { mp4DeclaredSeconds } from '../../src/media/mp4-duration.js';
import { ffprobeFile } from '../helpers/ffprobe.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-mp4-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function encode(name: string, seconds: number, flags: string[]): string {
  const file = path.join(dir, name);
  execFileSync(ffmpeg.path, ['-y', '-v', 'error', '-f', 'lavfi', '-i', `color=c=red:s=16x16:r=2:d=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...flags, file]);
  return file;
}

function box(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

describe('mp4DeclaredSeconds', () => {
  it('reads what ffprobe reads, with the movie header first or last', async () => {
    for (const [name, seconds, flags] of [
      ['faststart.mp4', 120, ['-movflags', '+faststart']],
      ['moov-last.mp4', 7, []],
      ['clip.mov', 3, ['-f', 'mov']],
    ] as const) {
      const file = encode(name, seconds, [...flags]);
      const declared = mp4DeclaredSeconds(fs.readFileSync(file));
      assert.ok(declared !== undefined && Math.abs(declared - seconds) < 0.1, `${name}: ${declared}`);
      assert.ok(Math.abs(declared - (await ffprobeFile(file)).duration) < 0.1, `${name} agrees with ffprobe`);
    }
  });

  it('reads a version-1 (64-bit) header', () => {
    const body = Buffer.alloc(4 + 8 + 8 + 4 + 8);
    body[0] = 1;
    body.writeUInt32BE(1000, 20);
    body.writeBigUInt64BE(754_500n, 24);
    assert.equal(mp4DeclaredSeconds(Buffer.concat([box('ftyp', Buffer.from('isom')), box('moov', box('mvhd', body))])), 754.5);
  });

  it('is undefined for anything without a usable header: never a throw', () => {
    const real = fs.readFileSync(encode('cut.mp4', 5, ['-movflags', '+faststart']));
    const zeroLength = Buffer.alloc(4 + 16);
    zeroLength.writeUInt32BE(600, 12); // timescale, duration 0 (a fragmented file)
    for (const [what, bytes] of [
      ['empty', Buffer.alloc(0)],
      ['text', Buffer.from('not a video at all, just some words')],
      ['a PNG signature', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
      ['cut before the header', real.subarray(0, 30)],
      ['a box claiming to be larger than the file', Buffer.from([0, 0, 0xff, 0xff, 0x6d, 0x6f, 0x6f, 0x76, 0, 0])],
      ['a 64-bit size past the end', Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('moov'), Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0])])],
      ['no duration', Buffer.concat([box('moov', box('mvhd', zeroLength))])],
    ] as const) {
      assert.equal(mp4DeclaredSeconds(bytes), undefined, what);
    }
  });
});
