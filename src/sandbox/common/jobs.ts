/**
 * The job clock every simulator shares: a job falls due at `dueAt`; its video is rendered once,
 * started when the job falls due (so a poll right after finds the file ready) or by the first poll
 * that needs it; jobs live in the work dir (JobStore) so a restart resumes them; close() kills the
 * renders (ffmpeg) and waits for them. The status names and stages of a job stay with each provider.
 */
import { createHash } from 'node:crypto';
import { JobStore } from './job-store.js';

/** The render bookkeeping a job carries; provider job records extend it. */
export interface Renderable {
  timer?: NodeJS.Timeout;
  render?: Promise<void>;
  /** Set when the render failed; the job then reports the provider's internal error. */
  renderError?: Error;
}

export class JobRenders {
  private readonly abort = new AbortController();
  private readonly jobs = new Set<Renderable>();
  /** Passed to renderVideo/ffmpeg so close() kills them. */
  readonly signal = this.abort.signal;

  /** Start `job`'s render after `delayMs` (its due time). */
  startAfter(job: Renderable, delayMs: number, render: () => Promise<void>): void {
    this.jobs.add(job);
    job.timer = setTimeout(() => this.start(job, render), delayMs);
    job.timer.unref();
  }

  /**
   * Start `job`'s render unless it already runs or the simulator is closing. `render` stores its
   * result on the job when done; a failure is kept in `job.renderError`.
   */
  start(job: Renderable, render: () => Promise<void>): void {
    if (job.render || this.signal.aborted) return;
    this.jobs.add(job);
    job.render = render().catch((err: Error) => {
      job.renderError = err;
    });
  }

  /** Drop a job's pending timer (it was cancelled or deleted); a render already running is still awaited by close(). */
  cancel(job: Renderable): void {
    clearTimeout(job.timer);
    if (!job.render) this.jobs.delete(job);
  }

  /** Stop timers and renders and wait for them to settle. */
  async close(): Promise<void> {
    this.abort.abort();
    for (const job of this.jobs) clearTimeout(job.timer);
    await Promise.all([...this.jobs].map((job) => job.render));
  }
}

/** What the job clock needs of a provider's job record. */
export interface ClockedJob extends Renderable {
  id: string;
  /** When the job's result falls due (ms epoch); undefined while it cannot run yet (Topaz before its upload). */
  dueAt?: number;
}

/** What a provider tells the job book about its jobs. */
export interface JobBookHooks<J extends ClockedJob> {
  /** Whether the job ends with a video (not failed, hanging or cancelled). */
  rendersVideo(job: J): boolean;
  /** Whether its video exists already. */
  rendered(job: J): boolean;
  /** Renders the job's video and records it on the job (the book saves the job afterwards). */
  render(job: J): Promise<void>;
  /** Re-arms what lives in this process only after a restart (caches, file indexes). */
  restored?(job: J): void;
  /** The job's render ended (its video exists, or the render failed): its status just changed. */
  settled?(job: J): void;
}

/** A simulator's jobs: kept on disk, rendered when due, resumed after a restart on the same work dir. */
export class JobBook<J extends ClockedJob> {
  private readonly jobs = new Map<string, J>();
  private readonly renders = new JobRenders();
  private readonly store: JobStore<J>;
  /** Passed to ffmpeg runs besides the render so close() kills them too. */
  readonly signal = this.renders.signal;

  constructor(
    workDir: string,
    private readonly hooks: JobBookHooks<J>,
  ) {
    this.store = new JobStore(workDir);
    // Jobs of a previous run on this work dir carry on where they were.
    for (const job of this.store.loadAll()) {
      this.jobs.set(job.id, job);
      hooks.restored?.(job);
      this.schedule(job);
    }
  }

  /** Records a new job (or one that became able to run) and schedules its render for when it falls due. */
  add(job: J): void {
    this.jobs.set(job.id, job);
    this.save(job);
    this.schedule(job);
  }

  get(id: string): J | undefined {
    return this.jobs.get(id);
  }

  /** Every job, oldest first. */
  all(): J[] {
    return [...this.jobs.values()];
  }

  /** Keeps a job's changes on disk. */
  save(job: J): void {
    this.store.save(job.id, job);
  }

  /** The job was cancelled: its render never starts (one already running finishes unused). */
  stop(job: J): void {
    this.save(job);
    this.renders.cancel(job);
  }

  /** Forget a job entirely (a provider's delete). */
  delete(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job) return false;
    this.renders.cancel(job);
    this.jobs.delete(id);
    this.store.delete(id);
    return true;
  }

  /**
   * The output of a job that is due: 'ready' once the bytes exist, 'failed' when the render broke,
   * else 'rendering' (starting the render if no timer did). A job is never reported done before its
   * bytes exist, so the download works right after.
   */
  output(job: J): 'ready' | 'rendering' | 'failed' {
    if (job.renderError) return 'failed';
    if (this.hooks.rendered(job)) return 'ready';
    this.renders.start(job, () => this.renderAndSave(job));
    return 'rendering';
  }

  close(): Promise<void> {
    return this.renders.close();
  }

  private schedule(job: J): void {
    if (job.dueAt === undefined || !this.hooks.rendersVideo(job) || this.hooks.rendered(job)) return;
    this.renders.startAfter(job, Math.max(0, job.dueAt - Date.now()), () => this.renderAndSave(job));
  }

  private async renderAndSave(job: J): Promise<void> {
    try {
      await this.hooks.render(job);
      this.save(job);
    } finally {
      // After the caller has recorded a failure (renderError) too.
      setImmediate(() => this.hooks.settled?.(job));
    }
  }
}

/**
 * A deterministic number in [0, spread) from a request's content (the same request takes the same
 * simulated time); `slot` picks another draw from the same content.
 */
export function seeded(content: string, spread: number, slot = 0): number {
  return (
    createHash('sha256')
      .update(content)
      .digest()
      .readUInt32BE(slot * 4) % spread
  );
}

/** Simulated seconds as real milliseconds at the simulator's time scale. */
export function scaledMs(seconds: number, speed: number): number {
  return (seconds * 1000) / speed;
}
