/** Reads duration, size and streams of a stored output with ffprobe (from @ffprobe-installer). */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ffprobe from '@ffprobe-installer/ffprobe';

export interface VideoProbe {
  durationSeconds: number;
  width: number;
  height: number;
  hasAudio: boolean;
  videoCodec: string;
  sizeBytes: number;
  /** Frames per second of the video stream (r_frame_rate, else avg_frame_rate); undefined when unknown. */
  frameRate?: number;
}

export class ProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  disposition?: { attached_pic?: number };
}
interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; size?: string };
}

const PROBE_TIMEOUT_MS = 30_000;

function runFfprobe(path: string): Promise<FfprobeOutput> {
  // An absolute path can never be mistaken for an option.
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', resolve(path)];
  return new Promise((done, reject) => {
    execFile(ffprobe.path, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const detail = (stderr || err.message).toString().trim().split('\n')[0];
        return reject(new ProbeError(`ffprobe could not read the file: ${detail}`));
      }
      try {
        done(JSON.parse(stdout) as FfprobeOutput);
      } catch {
        reject(new ProbeError('ffprobe returned output that is not JSON.'));
      }
    });
  });
}

function positive(v: string | number | undefined): number | undefined {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** ffprobe writes rates as "num/den" ("30000/1001"); "0/0" means unknown. */
function frameRateOf(rate: string | undefined): number | undefined {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(rate ?? '');
  if (!m) return undefined;
  const fps = Number(m[1]) / Number(m[2] ?? 1);
  return Number.isFinite(fps) && fps > 0 && fps <= 1000 ? Math.round(fps * 1000) / 1000 : undefined;
}

/** Rejects (ProbeError) when the file has no video stream; cover art does not count as one. */
export async function probeVideo(path: string): Promise<VideoProbe> {
  const [out, st] = await Promise.all([runFfprobe(path), stat(path)]);
  const streams = out.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) throw new ProbeError('The file has no video stream.');
  const durationSeconds = positive(out.format?.duration) ?? positive(video.duration) ?? 0;
  return {
    durationSeconds,
    width: video.width ?? 0,
    height: video.height ?? 0,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    videoCodec: video.codec_name ?? 'unknown',
    sizeBytes: positive(out.format?.size) ?? st.size,
    frameRate: frameRateOf(video.r_frame_rate) ?? frameRateOf(video.avg_frame_rate),
  };
}

/** Probes in-memory video bytes (via a temp file ffprobe can seek in), then removes the file. */
export async function probeVideoBytes(bytes: Buffer, tmpDir: string): Promise<VideoProbe> {
  await mkdir(tmpDir, { recursive: true });
  const file = join(tmpDir, `probe-${randomBytes(8).toString('hex')}.bin`);
  await writeFile(file, bytes);
  try {
    return await probeVideo(file);
  } finally {
    await rm(file, { force: true });
  }
}
