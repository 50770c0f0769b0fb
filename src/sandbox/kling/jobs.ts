import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { JobStore, PersistedMap, restoreJobs } from '../common/job-store.js';
import { JobRenders, type Renderable } from '../common/jobs.js';
import { renderVideo } from '../render.js';
import type { JobOutcome } from './faults.js';
import type { SimKind } from './models.js';
import type { KlingJobSpec } from './validate.js';

interface KlingTask extends Renderable {
  id: string;
  spec: KlingJobSpec;
  outcome: JobOutcome;
  createdAt: number;
  /** `submitted` until then, `processing` until dueAt. */
  queuedUntil: number;
  dueAt: number;
  videoId?: string;
}

/** The `data` of a task reply (§1.8). */
export interface TaskJson {
  task_id: string;
  task_status: 'submitted' | 'processing' | 'succeed' | 'failed';
  task_status_msg: string;
  task_info: { external_task_id?: string };
  watermark_info: { enabled: boolean };
  final_unit_deduction?: string;
  created_at: number;
  updated_at: number;
  task_result?: { videos: Array<{ id: string; url: string; watermark_url: string; duration: string }> };
}

/** 20–79 simulated seconds from the request content, so the same request takes the same time. */
export function simulatedSeconds(spec: KlingJobSpec): number {
  const h = createHash('sha256').update(`${spec.model.name}|${spec.kind}|${spec.prompt}|${spec.durationSeconds}|${spec.width}x${spec.height}`).digest();
  return 20 + (h.readUInt32BE(0) % 60);
}

/** Kling task ids are 18-digit numeric strings. */
const newTaskId = () => `8${Array.from({ length: 17 }, () => randomInt(10)).join('')}`;

export class KlingTasks {
  private readonly tasks = new Map<string, KlingTask>();
  private readonly files: Map<string, string>;
  private readonly renders = new JobRenders();
  private readonly store: JobStore<KlingTask>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
  ) {
    // Tasks and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.store = new JobStore(workDir);
    restoreJobs(this.store, this.tasks, (t) => {
      if (t.outcome.kind === 'success' && !t.videoId) this.renders.startAfter(t, Math.max(0, t.dueAt - Date.now()), () => this.render(t));
    });
  }

  create(spec: KlingJobSpec, outcome: JobOutcome): KlingTask {
    const delayMs = (simulatedSeconds(spec) * 1000) / this.speed;
    const now = Date.now();
    const task: KlingTask = { id: newTaskId(), spec, outcome, createdAt: now, queuedUntil: now + delayMs * 0.2, dueAt: now + delayMs };
    this.tasks.set(task.id, task);
    this.store.save(task.id, task);
    if (outcome.kind === 'success') this.renders.startAfter(task, delayMs, () => this.render(task));
    return task;
  }

  get(kind: SimKind, id: string): KlingTask | undefined {
    const t = this.tasks.get(id);
    return t && t.spec.kind === kind ? t : undefined;
  }

  list(kind: SimKind): KlingTask[] {
    return [...this.tasks.values()].filter((t) => t.spec.kind === kind).sort((a, b) => b.createdAt - a.createdAt);
  }

  hasExternalId(externalId: string): boolean {
    for (const t of this.tasks.values()) if (t.spec.externalTaskId === externalId) return true;
    return false;
  }

  /** Tasks holding a concurrency slot: from submitted until finished (§1.9 "Rate limits"). */
  activeCount(): number {
    let n = 0;
    for (const t of this.tasks.values()) {
      const s = this.status(t);
      if (s === 'submitted' || s === 'processing') n++;
    }
    return n;
  }

  private status(t: KlingTask): TaskJson['task_status'] {
    const now = Date.now();
    if (now < t.queuedUntil) return 'submitted';
    if (t.outcome.kind === 'hang' || now < t.dueAt) return 'processing';
    if (t.outcome.kind === 'fail' || t.renderError) return 'failed';
    return t.videoId ? 'succeed' : 'processing';
  }

  view(t: KlingTask, publicBase: string): TaskJson {
    const status = this.status(t);
    // Never report succeed before the bytes exist: the download must work right after.
    if (status === 'processing' && t.outcome.kind === 'success' && Date.now() >= t.dueAt) this.renders.start(t, () => this.render(t));
    const json: TaskJson = {
      task_id: t.id,
      task_status: status,
      task_status_msg: '',
      task_info: t.spec.externalTaskId ? { external_task_id: t.spec.externalTaskId } : {},
      watermark_info: { enabled: false },
      created_at: t.createdAt,
      updated_at: status === 'submitted' ? t.createdAt : Math.min(Date.now(), Math.max(t.dueAt, t.queuedUntil)),
    };
    if (status === 'failed') {
      json.task_status_msg = t.outcome.kind === 'fail' ? t.outcome.message : 'Video generation failed due to an internal error, please try again later';
    }
    if (status === 'succeed') {
      json.final_unit_deduction = String(Math.max(1, Math.round(t.spec.durationSeconds / 5)));
      json.task_result = {
        videos: [{ id: t.videoId!, url: `${publicBase}/_sim/videos/${t.videoId}.mp4`, watermark_url: '', duration: String(t.spec.durationSeconds) }],
      };
    }
    return json;
  }

  filePath(videoId: string): string | undefined {
    return this.files.get(videoId);
  }

  private async render(t: KlingTask): Promise<void> {
    const { spec } = t;
    const dir = join(this.workDir, 'videos');
    await mkdir(dir, { recursive: true });
    const id = `${t.id}${randomBytes(2).toString('hex')}`;
    const path = join(dir, `${id}.mp4`);
    await renderVideo({
      outPath: path,
      durationSeconds: spec.durationSeconds,
      width: spec.width,
      height: spec.height,
      audio: spec.audio,
      firstFrame: spec.firstFrame,
      lastFrame: spec.lastFrame,
      referenceImages: spec.referenceImages.length ? spec.referenceImages : undefined,
      sourceVideo: spec.sourceVideo,
      label: `${spec.model.name}\n${spec.kind}\n${spec.prompt}`,
      signal: this.renders.signal,
    });
    this.files.set(id, path);
    t.videoId = id;
    this.store.save(t.id, t);
  }

  close(): Promise<void> {
    return this.renders.close();
  }
}
