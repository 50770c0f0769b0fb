import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PersistedMap } from '../common/job-store.js';
import { JobBook, scaledMs, seeded, type Renderable } from '../common/jobs.js';
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
  dueAt: number;
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
  return Math.max(10, Math.round((30 + seeded(`${spec.model.id}|${spec.prompt}|${spec.duration}|${spec.resolution}`, 90)) * spec.model.timeFactor));
}

/** The query response as a poll sees it now. */
export type QueryJson = Record<string, unknown>;

const OK = { status_code: 0, status_msg: 'success' };

export class HailuoJobs {
  private readonly files: Map<string, StoredFile>;
  private readonly jobs: JobBook<HailuoJob>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
    /** Told when a job's render settles (its status just changed): callbacks go out at once. */
    settled: (id: string) => void = () => undefined,
  ) {
    // Tasks and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.jobs = new JobBook(workDir, {
      rendersVideo: (job) => job.outcome.kind === 'success',
      rendered: (job) => job.fileId !== undefined,
      render: (job) => this.render(job),
      settled: (job) => settled(job.id),
    });
  }

  create(spec: HailuoSpec, outcome: JobOutcome): string {
    const now = Date.now();
    const job: HailuoJob = { id: numericId(), spec, outcome, createdAt: now, dueAt: now + scaledMs(simulatedSeconds(spec), this.speed) };
    this.jobs.add(job);
    return job.id;
  }

  /** Preparing → Queueing → Processing over the job's time, then Success once the file exists. */
  view(taskId: string): QueryJson | undefined {
    const job = this.jobs.get(taskId);
    if (!job) return undefined;
    const elapsed = (Date.now() - job.createdAt) / (job.dueAt - job.createdAt);
    const running = (status: string) => ({ task_id: job.id, status, file_id: '', base_resp: OK });
    if (job.outcome.kind === 'hang') return running(elapsed < 0.1 ? 'Preparing' : 'Processing');
    if (elapsed < 0.1) return running('Preparing');
    if (elapsed < 0.3) return running('Queueing');
    if (elapsed < 1) return running('Processing');
    if (job.outcome.kind === 'fail') {
      const { status_code, status_msg, error_message } = job.outcome.error;
      return { task_id: job.id, status: job.outcome.spelling ?? 'Fail', file_id: '', ...(error_message ? { error_message } : {}), base_resp: { status_code, status_msg } };
    }
    const output = this.jobs.output(job);
    if (output === 'failed') return { task_id: job.id, status: 'Fail', file_id: '', error_message: 'internal error while generating the video', base_resp: { status_code: 1000, status_msg: 'unknown error' } };
    if (output === 'rendering') return running('Processing');
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
      signal: this.jobs.signal,
    });
    this.files.set(fileId, { fileId, path, bytes: (await stat(path)).size, createdAt: Math.floor(Date.now() / 1000) });
    job.fileId = fileId;
  }

  close(): Promise<void> {
    return this.jobs.close();
  }
}
