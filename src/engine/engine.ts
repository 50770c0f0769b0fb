import type { TaskRow, TaskState } from '../store/schema.js';
import type { EngineDeps } from './context.js';
import { finishStep, pollStep, submitStep } from './steps.js';

interface Lane {
  states: TaskState[];
  limit: number;
  /** Lease length multiplier: downloads take longer than an API call. */
  leaseFactor: number;
  step: (deps: EngineDeps, row: TaskRow) => Promise<void>;
  inFlight: Set<Promise<void>>;
}

/**
 * Runs the dispatcher, poller and finisher: each tick claims due tasks (with a lease, so several
 * workers or nodes never work the same task) and runs the step for each, within per-lane limits.
 */
export class Engine {
  private readonly lanes: Lane[];
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = true;
  private wakeRequested = false;

  constructor(private readonly deps: EngineDeps) {
    const s = deps.settings;
    this.lanes = [
      { states: ['pending', 'submitting'], limit: s.maxConcurrentSubmits, leaseFactor: 1, step: submitStep, inFlight: new Set() },
      { states: ['processing'], limit: s.maxConcurrentPolls, leaseFactor: 1, step: pollStep, inFlight: new Set() },
      { states: ['finishing'], limit: s.maxConcurrentFinishes, leaseFactor: 5, step: finishStep, inFlight: new Set() },
    ];
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Look for work now (after a create), instead of at the next tick. */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Stop claiming, wait for in-flight steps (bounded), release what we still hold. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const all = this.lanes.flatMap((l) => [...l.inFlight]);
    await Promise.race([Promise.allSettled(all), new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.deps.store.releaseLeases(this.deps.workerId);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      for (const lane of this.lanes) await this.fill(lane);
    } catch (err) {
      this.deps.log.error({ err }, 'engine tick failed');
    } finally {
      this.ticking = false;
      const again = this.wakeRequested;
      this.wakeRequested = false;
      this.schedule(again ? 0 : this.deps.settings.tickMs);
    }
  }

  private async fill(lane: Lane): Promise<void> {
    const free = lane.limit - lane.inFlight.size;
    if (free <= 0 || this.stopped) return;
    const now = this.deps.now?.() ?? Date.now();
    const rows = await this.deps.store.claimDue(lane.states, now, free, this.deps.workerId, this.deps.settings.leaseMs * lane.leaseFactor);
    for (const row of rows) {
      const run: Promise<void> = lane
        .step(this.deps, row)
        .catch((err) => this.deps.log.error({ err, task: row.id }, 'engine step crashed'))
        .finally(() => {
          lane.inFlight.delete(run);
          this.wake(); // a slot freed up: more work may be waiting
        });
      lane.inFlight.add(run);
    }
  }
}
