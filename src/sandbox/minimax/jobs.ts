import { createHash, randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { JobStore, PersistedMap, restoreJobs } from '../common/job-store.js';
import { JobRenders, type Renderable } from '../common/jobs.js';
import { renderVideo } from '../render.js';
import type { JobOutcome } from './faults.js';
import type { HailuoSpec } from './validate.js';

/** What a Fail carries (§2.3): a non-zero base_resp and sometimes error_message. */
export interface BaseRespError {
  status_code: number;
  status_msg: string;
  error_message?: string;
}

interface HailuoJob extends Renderable {
  id: string;
  spec: HailuoSpec;
  outcome: JobOutcome;
  createdAt: number;
  durationMs: number;
  fileId?: string;
}

export interface StoredFile {
  fileId: string;
  path: string;
  bytes: number;
  createdAt: number;
}

/** Numeric ids like MiniMax's (~2×10^14, safe as JS numbers). */
const numericId = () => `${randomInt(100_000, 999_999)}${randomInt(100_000_000, 999_999_999)}`;

/** Deterministic-ish job length, 30..120 s scaled by the model (Fast is quicker). */
export function simulatedSeconds(spec: HailuoSpec): number {
  const h = createHash('sha256').update(`${spec.model.id}|${spec.prompt}|${spec.duration}|${spec.resolution}`).digest();
  return Math.max(10, Math.round((30 + (h.readUInt32BE(0) % 90)) * spec.model.timeFactor));
}

/** The query response as a poll sees it now. */
export type QueryJson = Record<string, unknown>;

const OK = { status_code: 0, status_msg: 'success' };

export class HailuoJobs {
  private readonly jobs = new Map<string, HailuoJob>();
  private readonly files: Map<string, StoredFile>;
  private readonly renders = new JobRenders();
  private readonly store: JobStore<HailuoJob>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
  ) {
    // Tasks and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.store = new JobStore(workDir);
    restoreJobs(this.store, this.jobs, (job) => {
      if (job.outcome.kind === 'success' && !job.fileId) this.renders.startAfter(job, Math.max(0, job.createdAt + job.durationMs - Date.now()), () => this.render(job));
    });
  }

  create(spec: HailuoSpec, outcome: JobOutcome): string {
    const id = numericId();
    const durationMs = (simulatedSeconds(spec) * 1000) / this.speed;
    const job: HailuoJob = { id, spec, outcome, createdAt: Date.now(), durationMs };
    this.jobs.set(id, job);
    this.store.save(id, job);
    if (outcome.kind === 'success') this.renders.startAfter(job, durationMs, () => this.render(job));
    return id;
  }

  /** Preparing → Queueing → Processing over the job's time, then Success once the file exists. */
  view(taskId: string): QueryJson | undefined {
    const job = this.jobs.get(taskId);
    if (!job) return undefined;
    const elapsed = (Date.now() - job.createdAt) / job.durationMs;
    const running = (status: string) => ({ task_id: job.id, status, file_id: '', base_resp: OK });
    if (job.outcome.kind === 'hang') return running(elapsed < 0.1 ? 'Preparing' : 'Processing');
    if (elapsed < 0.1) return running('Preparing');
    if (elapsed < 0.3) return running('Queueing');
    if (elapsed < 1) return running('Processing');
    if (job.outcome.kind === 'fail') {
      const { status_code, status_msg, error_message } = job.outcome.error;
      return { task_id: job.id, status: job.outcome.spelling ?? 'Fail', file_id: '', ...(error_message ? { error_message } : {}), base_resp: { status_code, status_msg } };
    }
    if (job.renderError) return { task_id: job.id, status: 'Fail', file_id: '', error_message: 'internal error while generating the video', base_resp: { status_code: 1000, status_msg: 'unknown error' } };
    if (!job.fileId) {
      this.renders.start(job, () => this.render(job));
      return running('Processing');
    }
    return { task_id: job.id, status: 'Success', file_id: job.fileId, video_width: job.spec.width, video_height: job.spec.height, base_resp: OK };
  }

  file(fileId: string): StoredFile | undefined {
    return this.files.get(fileId);
  }

  private async render(job: HailuoJob): Promise<void> {
    const { spec } = job;
    const fileId = numericId();
    const path = join(this.workDir, 'videos', `${fileId}.mp4`);
    await renderVideo({
      outPath: path,
      durationSeconds: spec.duration,
      width: spec.width,
      height: spec.height,
      audio: false, // Hailuo v1 output is silent
      firstFrame: spec.firstFrame,
      lastFrame: spec.lastFrame,
      label: `${spec.model.id}\n${spec.prompt}`,
      signal: this.renders.signal,
    });
    this.files.set(fileId, { fileId, path, bytes: (await stat(path)).size, createdAt: Math.floor(Date.now() / 1000) });
    job.fileId = fileId;
    this.store.save(job.id, job);
  }

  close(): Promise<void> {
    return this.renders.close();
  }
}
