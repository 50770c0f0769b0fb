import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { createLimiter } from '../media/limiter.js';
import { sniffImageType } from './image-type.js';

export { dimensionsFor } from './dimensions.js';

export interface RenderOptions {
  outPath: string;
  durationSeconds: number;
  /** Even pixel counts (H.264 yuv420p needs them). */
  width: number;
  height: number;
  /** Adds an AAC sine track; otherwise the file has no audio stream at all. */
  audio: boolean;
  /** Image bytes shown full-frame at the start, then as a moving picture-in-picture. */
  firstFrame?: Buffer;
  /** Image bytes shown full-frame at the end. */
  lastFrame?: Buffer;
  /** Image bytes shown as thumbnails along the bottom edge for the whole video. */
  referenceImages?: Buffer[];
  /** Picks the background colour and tone, so different jobs look (and sound) different without fonts. */
  label?: string;
  fps?: number;
  /** Path of a video to transform (looped/trimmed to the duration, scaled and cropped to the size). */
  sourceVideo?: string;
  /** Kills ffmpeg (or leaves the queue) when aborted. */
  signal?: AbortSignal;
}

/** ffmpeg is CPU-heavy and the machine is shared: at most two renders at once, process-wide. */
const renderSlots = createLimiter(2);

export const ffmpegPath: string = ffmpegInstaller.path;

/** Render a real H.264/AAC MP4 with exact duration and size; written atomically to `outPath`. */
export async function renderVideo(opts: RenderOptions): Promise<void> {
  validate(opts);
  await renderSlots.run(() => renderNow(opts), opts.signal);
}

function validate(opts: RenderOptions): void {
  const { width, height, durationSeconds } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16 || width % 2 || height % 2) {
    throw new RangeError(`width and height must be even integers >= 16, got ${width}x${height}`);
  }
  if (width > 8192 || height > 8192) throw new RangeError(`size ${width}x${height} is larger than 8192`);
  if (!(durationSeconds > 0 && durationSeconds <= 120)) {
    throw new RangeError(`durationSeconds must be in (0, 120], got ${durationSeconds}`);
  }
  const fps = opts.fps ?? DEFAULT_FPS;
  if (!(fps >= 1 && fps <= 60)) throw new RangeError(`fps must be in [1, 60], got ${fps}`);
}

const DEFAULT_FPS = 12;

async function renderNow(opts: RenderOptions): Promise<void> {
  await mkdir(dirname(opts.outPath), { recursive: true });
  const scratch = await mkdtemp(join(dirname(opts.outPath), '.render-'));
  try {
    const args = await buildArgs(opts, scratch);
    const partial = join(scratch, 'out.mp4');
    await runFfmpeg([...args, partial], opts.signal);
    // Rename inside the same directory tree: readers never see a half-written file.
    await rename(partial, opts.outPath);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function writeImage(scratch: string, name: string, bytes: Buffer): Promise<string> {
  const type = sniffImageType(bytes);
  if (!type) throw new Error(`${name}: not a PNG, JPEG, WebP, GIF or BMP image`);
  const path = join(scratch, `${name}.${type === 'jpeg' ? 'jpg' : type}`);
  await writeFile(path, bytes);
  return path;
}

/** Stable per-label look: background colour, accent colour and tone frequency. */
function lookFor(label: string) {
  const h = createHash('sha256').update(label).digest();
  const hex = (i: number) => h.subarray(i, i + 3).toString('hex');
  // Keep the background mid-dark so a red/blue test image is never confused with it.
  const bg = [h[0], h[1], h[2]].map((b) => 40 + (b % 90));
  return {
    background: `0x${bg.map((b) => b.toString(16).padStart(2, '0')).join('')}`,
    accent: `0x${hex(3)}`,
    toneHz: 220 + (h.readUInt16BE(6) % 660),
  };
}

async function buildArgs(opts: RenderOptions, scratch: string): Promise<string[]> {
  const W = opts.width;
  const H = opts.height;
  const D = opts.durationSeconds;
  const R = opts.fps ?? DEFAULT_FPS;
  const look = lookFor(opts.label ?? 'vidgate');
  const inputs: string[] = [];
  const graph: string[] = [];
  let inputCount = 0;
  const addInput = (...args: string[]) => {
    inputs.push(...args);
    return inputCount++;
  };
  // Fit an image inside the frame, padded with the background colour.
  const fitFull = `scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=${look.background},setsar=1`;
  const edgeSeconds = Math.min(1, D / 4);

  if (opts.sourceVideo) {
    const src = addInput('-stream_loop', '-1', '-i', opts.sourceVideo);
    graph.push(`[${src}:v]fps=${R},scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},setsar=1[bg]`);
  } else {
    graph.push(`color=c=${look.background}:s=${W}x${H}:r=${R}:d=${D}[bg]`);
  }
  // A moving block and a growing progress bar make motion (and the clip's timeline) visible.
  const blockW = Math.max(2, Math.round(W / 8));
  const blockH = Math.max(2, Math.round(H / 8));
  const barH = Math.max(2, Math.round(H / 40));
  graph.push(`color=c=${look.accent}:s=${blockW}x${blockH}:r=${R}:d=${D}[block]`);
  graph.push(`color=c=white:s=${W}x${barH}:r=${R}:d=${D}[bar]`);
  graph.push(`[bg][block]overlay=x='mod(t*${W}/3,${W})':y='${H}/2-${blockH}/2+${H}/4*sin(t*2)'[m0]`);
  graph.push(`[m0][bar]overlay=x='-${W}+${W}*t/${D}':y=${H - barH}[m1]`);
  let current = 'm1';
  let step = 2;
  const next = () => `m${step++}`;

  if (opts.referenceImages?.length) {
    const thumbH = toEven(H / 5);
    const margin = toEven(Math.max(4, H / 60));
    for (const [i, bytes] of opts.referenceImages.entries()) {
      const idx = addInput('-i', await writeImage(scratch, `reference${i}`, bytes));
      graph.push(`[${idx}:v]scale=-2:${thumbH},setsar=1[ref${i}]`);
      const out = next();
      graph.push(`[${current}][ref${i}]overlay=x=${margin}+${i}*(w+${margin}):y=${H}-h-${margin}-${barH}[${out}]`);
      current = out;
    }
  }
  if (opts.firstFrame) {
    const idx = addInput('-i', await writeImage(scratch, 'first', opts.firstFrame));
    graph.push(`[${idx}:v]split=2[firstA][firstB]`);
    graph.push(`[firstA]${fitFull}[firstFull]`);
    graph.push(`[firstB]scale=-2:${toEven(H / 4)},setsar=1[firstThumb]`);
    const pip = next();
    graph.push(`[${current}][firstThumb]overlay=x='${W / 20}+mod(t*${W}/10,${W * 0.9}-w)':y=${H / 20}[${pip}]`);
    const full = next();
    // A single-frame image input repeats its last frame, so `enable` alone controls visibility.
    graph.push(`[${pip}][firstFull]overlay=enable='lt(t,${edgeSeconds})'[${full}]`);
    current = full;
  }
  if (opts.lastFrame) {
    const idx = addInput('-i', await writeImage(scratch, 'last', opts.lastFrame));
    graph.push(`[${idx}:v]${fitFull}[lastFull]`);
    const out = next();
    graph.push(`[${current}][lastFull]overlay=enable='gte(t,${D - edgeSeconds})'[${out}]`);
    current = out;
  }
  graph.push(`[${current}]format=yuv420p[vout]`);
  if (opts.audio) graph.push(`sine=frequency=${look.toneHz}:sample_rate=48000:duration=${D}[aout]`);

  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    ...inputs,
    '-filter_complex',
    graph.join(';'),
    '-map',
    '[vout]',
    ...(opts.audio ? ['-map', '[aout]', '-c:a', 'aac', '-b:a', '64k', '-ac', '2'] : []),
    '-t',
    String(D),
    '-r',
    String(R),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '36',
    '-pix_fmt',
    'yuv420p',
    // Two threads: the box is shared and two renders may run side by side.
    '-threads',
    '2',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
  ];
}

function toEven(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

function runFfmpeg(args: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg failed (${sig ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}
