import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import { ffmpegPath } from '../../src/sandbox/render.js';

const run = promisify(execFile);

export interface Probe {
  duration: number;
  video?: { codec: string; width: number; height: number; pixFmt: string };
  audio?: { codec: string };
}

export async function probe(path: string): Promise<Probe> {
  const { stdout } = await run(ffprobeInstaller.path, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
  const json = JSON.parse(stdout) as {
    format: { duration: string };
    streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; pix_fmt?: string }>;
  };
  const v = json.streams.find((s) => s.codec_type === 'video');
  const a = json.streams.find((s) => s.codec_type === 'audio');
  return {
    duration: Number(json.format.duration),
    video: v && { codec: v.codec_name, width: v.width!, height: v.height!, pixFmt: v.pix_fmt! },
    audio: a && { codec: a.codec_name },
  };
}

/** A solid-colour image made by ffmpeg itself (format from the extension: .png, .jpg). */
export async function solidImage(dir: string, color: string, name: string, size = '320x240'): Promise<Buffer> {
  const path = join(dir, name);
  await run(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${color}:s=${size}`, '-frames:v', '1', path]);
  return readFile(path);
}

export type Rgb = [number, number, number];

/**
 * Average colour of a region of the frame at `seconds` (fractions of width/height: x, y, w, h).
 * Default region: the central quarter.
 */
export async function colorAt(path: string, seconds: number, region: [number, number, number, number] = [0.375, 0.375, 0.25, 0.25]): Promise<Rgb> {
  const [x, y, w, h] = region;
  const { stdout } = await run(
    ffmpegPath,
    ['-hide_banner', '-loglevel', 'error', '-ss', String(seconds), '-i', path, '-frames:v', '1', '-vf', `crop=iw*${w}:ih*${h}:iw*${x}:ih*${y},scale=1:1`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer' },
  );
  return [stdout[0], stdout[1], stdout[2]];
}

export const isReddish = ([r, g, b]: Rgb) => r > 180 && g < 80 && b < 80;
export const isBluish = ([r, g, b]: Rgb) => b > 180 && r < 80 && g < 80;
export const isGreenish = ([r, g, b]: Rgb) => g > 100 && r < 80 && b < 80;

/** A fresh temp dir under os.tmpdir() and its remover. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** True when the `moov` atom precedes `mdat` (+faststart: playable while downloading). */
export function isFaststart(bytes: Buffer): boolean {
  const moov = bytes.indexOf('moov');
  const mdat = bytes.indexOf('mdat');
  return moov >= 0 && mdat >= 0 && moov < mdat;
}
