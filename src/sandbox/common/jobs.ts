/**
 * The render side every simulator's jobs share: a job's video is rendered once, started when the
 * job falls due (so a poll right after finds the file ready) or by the first poll that needs it,
 * and close() kills the renders (ffmpeg) and waits for them. The status names and timings of a
 * job's progression stay with each provider.
 */

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
