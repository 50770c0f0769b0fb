import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PersistedMap } from '../common/job-store.js';
import { JobBook, scaledMs, seeded, type Renderable } from '../common/jobs.js';
import { dimensionsFor, ffmpegPath, renderVideo } from '../render.js';
import type { JobOutcome } from './faults.js';
import { creditsFor, type ViduModel } from './models.js';
import type { LoadedImage, ViduCreateSpec } from './validate.js';

const run = promisify(execFile);

interface ViduJob extends Renderable {
  /** Stopped by POST /tasks/{id}/cancel before it was scheduled. */
  cancelled?: boolean;
  id: string;
  model: ViduModel;
  spec: ViduCreateSpec;
  images: LoadedImage[];
  outcome: JobOutcome;
  credits: number;
  createdAt: number;
  dueAt: number;
  creationId?: string;
}

/** The poll body of GET /tasks/{id}/creations (spec providers-2 §4.6). */
export interface TaskJson {
  id: string;
  state: 'created' | 'queueing' | 'processing' | 'success' | 'failed';
  err_code: string;
  credits: number;
  payload: string;
  bgm: boolean;
  off_peak: boolean;
  creations: Array<{ id: string; url: string; cover_url: string; watermarked_url: string }>;
}

/** Vidu ids are 18-digit numeric strings (e.g. "916205061116293120"). */
const newId = () => `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;

/** Deterministic-ish simulated task length: 20..90 s from the request, scaled per model. */
export function simulatedSeconds(model: ViduModel, spec: ViduCreateSpec): number {
  return Math.max(10, Math.round((20 + seeded(`${model.id}|${spec.endpoint}|${spec.prompt}|${spec.duration}|${spec.resolution}`, 71)) * model.timeFactor));
}

/** Output size: text/reference flows use aspect_ratio; image flows take the first image's shape. */
export function outputSize(spec: ViduCreateSpec, images: LoadedImage[]): { width: number; height: number } {
  const first = images[0];
  const ratio = spec.endpoint === 'img2video' || spec.endpoint === 'start-end2video' ? `${first.width}:${first.height}` : (spec.aspectRatio ?? '16:9');
  return dimensionsFor(ratio, spec.resolution);
}

/** A due task's state by its output (a task is processing until its video exists). */
const OUTPUT_STATE = { ready: 'success', rendering: 'processing', failed: 'failed' } as const;

/** Vidu tasks of one simulator: state over time, rendering when due, files. */
export class ViduJobs {
  private readonly files: Map<string, { video: string; cover: string }>;
  private readonly jobs: JobBook<ViduJob>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
    /** Told when a job's render settles (its status just changed): callbacks go out at once. */
    settled: (id: string) => void = () => undefined,
  ) {
    // Tasks and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.jobs = new JobBook(workDir, {
      rendersVideo: (job) => job.outcome.kind === 'success' && !job.cancelled,
      rendered: (job) => job.creationId !== undefined,
      render: (job) => this.render(job),
      settled: (job) => settled(job.id),
    });
  }

  create(model: ViduModel, spec: ViduCreateSpec, images: LoadedImage[], outcome: JobOutcome): { id: string; credits: number; createdAt: number } {
    const now = Date.now();
    const job: ViduJob = { id: newId(), model, spec, images, outcome, credits: creditsFor(model, spec.duration, spec.resolution), createdAt: now, dueAt: now + scaledMs(simulatedSeconds(model, spec), this.speed) };
    this.jobs.add(job);
    return { id: job.id, credits: job.credits, createdAt: job.createdAt };
  }

  /** Tasks not yet finished (success or failed), for the account's concurrency limit. */
  activeCount(): number {
    let n = 0;
    for (const job of this.jobs.all()) {
      const state = this.stateOf(job);
      if (state !== 'success' && state !== 'failed') n++;
    }
    return n;
  }

  view(id: string, signFile: (creationId: string, kind: 'video' | 'cover') => string): TaskJson | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const state = this.stateOf(job);
    const base: TaskJson = {
      id,
      state,
      err_code: '',
      credits: job.credits,
      payload: job.spec.payload,
      bgm: job.spec.bgm ?? false,
      off_peak: job.spec.offPeak,
      creations: [],
    };
    if (state === 'failed') return { ...base, credits: job.cancelled ? 0 : job.credits, err_code: job.cancelled ? 'UserCancelled' : job.outcome.kind === 'fail' ? job.outcome.errCode : 'InternalServiceFailure' };
    if (state !== 'success' || !job.creationId) return base;
    const url = signFile(job.creationId, 'video');
    // The simulator draws no watermark: watermarked_url serves the same file (documented in README).
    return { ...base, creations: [{ id: job.creationId, url, cover_url: signFile(job.creationId, 'cover'), watermarked_url: job.spec.watermark ? url : '' }] };
  }

  file(creationId: string, kind: 'video' | 'cover'): string | undefined {
    return this.files.get(creationId)?.[kind];
  }

  /**
   * POST /tasks/{id}/cancel: a task not yet scheduled (created, queueing) ends failed with
   * err_code UserCancelled and is not charged; once processing it refuses ("task state is
   * scheduled, can not cancel").
   */
  cancel(id: string): 'cancelled' | 'scheduled' | 'missing' {
    const job = this.jobs.get(id);
    if (!job) return 'missing';
    const state = this.stateOf(job);
    if (state !== 'created' && state !== 'queueing') return 'scheduled';
    job.cancelled = true;
    this.jobs.stop(job);
    return 'cancelled';
  }

  /** created → queueing (5 %) → processing (20 %) → success once the file exists, or failed. */
  private stateOf(job: ViduJob): TaskJson['state'] {
    if (job.cancelled) return 'failed';
    const elapsed = Date.now() - job.createdAt;
    const length = job.dueAt - job.createdAt;
    if (elapsed < length * 0.05) return 'created';
    if (elapsed < length * 0.2) return 'queueing';
    if (elapsed < length || job.outcome.kind === 'hang') return 'processing';
    if (job.outcome.kind === 'fail') return 'failed';
    return OUTPUT_STATE[this.jobs.output(job)];
  }

  private async render(job: ViduJob): Promise<void> {
    const { spec, model, images } = job;
    const dir = join(this.workDir, 'videos');
    await mkdir(dir, { recursive: true });
    const creationId = newId();
    const video = join(dir, `${creationId}.mp4`);
    const cover = join(dir, `${creationId}.jpg`);
    const imageFlow = spec.endpoint === 'img2video' || spec.endpoint === 'start-end2video';
    await renderVideo({
      outPath: video,
      durationSeconds: spec.duration,
      ...outputSize(spec, images),
      // Speech/SFX (audio) or background music (bgm, not on Q3) make a sound track.
      audio: Boolean(spec.audio || (spec.bgm && !model.q3)),
      firstFrame: imageFlow ? images[0].bytes : undefined,
      lastFrame: spec.endpoint === 'start-end2video' ? images[1].bytes : undefined,
      referenceImages: spec.endpoint === 'reference2video' ? images.map((i) => i.bytes) : undefined,
      label: `${model.id}\n${spec.prompt}\n${spec.seed}`,
      signal: this.jobs.signal,
    });
    await run(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', video, '-frames:v', '1', '-q:v', '5', cover], { signal: this.jobs.signal });
    this.files.set(creationId, { video, cover });
    job.creationId = creationId;
  }

  close(): Promise<void> {
    return this.jobs.close();
  }
}
