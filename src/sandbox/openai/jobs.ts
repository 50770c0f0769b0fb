import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JobBook, scaledMs, seeded, type Renderable } from '../common/jobs.js';
import { ffmpegPath, renderVideo } from '../render.js';
import type { JobOutcome, VideoError } from './faults.js';
import { sizeOf, type SoraCreateSpec } from './validate.js';

const run = promisify(execFile);

const RENDER_FAILED: VideoError = { code: 'internal_error', message: 'Video generation failed due to an internal error.' };
/** Real assets expire about an hour after completion (§1.4). */
const EXPIRES_AFTER_SECONDS = 3600;
/** The first part of a job is spent queued (progress 0). */
const QUEUED_SHARE = 0.15;

export type Variant = 'video' | 'thumbnail' | 'spritesheet';
export const VARIANTS: Record<Variant, { ext: string; contentType: string }> = {
  video: { ext: 'mp4', contentType: 'video/mp4' },
  thumbnail: { ext: 'webp', contentType: 'image/webp' },
  spritesheet: { ext: 'jpg', contentType: 'image/jpeg' },
};

/** The `Video` object (§1.4), exactly the fields the SDK's `Video` interface declares. */
export interface VideoJson {
  id: string;
  object: 'video';
  model: string;
  status: 'queued' | 'in_progress' | 'completed' | 'failed';
  progress: number;
  created_at: number;
  completed_at: number | null;
  expires_at: number | null;
  prompt: string | null;
  seconds: string;
  size: string;
  remixed_from_video_id: string | null;
  error: VideoError | null;
}

interface SoraJob extends Renderable {
  id: string;
  spec: SoraCreateSpec;
  image?: Buffer;
  outcome: JobOutcome;
  createdMs: number;
  startMs: number;
  dueAt: number;
  completedAt?: number;
  path?: string;
  extras: Map<Variant, Promise<string>>;
}

/** Deterministic-ish simulated job length: 20..80 s from the request content, longer on pro. */
export function simulatedSeconds(spec: SoraCreateSpec): number {
  return Math.round((20 + seeded(`${spec.model.id}|${spec.prompt}|${spec.seconds}|${spec.size}`, 61)) * spec.model.timeFactor);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Sora jobs of one simulator: timing, progress, rendering at completion, the content variants. */
export class SoraJobs {
  private readonly jobs: JobBook<SoraJob>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
    /** Told when a job's render settles (its status just changed): callbacks go out at once. */
    settled: (id: string) => void = () => undefined,
  ) {
    // Jobs of a previous run on this work dir carry on where they were.
    this.jobs = new JobBook(workDir, {
      rendersVideo: (job) => job.outcome.kind === 'success',
      rendered: (job) => job.path !== undefined,
      render: (job) => this.render(job),
      settled: (job) => settled(job.id),
      restored: (job) => {
        job.extras = new Map();
      },
    });
  }

  create(spec: SoraCreateSpec, image: Buffer | undefined, outcome: JobOutcome): VideoJson {
    const totalMs = scaledMs(simulatedSeconds(spec), this.speed);
    const createdMs = Date.now();
    const job: SoraJob = { id: `video_${randomBytes(16).toString('hex')}`, spec, image, outcome, createdMs, startMs: createdMs + totalMs * QUEUED_SHARE, dueAt: createdMs + totalMs, extras: new Map() };
    this.jobs.add(job);
    return this.toJson(job);
  }

  view(id: string): VideoJson | undefined {
    const job = this.jobs.get(id);
    return job && this.toJson(job);
  }

  /** Newest first by default, like the API's list (`order=desc`). */
  list(order: 'asc' | 'desc'): VideoJson[] {
    const all = this.jobs.all().map((j) => this.toJson(j));
    return order === 'asc' ? all : all.reverse();
  }

  delete(id: string): boolean {
    return this.jobs.delete(id);
  }

  /** Path of a finished asset; undefined when the job is unknown or not completed. */
  async assetPath(id: string, variant: Variant): Promise<string | undefined> {
    const job = this.jobs.get(id);
    if (!job?.path || this.toJson(job).status !== 'completed') return undefined;
    if (variant === 'video') return job.path;
    let extra = job.extras.get(variant);
    if (!extra) {
      extra = this.renderExtra(job.path, variant);
      extra.catch(() => job.extras.delete(variant));
      job.extras.set(variant, extra);
    }
    return extra;
  }

  private toJson(job: SoraJob): VideoJson {
    const { spec, outcome } = job;
    const now = Date.now();
    const base = {
      id: job.id,
      object: 'video' as const,
      model: spec.model.id,
      created_at: Math.floor(job.createdMs / 1000),
      prompt: spec.prompt,
      seconds: spec.seconds,
      size: spec.size,
      remixed_from_video_id: null,
    };
    const pending = { completed_at: null, expires_at: null, error: null };
    if (now < job.startMs) return { ...base, ...pending, status: 'queued', progress: 0 };
    const running = { ...base, ...pending, status: 'in_progress' as const };
    if (outcome.kind === 'hang') return { ...running, progress: Math.min(99, Math.floor(((now - job.startMs) / (job.dueAt - job.startMs)) * 100)) };
    if (now < job.dueAt) return { ...running, progress: Math.floor(((now - job.startMs) / (job.dueAt - job.startMs)) * 100) };
    const output = outcome.kind === 'fail' ? undefined : this.jobs.output(job);
    const error = outcome.kind === 'fail' ? outcome.error : output === 'failed' ? RENDER_FAILED : undefined;
    if (error) return { ...base, status: 'failed', progress: 0, completed_at: null, expires_at: null, error };
    if (output === 'rendering') return { ...running, progress: 99 };
    const completedAt = job.completedAt ?? nowSeconds();
    return { ...base, status: 'completed', progress: 100, completed_at: completedAt, expires_at: completedAt + EXPIRES_AFTER_SECONDS, error: null };
  }

  private async render(job: SoraJob): Promise<void> {
    const dir = join(this.workDir, 'videos');
    await mkdir(dir, { recursive: true });
    const outPath = join(dir, `${job.id}.mp4`);
    await renderVideo({
      outPath,
      durationSeconds: Number(job.spec.seconds),
      ...sizeOf(job.spec.size),
      audio: true, // Sora always generates audio (§1.10)
      firstFrame: job.image,
      label: `${job.spec.model.id}\n${job.spec.prompt}`,
      signal: this.jobs.signal,
    });
    job.path = outPath;
    job.completedAt = nowSeconds();
  }

  private async renderExtra(videoPath: string, variant: Exclude<Variant, 'video'>): Promise<string> {
    const out = videoPath.replace(/\.mp4$/, `.${variant}.${VARIANTS[variant].ext}`);
    const filter = variant === 'thumbnail' ? 'scale=480:-2' : 'fps=1,scale=160:-2,tile=4x2';
    await run(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', videoPath, '-vf', filter, '-frames:v', '1', out], { signal: this.jobs.signal });
    return out;
  }

  /** Stop timers and renders (ffmpeg is killed) and wait for them to settle. */
  async close(): Promise<void> {
    // Aborting the renders also kills the thumbnail/spritesheet ffmpeg runs that share their signal.
    await Promise.all([this.jobs.close(), Promise.allSettled(this.jobs.all().flatMap((j) => [...j.extras.values()]))]);
  }
}
