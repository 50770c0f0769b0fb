import { execFile } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JobStore, PersistedMap, restoreJobs } from '../common/job-store.js';
import { JobRenders, type Renderable } from '../common/jobs.js';
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
  durationMs: number;
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
  const h = createHash('sha256').update(`${model.id}|${spec.endpoint}|${spec.prompt}|${spec.duration}|${spec.resolution}`).digest();
  return Math.max(10, Math.round((20 + (h.readUInt32BE(0) % 71)) * model.timeFactor));
}

/** Output size: text/reference flows use aspect_ratio; image flows take the first image's shape. */
export function outputSize(spec: ViduCreateSpec, images: LoadedImage[]): { width: number; height: number } {
  const first = images[0];
  const ratio = spec.endpoint === 'img2video' || spec.endpoint === 'start-end2video' ? `${first.width}:${first.height}` : spec.aspectRatio ?? '16:9';
  return dimensionsFor(ratio, spec.resolution);
}

/** Vidu tasks of one simulator: state over time, rendering when due, files. */
export class ViduJobs {
  private readonly jobs = new Map<string, ViduJob>();
  private readonly files: Map<string, { video: string; cover: string }>;
  private readonly renders = new JobRenders();
  private readonly store: JobStore<ViduJob>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
  ) {
    // Tasks and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.store = new JobStore(workDir);
    restoreJobs(this.store, this.jobs, (job) => {
      if (job.outcome.kind === 'success' && !job.creationId && !job.cancelled) this.renders.startAfter(job, Math.max(0, job.createdAt + job.durationMs - Date.now()), () => this.render(job));
    });
  }

  create(model: ViduModel, spec: ViduCreateSpec, images: LoadedImage[], outcome: JobOutcome): { id: string; credits: number; createdAt: number } {
    const id = newId();
    const durationMs = (simulatedSeconds(model, spec) * 1000) / this.speed;
    const job: ViduJob = { id, model, spec, images, outcome, credits: creditsFor(model, spec.duration, spec.resolution), createdAt: Date.now(), durationMs };
    this.jobs.set(id, job);
    this.store.save(id, job);
    if (outcome.kind === 'success') this.renders.startAfter(job, durationMs, () => this.render(job));
    return { id, credits: job.credits, createdAt: job.createdAt };
  }

  /** Tasks not yet finished (success or failed), for the account's concurrency limit. */
  activeCount(): number {
    let n = 0;
    for (const job of this.jobs.values()) {
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
    this.store.save(job.id, job);
    this.renders.cancel(job);
    return 'cancelled';
  }

  /** created → queueing (5 %) → processing (20 %) → success once the file exists, or failed. */
  private stateOf(job: ViduJob): TaskJson['state'] {
    if (job.cancelled) return 'failed';
    const elapsed = Date.now() - job.createdAt;
    if (elapsed < job.durationMs * 0.05) return 'created';
    if (elapsed < job.durationMs * 0.2) return 'queueing';
    if (elapsed < job.durationMs || job.outcome.kind === 'hang') return 'processing';
    if (job.outcome.kind === 'fail' || job.renderError) return 'failed';
    if (job.creationId) return 'success';
    // Never report success before the bytes exist: the download must work right after.
    this.renders.start(job, () => this.render(job));
    return 'processing';
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
      signal: this.renders.signal,
    });
    await run(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', video, '-frames:v', '1', '-q:v', '5', cover], { signal: this.renders.signal });
    this.files.set(creationId, { video, cover });
    job.creationId = creationId;
    this.store.save(job.id, job);
  }

  close(): Promise<void> {
    return this.renders.close();
  }
}
