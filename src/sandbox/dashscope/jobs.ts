import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PersistedMap } from '../common/job-store.js';
import { JobBook, scaledMs, seeded, type Renderable } from '../common/jobs.js';
import { renderVideo } from '../render.js';
import type { JobOutcome } from './faults.js';
import type { WanSpec } from './validate.js';

interface WanTask extends Renderable {
  id: string;
  spec: WanSpec;
  outcome: JobOutcome;
  createdAt: number;
  dueAt: number;
  cancelled?: number;
  fileName?: string;
}

/** Deterministic-ish job length, 60..240 s scaled by the model (flash is quicker). */
export function simulatedSeconds(spec: WanSpec): number {
  return Math.max(20, Math.round((60 + seeded(`${spec.model.id}|${spec.prompt}|${spec.duration}|${spec.width}x${spec.height}`, 180)) * spec.model.timeFactor));
}

/** DashScope writes times as local "YYYY-MM-DD HH:mm:ss.SSS" without a zone. */
export function dashTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export type TaskOutput = Record<string, unknown>;

/** Wan tasks of one simulator: timing, rendering, task views, cancel. */
export class WanTasks {
  private readonly files: Map<string, string>;
  private readonly tasks: JobBook<WanTask>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
  ) {
    // Tasks and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.tasks = new JobBook(workDir, {
      rendersVideo: (task) => task.outcome.kind === 'success' && !task.cancelled,
      rendered: (task) => task.fileName !== undefined,
      render: (task) => this.render(task),
    });
  }

  create(spec: WanSpec, outcome: JobOutcome): string {
    const now = Date.now();
    const task: WanTask = { id: randomUUID(), spec, outcome, createdAt: now, dueAt: now + scaledMs(simulatedSeconds(spec), this.speed) };
    this.tasks.add(task);
    return task.id;
  }

  /** When a task leaves PENDING: after the first fifth of its time. */
  private scheduledAt(task: WanTask): number {
    return task.createdAt + (task.dueAt - task.createdAt) * 0.2;
  }

  /**
   * PENDING for the first fifth of the job, RUNNING until the file exists, then SUCCEEDED.
   * A hanging task stays PENDING (stuck in the queue), so it can always be cancelled.
   */
  private isPending(task: WanTask): boolean {
    return task.outcome.kind === 'hang' || Date.now() < this.scheduledAt(task);
  }

  /** Cancel works only while PENDING (§3.6). */
  cancel(id: string): boolean {
    const task = this.tasks.get(id);
    if (!task || task.cancelled || !this.isPending(task)) return false;
    task.cancelled = Date.now();
    this.tasks.stop(task);
    return true;
  }

  /** The task body as GET /tasks/{id} shows it; UNKNOWN (HTTP 200) for ids it never issued. */
  view(id: string, publicBase: string, signUrl: (path: string) => string): { output: TaskOutput; usage?: Record<string, unknown> } {
    const task = this.tasks.get(id);
    if (!task) return { output: { task_id: id, task_status: 'UNKNOWN' } };
    const times = { submit_time: dashTime(task.createdAt) };
    const scheduled = { ...times, scheduled_time: dashTime(this.scheduledAt(task)) };
    if (task.cancelled) return { output: { task_id: id, task_status: 'CANCELED', ...times, end_time: dashTime(task.cancelled) } };
    if (this.isPending(task)) return { output: { task_id: id, task_status: 'PENDING', ...times } };
    const running = { output: { task_id: id, task_status: 'RUNNING', ...scheduled } };
    if (Date.now() < task.dueAt) return running;
    const end = { ...scheduled, end_time: dashTime(task.dueAt) };
    if (task.outcome.kind === 'fail') return { output: { task_id: id, task_status: 'FAILED', ...end, ...task.outcome.error } };
    const output = this.tasks.output(task);
    if (output === 'failed') return { output: { task_id: id, task_status: 'FAILED', ...end, code: 'InternalError', message: 'Video rendering failed.' } };
    if (output === 'rendering') return running;
    const { spec } = task;
    return {
      output: {
        task_id: id,
        task_status: 'SUCCEEDED',
        ...end,
        orig_prompt: spec.prompt,
        actual_prompt: spec.prompt,
        video_url: `${publicBase}${signUrl(`/_sim/oss/${task.fileName}`)}`,
      },
      usage: { video_duration: spec.duration, video_count: 1, video_ratio: `${spec.width}*${spec.height}`, SR: Number.parseInt(spec.tier, 10) },
    };
  }

  filePath(fileName: string): string | undefined {
    return this.files.get(fileName);
  }

  private async render(task: WanTask): Promise<void> {
    const { spec } = task;
    const name = `${task.id}.mp4`;
    const path = join(this.workDir, 'videos', name);
    let sourceVideo: string | undefined;
    if (spec.referenceVideo) {
      await mkdir(join(this.workDir, 'inputs'), { recursive: true });
      sourceVideo = join(this.workDir, 'inputs', name);
      await writeFile(sourceVideo, spec.referenceVideo);
    }
    await renderVideo({
      outPath: path,
      durationSeconds: spec.duration,
      width: spec.width,
      height: spec.height,
      audio: spec.audio,
      firstFrame: spec.firstFrame,
      lastFrame: spec.lastFrame,
      referenceImages: spec.referenceImages.length ? spec.referenceImages : undefined,
      sourceVideo,
      label: `${spec.model.id}\n${spec.prompt}`,
      signal: this.tasks.signal,
    });
    this.files.set(name, path);
    task.fileName = name;
  }

  close(): Promise<void> {
    return this.tasks.close();
  }
}
