import { randomBytes, randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PersistedMap } from '../common/job-store.js';
import { JobBook, scaledMs, seeded, type Renderable } from '../common/jobs.js';
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
  return 20 + seeded(`${spec.model.name}|${spec.kind}|${spec.prompt}|${spec.durationSeconds}|${spec.width}x${spec.height}`, 60);
}

/** Kling task ids are 18-digit numeric strings. */
const newTaskId = () => `8${Array.from({ length: 17 }, () => randomInt(10)).join('')}`;

/** A due task's status by its output (processing until its video exists). */
const OUTPUT_STATUS = { ready: 'succeed', rendering: 'processing', failed: 'failed' } as const;

export class KlingTasks {
  private readonly files: Map<string, string>;
  private readonly tasks: JobBook<KlingTask>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
    /** Told when a job's render settles (its status just changed): callbacks go out at once. */
    settled: (id: string) => void = () => undefined,
  ) {
    // Tasks and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.tasks = new JobBook(workDir, {
      rendersVideo: (t) => t.outcome.kind === 'success',
      rendered: (t) => t.videoId !== undefined,
      render: (t) => this.render(t),
      settled: (t) => settled(t.id),
    });
  }

  create(spec: KlingJobSpec, outcome: JobOutcome): KlingTask {
    const delayMs = scaledMs(simulatedSeconds(spec), this.speed);
    const now = Date.now();
    const task: KlingTask = { id: newTaskId(), spec, outcome, createdAt: now, queuedUntil: now + delayMs * 0.2, dueAt: now + delayMs };
    this.tasks.add(task);
    return task;
  }

  get(kind: SimKind, id: string): KlingTask | undefined {
    const t = this.tasks.get(id);
    return t && t.spec.kind === kind ? t : undefined;
  }

  list(kind: SimKind): KlingTask[] {
    return this.tasks
      .all()
      .filter((t) => t.spec.kind === kind)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  hasExternalId(externalId: string): boolean {
    return this.tasks.all().some((t) => t.spec.externalTaskId === externalId);
  }

  /** Tasks holding a concurrency slot: from submitted until finished (§1.9 "Rate limits"). */
  activeCount(): number {
    let n = 0;
    for (const t of this.tasks.all()) {
      const s = this.status(t);
      if (s === 'submitted' || s === 'processing') n++;
    }
    return n;
  }

  private status(t: KlingTask): TaskJson['task_status'] {
    const now = Date.now();
    if (now < t.queuedUntil) return 'submitted';
    if (t.outcome.kind === 'hang' || now < t.dueAt) return 'processing';
    if (t.outcome.kind === 'fail') return 'failed';
    return OUTPUT_STATUS[this.tasks.output(t)];
  }

  view(t: KlingTask, publicBase: string): TaskJson {
    const status = this.status(t);
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
      signal: this.tasks.signal,
    });
    this.files.set(id, path);
    t.videoId = id;
  }

  close(): Promise<void> {
    return this.tasks.close();
  }
}
