import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PersistedMap } from '../common/job-store.js';
import { JobBook, scaledMs, seeded, type Renderable } from '../common/jobs.js';
import { imageSize } from '../image-size.js';
import { dimensionsFor, ffmpegPath, renderVideo } from '../render.js';
import type { JobOutcome, TaskFailure } from './faults.js';
import type { SeedanceCreateSpec } from './validate.js';

const run = promisify(execFile);

/** What the server fetched for a task before accepting it. */
export interface SeedanceMedia {
  firstFrame?: Buffer;
  lastFrame?: Buffer;
  referenceImages: Buffer[];
  /** The first reference video, used as the moving background. */
  referenceVideo?: Buffer;
}

export type TaskStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

interface Job extends Renderable {
  id: string;
  spec: SeedanceCreateSpec;
  media: SeedanceMedia;
  outcome: JobOutcome;
  createdAt: number;
  runsAt: number;
  dueAt: number;
  /** Resolved output shape (adaptive ratio, -1 duration and seed decided at create). */
  ratio: string;
  resolution: string;
  duration: number;
  seed: number;
  cancelledAt?: number;
  files?: { video: string; lastFrame?: string };
}

/** The wire shape of an Ark task (GET …/tasks/{id}). */
export interface TaskJson {
  id: string;
  model: string;
  status: TaskStatus;
  content?: { video_url: string; last_frame_url?: string };
  error: TaskFailure | null;
  seed: number;
  resolution: string;
  ratio: string;
  duration: number;
  framespersecond: number;
  generate_audio: boolean;
  draft: boolean;
  service_tier: string;
  execution_expires_after: number;
  usage?: { completion_tokens: number; total_tokens: number };
  created_at: number;
  updated_at: number;
}

const FPS = 12;
const RENDER_FAILED: TaskFailure = { code: 'InternalServiceError', message: 'The service failed to generate the video.' };
const EXPIRED: TaskFailure = { code: 'TaskExpired', message: 'The task expired before it could run (execution_expires_after).' };
const DRAFT_DURATION_DEFAULT = 5;
const RATIO_VALUES: [string, number][] = [
  ['21:9', 21 / 9],
  ['16:9', 16 / 9],
  ['4:3', 4 / 3],
  ['1:1', 1],
  ['3:4', 3 / 4],
  ['9:16', 9 / 16],
];

/** adaptive: the ratio closest to the image's (Ark centre-crops to it); 16:9 without an image. */
export function adaptiveRatio(image: Buffer | undefined): string {
  const size = image ? imageSize(image) : undefined;
  if (!size?.width || !size.height) return '16:9';
  const r = size.width / size.height;
  return RATIO_VALUES.reduce((best, cur) => (Math.abs(Math.log(cur[1] / r)) < Math.abs(Math.log(best[1] / r)) ? cur : best))[0];
}

const sec = (ms: number) => Math.floor(ms / 1000);

/** A due task's status by its output (running until its video exists). */
const OUTPUT_STATUS = { ready: 'succeeded', rendering: 'running', failed: 'failed' } as const;

/** Ark tasks of one simulator: timing, rendering when due, task views, files. */
export class SeedanceJobs {
  private readonly files: Map<string, string>;
  private readonly jobs: JobBook<Job>;

  constructor(
    private readonly workDir: string,
    private readonly speed: number,
    /** Told when a job's render settles (its status just changed): callbacks go out at once. */
    settled: (id: string) => void = () => undefined,
  ) {
    // Tasks and files of a previous run on this work dir carry on where they were.
    this.files = new PersistedMap(join(workDir, 'files.json'));
    this.jobs = new JobBook(workDir, {
      rendersVideo: (job) => job.outcome.kind === 'success' && job.cancelledAt === undefined,
      rendered: (job) => job.files !== undefined,
      render: (job) => this.render(job),
      settled: (job) => settled(job.id),
    });
  }

  create(spec: SeedanceCreateSpec, media: SeedanceMedia, outcome: JobOutcome): string {
    const now = Date.now();
    const id = `cgt-${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
    const content = `${spec.model.id}|${spec.prompt}|${spec.duration}|${spec.resolution}|${spec.ratio}`;
    const queueMs = scaledMs((3 + seeded(content, 8)) * spec.model.timeFactor, this.speed);
    const runMs = scaledMs((20 + seeded(content, 40, 1)) * spec.model.timeFactor, this.speed);
    const job: Job = {
      id,
      spec,
      media,
      outcome,
      createdAt: now,
      runsAt: now + queueMs,
      dueAt: now + queueMs + runMs,
      ratio: spec.ratio === 'adaptive' ? adaptiveRatio(media.firstFrame ?? media.referenceImages[0]) : spec.ratio,
      resolution: spec.draft ? '480p' : spec.resolution,
      // -1: the model chooses; the simulator's model always picks 5 s.
      duration: spec.duration === -1 ? DRAFT_DURATION_DEFAULT : spec.duration,
      seed: spec.seed === -1 ? randomInt(0, 2 ** 31) : spec.seed,
    };
    this.jobs.add(job);
    return id;
  }

  /** A draft task this server finished, for `draft_task` promotion: as it was rendered (seed, ratio and duration decided). */
  draftSpec(id: string): { spec: SeedanceCreateSpec; media: SeedanceMedia } | undefined {
    const job = this.jobs.get(id);
    if (!job?.spec.draft || this.status(job) !== 'succeeded') return undefined;
    return { spec: { ...job.spec, seed: job.seed, ratio: job.ratio, duration: job.duration }, media: job.media };
  }

  private status(job: Job): TaskStatus {
    const now = Date.now();
    if (job.cancelledAt !== undefined) return 'cancelled';
    if (job.outcome.kind === 'queue' || now < job.runsAt) return 'queued';
    if (job.outcome.kind === 'expire') return 'expired';
    if (job.outcome.kind === 'hang' || now < job.dueAt) return 'running';
    if (job.outcome.kind === 'fail') return 'failed';
    return OUTPUT_STATUS[this.jobs.output(job)];
  }

  view(id: string, link: (fileId: string, ext: 'mp4' | 'png') => string): TaskJson | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const status = this.status(job);
    const { spec } = job;
    const [w, h] = (() => {
      const d = dimensionsFor(job.ratio, job.resolution);
      return [d.width, d.height];
    })();
    const updatedMs = { queued: job.createdAt, running: job.runsAt, cancelled: job.cancelledAt ?? job.createdAt, expired: job.runsAt }[status as string] ?? job.dueAt;
    const out: TaskJson = {
      id,
      model: spec.model.id,
      status,
      error: null,
      seed: job.seed,
      resolution: job.resolution,
      ratio: job.ratio,
      duration: job.duration,
      framespersecond: FPS,
      generate_audio: spec.generateAudio,
      draft: spec.draft,
      service_tier: spec.serviceTier,
      execution_expires_after: spec.executionExpiresAfter,
      created_at: sec(job.createdAt),
      updated_at: sec(updatedMs),
    };
    if (status === 'failed') out.error = job.outcome.kind === 'fail' ? job.outcome.error : RENDER_FAILED;
    if (status === 'expired') out.error = EXPIRED;
    if (status === 'succeeded' && job.files) {
      out.content = { video_url: link(job.files.video, 'mp4') };
      if (job.files.lastFrame) out.content.last_frame_url = link(job.files.lastFrame, 'png');
      // Ark bills output tokens ≈ width·height·fps·seconds / 1024 (108 900 for 5 s of 720p at 24 fps).
      const tokens = Math.round((w * h * 24 * job.duration) / 1024);
      out.usage = { completion_tokens: tokens, total_tokens: tokens };
    }
    return out;
  }

  list(filter: { status?: string; ids?: string[]; model?: string }, link: (fileId: string, ext: 'mp4' | 'png') => string): TaskJson[] {
    const views = this.jobs
      .all()
      .map((job) => this.view(job.id, link)!)
      .reverse();
    return views.filter((t) => (!filter.status || t.status === filter.status) && (!filter.ids?.length || filter.ids.includes(t.id)) && (!filter.model || t.model === filter.model));
  }

  /** DELETE semantics: queued → cancelled; running → refused; terminal → record deleted. */
  cancel(id: string): 'cancelled' | 'running' | 'deleted' | 'missing' {
    const job = this.jobs.get(id);
    if (!job) return 'missing';
    const status = this.status(job);
    if (status === 'queued') {
      job.cancelledAt = Date.now();
      this.jobs.stop(job);
      return 'cancelled';
    }
    if (status === 'running') return 'running';
    this.jobs.delete(id);
    return 'deleted';
  }

  filePath(fileId: string): string | undefined {
    return this.files.get(fileId);
  }

  private async render(job: Job): Promise<void> {
    const dir = join(this.workDir, 'videos');
    await mkdir(dir, { recursive: true });
    const videoId = randomBytes(12).toString('hex');
    const videoPath = join(dir, `${videoId}.mp4`);
    let sourceVideo: string | undefined;
    if (job.media.referenceVideo) {
      sourceVideo = join(dir, `${videoId}-source.mp4`);
      await writeFile(sourceVideo, job.media.referenceVideo);
    }
    await renderVideo({
      outPath: videoPath,
      durationSeconds: job.duration,
      ...dimensionsFor(job.ratio, job.resolution),
      audio: job.spec.generateAudio,
      firstFrame: job.media.firstFrame,
      lastFrame: job.media.lastFrame,
      referenceImages: job.media.referenceImages.length ? job.media.referenceImages : undefined,
      sourceVideo,
      label: `${job.spec.model.id}\n${job.spec.prompt}\n${job.seed}`,
      fps: FPS,
      signal: this.jobs.signal,
    });
    this.files.set(videoId, videoPath);
    if (!job.spec.returnLastFrame) {
      job.files = { video: videoId };
      return;
    }
    const frameId = randomBytes(12).toString('hex');
    const framePath = join(dir, `${frameId}.png`);
    await run(ffmpegPath, ['-v', 'error', '-nostdin', '-y', '-sseof', '-0.5', '-i', videoPath, '-frames:v', '1', '-update', '1', framePath], { signal: this.jobs.signal });
    this.files.set(frameId, framePath);
    job.files = { video: videoId, lastFrame: frameId };
  }

  close(): Promise<void> {
    return this.jobs.close();
  }
}
