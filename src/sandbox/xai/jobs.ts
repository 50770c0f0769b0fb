import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PersistedMap } from '../common/job-store.js';
import { JobBook, scaledMs, seeded, type Renderable } from '../common/jobs.js';
import { renderVideo } from '../render.js';
import type { JobError, JobOutcome } from './faults.js';
import { TICKS_PER_USD, type GrokModel } from './models.js';
import type { JobKind } from './validate.js';

/** A validated request with its media loaded: everything the render needs. */
export interface XaiJobSpec {
  kind: JobKind;
  model: GrokModel;
  /** The model id as the client sent it (aliases are echoed back unchanged). */
  modelId: string;
  prompt: string;
  durationSeconds: number;
  width: number;
  height: number;
  /** Billing tier: the requested resolution, or 720p for edits/extensions (their cap). */
  resolution: '480p' | '720p';
  image?: Buffer;
  referenceImages: Buffer[];
  /** Source video on disk (edit, extension). */
  sourcePath?: string;
}

/** The wire shape of `GET /v1/videos/{request_id}`. */
export interface VideoStatusJson {
  status: 'pending' | 'done' | 'expired' | 'failed';
  model: string;
  progress?: number;
  video?: { url: string; duration: number; respect_moderation: boolean };
  usage?: { cost_in_usd_ticks: number };
  error?: JobError;
}

interface XaiJob extends Renderable {
  id: string;
  spec: XaiJobSpec;
  outcome: JobOutcome;
  createdAt: number;
  dueAt: number;
  fileId?: string;
}

const RENDER_FAILED: JobError = { code: 'internal_error', message: 'Video generation failed due to an internal error. Please try again.' };

/** Simulated job length: 10..45 s from the request content (same request, same time); edits a bit faster. */
export function simulatedSeconds(spec: XaiJobSpec): number {
  const base = 10 + seeded(`${spec.modelId}|${spec.kind}|${spec.prompt}|${spec.durationSeconds}|${spec.width}x${spec.height}`, 36);
  return spec.kind === 'edit' ? Math.max(8, Math.round(base * 0.8)) : base;
}

/** Video requests of one simulator: timing, rendering at completion, status views, files. */
export class XaiJobs {
  private readonly files: Map<string, string>;
  private readonly jobs: JobBook<XaiJob>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
  ) {
    // Requests and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.jobs = new JobBook(workDir, {
      // A moderated job still renders: its video comes back with respect_moderation false.
      rendersVideo: (job) => job.outcome.kind === 'success' || job.outcome.kind === 'moderated',
      rendered: (job) => job.fileId !== undefined,
      render: (job) => this.render(job),
    });
  }

  create(spec: XaiJobSpec, outcome: JobOutcome): string {
    const now = Date.now();
    const job: XaiJob = { id: randomUUID(), spec, outcome, createdAt: now, dueAt: now + scaledMs(simulatedSeconds(spec), this.speed) };
    this.jobs.add(job);
    return job.id;
  }

  /** The request as a poll sees it now; `urlFor` makes the temporary public URL of a file. */
  view(id: string, urlFor: (fileId: string) => string): VideoStatusJson | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const model = job.spec.modelId;
    const { outcome } = job;
    const now = Date.now();
    const pending = (): VideoStatusJson => ({
      status: 'pending',
      model,
      progress: Math.min(99, Math.floor(((now - job.createdAt) / Math.max(1, job.dueAt - job.createdAt)) * 100)),
    });
    if (outcome.kind === 'hang' || now < job.dueAt) return pending();
    if (outcome.kind === 'fail') return { status: 'failed', model, error: outcome.error };
    if (outcome.kind === 'expire') return { status: 'expired', model };
    const output = this.jobs.output(job);
    if (output === 'failed') return { status: 'failed', model, error: RENDER_FAILED };
    if (output === 'rendering') return pending();
    const { spec } = job;
    return {
      status: 'done',
      model,
      progress: 100,
      video: { url: urlFor(job.fileId!), duration: spec.durationSeconds, respect_moderation: outcome.kind !== 'moderated' },
      usage: { cost_in_usd_ticks: Math.round(spec.model.pricePerSecond[spec.resolution] * spec.durationSeconds * TICKS_PER_USD) },
    };
  }

  filePath(fileId: string): string | undefined {
    return this.files.get(fileId);
  }

  private async render(job: XaiJob): Promise<void> {
    const { spec } = job;
    const dir = join(this.workDir, 'videos');
    await mkdir(dir, { recursive: true });
    const fileId = randomBytes(12).toString('hex');
    const path = join(dir, `${fileId}.mp4`);
    await renderVideo({
      outPath: path,
      durationSeconds: spec.durationSeconds,
      width: spec.width,
      height: spec.height,
      // Grok Imagine renders sound with every video; there is no switch.
      audio: true,
      firstFrame: spec.image,
      referenceImages: spec.referenceImages.length ? spec.referenceImages : undefined,
      sourceVideo: spec.sourcePath,
      label: `${spec.model.id}\n${spec.prompt}`,
      signal: this.jobs.signal,
    });
    if (spec.sourcePath) await rm(spec.sourcePath, { force: true });
    this.files.set(fileId, path);
    job.fileId = fileId;
  }

  /** Stop timers and renders (ffmpeg is killed) and wait for them to settle. */
  close(): Promise<void> {
    return this.jobs.close();
  }
}
