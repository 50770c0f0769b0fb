import type { TaskRow, TaskState } from '../store/schema.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { EngineDeps } from './context.js';
import { pickFair, ServedLog, type Candidate } from './fair-pick.js';
import { InProcessLimits } from '../limits/in-process.js';
import type { Limits } from '../limits/types.js';
import { finishStep, pollStep, submitStep } from './steps.js';

interface Lane {
  states: TaskState[];
  limit: number;
  /** Lease length multiplier: downloads take longer than an API call. */
  leaseFactor: number;
  step: (deps: EngineDeps, row: TaskRow) => Promise<void>;
  inFlight: Set<Promise<void>>;
  /** Tasks this lane is working on (with a count: a task may be re-claimed before its last step's cleanup), for the heartbeat. */
  taskIds: Map<string, number>;
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
  /** Per-provider submission rates (in process, or shared by all nodes through Redis). */
  private readonly limits: Limits;
  private readonly breaker: CircuitBreaker;
  private readonly served = new ServedLog();

  constructor(private readonly deps: EngineDeps) {
    const s = deps.settings;
    this.breaker = deps.breaker ??= new CircuitBreaker({ threshold: s.breakerThreshold, cooldownMs: s.breakerCooldownMs, maxCooldownMs: Math.max(s.breakerCooldownMs, 300_000) });
    this.limits = deps.limits ?? new InProcessLimits();
    this.lanes = [
      { states: ['submitting'], limit: s.maxConcurrentSubmits, leaseFactor: 1, step: submitStep, inFlight: new Set(), taskIds: new Map() },
      { states: ['processing'], limit: s.maxConcurrentPolls, leaseFactor: 1, step: pollStep, inFlight: new Set(), taskIds: new Map() },
      { states: ['finishing'], limit: s.maxConcurrentFinishes, leaseFactor: 5, step: finishStep, inFlight: new Set(), taskIds: new Map() },
    ];
  }

  private heartbeat: NodeJS.Timeout | null = null;

  start(): void {
    this.stopped = false;
    this.schedule(0);
    // A step may outlast its lease (a slow upstream call, a big download): renew leases we still
    // hold every third of a lease, so no other worker takes over work that is in flight.
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(100, Math.floor(this.deps.settings.leaseMs / 3)));
    this.heartbeat.unref();
  }

  private async renewLeases(): Promise<void> {
    const now = this.deps.now?.() ?? Date.now();
    for (const lane of this.lanes) {
      if (lane.taskIds.size === 0) continue;
      await this.deps.store
        .extendLeases([...lane.taskIds.keys()], this.deps.workerId, now + this.deps.settings.leaseMs * lane.leaseFactor)
        .catch((err) => this.deps.log.warn({ err }, 'lease heartbeat failed'));
    }
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
    // Leases keep being renewed while in-flight steps finish.
    await Promise.race([Promise.allSettled(all), new Promise((r) => setTimeout(r, graceMs).unref())]);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
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
    let free = lane.limit - lane.inFlight.size;
    if (free <= 0 || this.stopped) return;
    const now = this.deps.now?.() ?? Date.now();
    const leaseMs = this.deps.settings.leaseMs * lane.leaseFactor;
    // The submit lane first resolves interrupted submissions (expired leases), then picks fairly.
    const rows = await this.deps.store.claimDue(lane.states, now, free, this.deps.workerId, leaseMs);
    this.run(lane, rows);
    free -= rows.length;
    if (lane.step === submitStep && free > 0) this.run(lane, await this.pickPending(now, free, leaseMs));
  }

  /**
   * Pending tasks to submit now: within each provider's concurrency (jobs in flight upstream,
   * counted across all nodes) and submission rate, not to a provider whose breaker is open,
   * round-robin across API keys.
   */
  private async pickPending(now: number, max: number, leaseMs: number): Promise<TaskRow[]> {
    const limits = this.deps.settings.providerLimits;
    const inFlight = new Map<string, Map<string, number>>();
    const totals = new Map<string, number>();
    for (const c of await this.deps.store.inFlightCounts()) {
      const m = inFlight.get(c.provider) ?? new Map<string, number>();
      m.set(c.owner_key_id, c.n);
      inFlight.set(c.provider, m);
      totals.set(c.provider, (totals.get(c.provider) ?? 0) + c.n);
    }
    const freeSlots = (p: string) => (limits[p]?.concurrency ?? Infinity) - (totals.get(p) ?? 0);
    // Submission-rate tokens per rate-limited provider; taken for real only once the picks are known.
    const tokens = new Map<string, number>();
    for (const [p, l] of Object.entries(limits)) if (l?.rpm) tokens.set(p, await this.limits.submissionTokens(p, l.rpm));
    const paused = [...new Set([...Object.keys(limits), ...totals.keys(), ...this.breakerWatched()])].filter(
      (p) => freeSlots(p) <= 0 || !this.breaker.wouldAdmit(p, now) || tokens.get(p) === 0,
    );
    const found = await this.deps.store.dueCandidates(now, max, 1000, paused);
    const candidates: Candidate[] = found.map((c) => ({ id: c.id, owner: c.owner_key_id, provider: c.provider, nextRunAt: c.next_run_at }));
    const admitRate = (p: string) => {
      const left = tokens.get(p);
      if (left === undefined) return true;
      tokens.set(p, left - 1);
      return left > 0;
    };
    const picked = pickFair(candidates, inFlight, freeSlots, (p) => this.breaker.admit(p, now) && admitRate(p), max, this.served);
    return this.deps.store.claimIds(await this.withinRate(picked, candidates), now, this.deps.workerId, leaseMs);
  }

  /** Takes the picks' tokens (another node may have taken some meanwhile) and drops picks that got none. */
  private async withinRate(picked: string[], candidates: Candidate[]): Promise<string[]> {
    const providerOf = new Map(candidates.map((c) => [c.id, c.provider]));
    const granted = new Map<string, number>();
    for (const p of new Set(picked.map((id) => providerOf.get(id)!))) {
      const rpm = this.deps.settings.providerLimits[p]?.rpm;
      if (rpm) granted.set(p, await this.limits.takeSubmissions(p, rpm, picked.filter((id) => providerOf.get(id) === p).length));
    }
    return picked.filter((id) => {
      const p = providerOf.get(id)!;
      const left = granted.get(p);
      if (left === undefined) return true;
      granted.set(p, left - 1);
      return left > 0;
    });
  }

  private breakerWatched(): string[] {
    return Object.keys(this.deps.adapters);
  }

  private run(lane: Lane, rows: TaskRow[]): void {
    for (const row of rows) {
      lane.taskIds.set(row.id, (lane.taskIds.get(row.id) ?? 0) + 1);
      const run: Promise<void> = lane
        .step(this.deps, row)
        .catch((err) => this.deps.log.error({ err, task: row.id }, 'engine step crashed'))
        .finally(() => {
          lane.inFlight.delete(run);
          const left = (lane.taskIds.get(row.id) ?? 1) - 1;
          if (left > 0) lane.taskIds.set(row.id, left);
          else lane.taskIds.delete(row.id);
          this.wake(); // a slot freed up: more work may be waiting
        });
      lane.inFlight.add(run);
    }
  }
}
