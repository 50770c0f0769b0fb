import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JobBook, scaledMs, seeded, type Renderable } from '../common/jobs.js';
import { dimensionsFor, renderVideo } from '../render.js';
import type { OperationError } from './errors.js';
import type { JobOutcome } from './faults.js';
import type { VeoModel } from './models.js';
import type { VeoCreateSpec } from './validate.js';

const RESPONSE_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse';

const RENDER_FAILED: OperationError = {
  code: 13,
  message: 'Internal error encountered while generating the video.',
  status: 'INTERNAL',
};

interface VeoJob extends Renderable {
  id: string;
  model: VeoModel;
  spec: VeoCreateSpec;
  outcome: JobOutcome;
  dueAt: number;
  fileIds?: string[];
  /** Who may read it (Vertex AI: the model resource of its operation name). */
  owner?: string;
}

/** Where a job stands, whatever protocol shows it: each simulator renders its own operation view. */
export type VeoJobState = { kind: 'running' } | { kind: 'failed'; error: OperationError } | { kind: 'rai'; reasons: string[] } | { kind: 'done'; fileIds: string[] };

/** The wire shape of a google.longrunning.Operation for Veo on the Gemini API. */
export interface OperationJson {
  name: string;
  done?: true;
  error?: OperationError;
  response?: {
    '@type': string;
    generateVideoResponse: {
      generatedSamples?: Array<{ video: { uri: string } }>;
      raiMediaFilteredCount?: number;
      raiMediaFilteredReasons?: string[];
    };
  };
}

/** Deterministic-ish simulated job length: 11..60 s from the request content, shorter on fast models. */
export function simulatedSeconds(model: VeoModel, spec: VeoCreateSpec): number {
  const base = 11 + seeded(`${model.id}|${spec.prompt}|${spec.durationSeconds}|${spec.resolution}|${spec.aspectRatio}`, 50);
  return Math.max(11, Math.round(base * model.timeFactor));
}

/** Lowercase alphanumerics: the SDK extracts file ids with /[a-z0-9]+/. */
const newId = (bytes: number) => randomBytes(bytes).toString('hex');

/** Veo operations of one simulator: timing, rendering at completion, operation views, files. */
export class VeoJobs {
  private readonly files = new Map<string, string>();
  private readonly jobs: JobBook<VeoJob>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
  ) {
    // Operations of a previous run on this work dir carry on where they were.
    this.jobs = new JobBook(workDir, {
      rendersVideo: (job) => job.outcome.kind === 'success',
      rendered: (job) => job.fileIds !== undefined,
      render: (job) => this.render(job),
      restored: (job) => {
        for (const fileId of job.fileIds ?? []) this.files.set(fileId, this.videoPath(fileId));
      },
    });
  }

  /** A new job; returns its id (each protocol builds its operation name around it). */
  create(model: VeoModel, spec: VeoCreateSpec, outcome: JobOutcome, owner?: string, id = newId(8)): string {
    const job: VeoJob = { id, model, spec, outcome, dueAt: Date.now() + scaledMs(simulatedSeconds(model, spec), this.speed), owner };
    this.jobs.add(job);
    return job.id;
  }

  /** The job's state now; undefined if unknown or `owns` says it is not the caller's. */
  state(opId: string, owns: (job: { model: VeoModel; owner?: string }) => boolean): VeoJobState | undefined {
    const job = this.jobs.get(opId);
    if (!job || !owns(job)) return undefined;
    const { outcome } = job;
    if (outcome.kind === 'hang' || Date.now() < job.dueAt) return { kind: 'running' };
    if (outcome.kind === 'fail') return { kind: 'failed', error: outcome.error };
    if (outcome.kind === 'rai') return { kind: 'rai', reasons: outcome.reasons };
    const output = this.jobs.output(job);
    if (output === 'failed') return { kind: 'failed', error: RENDER_FAILED };
    if (output === 'rendering') return { kind: 'running' };
    return { kind: 'done', fileIds: job.fileIds! };
  }

  /** The spec a job was created with (Vertex AI's storageUri lives there). */
  specOf(opId: string): VeoCreateSpec | undefined {
    return this.jobs.get(opId)?.spec;
  }

  private videoPath(fileId: string): string {
    return join(this.workDir, 'videos', `${fileId}.mp4`);
  }

  /** The operation as a Gemini API poll sees it now; undefined if unknown or asked under another model. */
  view(modelId: string, opId: string, publicBase: string): OperationJson | undefined {
    const state = this.state(opId, (job) => job.model.id === modelId);
    if (!state) return undefined;
    const name = `models/${modelId}/operations/${opId}`;
    switch (state.kind) {
      case 'running':
        return { name };
      case 'failed':
        return { name, done: true, error: state.error };
      case 'rai':
        return { name, done: true, response: { '@type': RESPONSE_TYPE, generateVideoResponse: { raiMediaFilteredCount: state.reasons.length, raiMediaFilteredReasons: state.reasons } } };
      case 'done':
        return {
          name,
          done: true,
          response: {
            '@type': RESPONSE_TYPE,
            generateVideoResponse: { generatedSamples: state.fileIds.map((fileId) => ({ video: { uri: `${publicBase}/v1beta/files/${fileId}:download?alt=media` } })) },
          },
        };
    }
  }

  filePath(fileId: string): string | undefined {
    return this.files.get(fileId);
  }

  private async render(job: VeoJob): Promise<void> {
    const { spec, model } = job;
    const dir = join(this.workDir, 'videos');
    await mkdir(dir, { recursive: true });
    const fileIds = Array.from({ length: spec.sampleCount }, () => newId(12));
    const paths = fileIds.map((id) => this.videoPath(id));
    await renderVideo({
      outPath: paths[0],
      durationSeconds: spec.durationSeconds,
      ...dimensionsFor(spec.aspectRatio, spec.resolution),
      // Vertex AI's generateAudio:false renders without an audio stream at all.
      audio: model.audio && spec.generateAudio !== false,
      firstFrame: spec.image,
      lastFrame: spec.lastFrame,
      referenceImages: spec.referenceImages.length ? spec.referenceImages : undefined,
      sourceVideo: await this.extensionSource(job),
      label: `${model.id}\n${spec.prompt}`,
      signal: this.jobs.signal,
    });
    // Extra samples (Veo 2 allows 2) are copies: cheap, and distinct files all the same.
    for (const p of paths.slice(1)) await copyFile(paths[0], p);
    for (const [i, id] of fileIds.entries()) this.files.set(id, paths[i]);
    job.fileIds = fileIds;
  }

  private async extensionSource(job: VeoJob): Promise<string | undefined> {
    const source = job.spec.video;
    if (!source) return undefined;
    if ('fileId' in source) {
      const path = this.files.get(source.fileId);
      if (!path) throw new Error(`extension source ${source.fileId} is unknown`);
      return path;
    }
    const dir = join(this.workDir, 'inputs');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${job.id}.mp4`);
    await writeFile(path, source.bytes);
    return path;
  }

  /** A previous generation's uri must point at a file this server made (checked at create). */
  hasFile(fileId: string): boolean {
    return this.files.has(fileId);
  }

  /** Stop timers and renders (ffmpeg is killed) and wait for them to settle. */
  close(): Promise<void> {
    return this.jobs.close();
  }
}
