import type { ClaimedTask, Lane } from '../store/types.js';
import { providerAdmission } from './admission.js';
import type { EngineDeps } from './context.js';
import type { Limits } from '../limits/types.js';
import { finishStep, pollStep, recoverStep, submitStep } from './steps.js';

interface LaneRunner {
  lane: Lane;
  limit: number;
  /** Lease length multiplier: downloads take longer than an API call. */
  leaseFactor: number;
  inFlight: Set<Promise<void>>;
  /** Tasks this lane is working on (with a count: a task may be re-claimed before its last step's cleanup), for the heartbeat. */
  /** The tasks this lane is running a step of now. */
  taskIds: Set<string>;
}

/**
 * Runs the lanes — submit (with crash recovery), poll, finish — on the leased work queue. Each tick
 * claims at most each lane's free slots (so its cost follows the work it takes, never the backlog)
 * and runs the step for each claimed task; a heartbeat renews the leases of steps still running.
 */
export class Engine {
  private readonly lanes: Record<Lane, LaneRunner>;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = true;
  private wakeRequested = false;
  /** This node's clock is too far off the database's: claim nothing (steps under way go on). */
  private claimsPaused = false;
  /** Per-provider submission rates (in process, or shared by all nodes through Redis). */
  private readonly limits: Limits;
  /** Per-provider caps on jobs in flight: the configured one, or less when every channel of the provider has a cap. */
  private readonly concurrency: Partial<Record<string, { concurrency?: number }>>;

  constructor(private readonly deps: EngineDeps) {
    const s = deps.settings;
    this.limits = deps.limits;
    this.concurrency = providerConcurrency(deps);
    const lane = (name: Lane, limit: number, leaseFactor: number): LaneRunner => ({ lane: name, limit, leaseFactor, inFlight: new Set(), taskIds: new Set() });
    this.lanes = { submit: lane('submit', s.maxConcurrentSubmits, 1), poll: lane('poll', s.maxConcurrentPolls, 1), finish: lane('finish', s.maxConcurrentFinishes, 5) };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
    // A step may outlast its lease (a slow upstream call, a big download): renew leases we still
    // hold every third of a lease, so no other worker takes over work that is in flight.
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(100, Math.floor(this.deps.settings.leaseMs / 3)));
    this.heartbeat.unref();
  }

  private async renewLeases(): Promise<void> {
    const now = this.deps.clock.now();
    for (const lane of Object.values(this.lanes)) {
      if (lane.taskIds.size === 0) continue;
      await this.deps.store.tasks.extendLeases(lane.lane, [...lane.taskIds], this.deps.workerId, now + this.deps.settings.leaseMs * lane.leaseFactor).catch((err) => this.deps.log.warn({ err }, 'lease heartbeat failed'));
    }
  }

  /** Look for work now (after a create, or a callback), instead of at the next tick. */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** While the clock is too far off (ClockSkewWatch): claim no work; steps under way go on and keep their leases. */
  pauseClaims(paused: boolean): void {
    this.claimsPaused = paused;
    if (!paused) this.wake();
  }

  /** Stop claiming, wait for in-flight steps (bounded), release what we still hold: true when released. */
  async stop(graceMs = 10_000): Promise<boolean> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const all = Object.values(this.lanes).flatMap((l) => [...l.inFlight]);
    // Leases keep being renewed while in-flight steps finish.
    await Promise.race([Promise.allSettled(all), new Promise((r) => setTimeout(r, graceMs).unref())]);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    return this.deps.store.tasks.releaseLeases(this.deps.workerId, this.deps.clock.now()).then(
      () => true,
      (err) => {
        this.deps.log.warn({ err }, 'could not release leases');
        return false;
      },
    );
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
    let failed = false;
    try {
      await this.fillSubmit();
      await this.fill(this.lanes.poll, pollStep);
      await this.fill(this.lanes.finish, finishStep);
    } catch (err) {
      // The database may be down: back off, keep trying, never crash.
      failed = true;
      this.deps.log.error({ err }, 'engine tick failed');
    } finally {
      this.ticking = false;
      const again = this.wakeRequested && !failed;
      this.wakeRequested = false;
      this.schedule(again ? 0 : failed ? Math.max(1000, this.deps.settings.tickMs) : this.deps.settings.tickMs);
    }
  }

  private free(lane: LaneRunner): number {
    return this.stopped || this.claimsPaused ? 0 : lane.limit - lane.inFlight.size;
  }

  private claimOptions(lane: LaneRunner, limit: number) {
    return { now_ms: this.deps.clock.now(), limit, owner: this.deps.workerId, lease_ms: this.deps.settings.leaseMs * lane.leaseFactor };
  }

  private async fill(lane: LaneRunner, step: (deps: EngineDeps, c: ClaimedTask) => Promise<void>): Promise<void> {
    const free = this.free(lane);
    if (free <= 0) return;
    this.run(lane, await this.deps.store.tasks.claim(lane.lane, this.claimOptions(lane, free)), step);
  }

  /**
   * Interrupted submissions first (their leases ran out: recovery), then new ones, fairly across
   * API keys, within each provider's concurrency, submission rate and breaker.
   */
  private async fillSubmit(): Promise<void> {
    const lane = this.lanes.submit;
    let free = this.free(lane);
    if (free <= 0) return;
    const recovered = await this.deps.store.tasks.claim('submit', this.claimOptions(lane, free));
    this.run(lane, recovered, recoverStep);
    free -= recovered.length;
    if (free <= 0) return;
    // Rate-limited providers: take up to a slot's worth of tokens now (shared by every node through
    // Redis) and give back what the claim did not use.
    const rates = Object.entries(this.deps.settings.providerLimits).filter(([, l]) => l?.rpm) as [string, { rpm: number }][];
    const tokens = new Map<string, number>();
    for (const [p, l] of rates) tokens.set(p, await this.limits.takeSubmissions(p, l.rpm, free));
    const now = this.deps.clock.now();
    // A provider with no channel at all is claimed too: its submission fails at once, saying so, rather than waiting forever.
    const reachable = (provider: string) => {
      const channels = this.deps.channels.forProvider(provider);
      return channels.length === 0 || channels.some((c) => this.deps.breaker.wouldAdmit(c.id, now));
    };
    const admission = providerAdmission({ limits: this.concurrency, reachable, tokens, now });
    try {
      this.run(lane, await this.deps.store.tasks.claimPending({ ...this.claimOptions(lane, free), admission }), submitStep);
    } finally {
      for (const [p, l] of rates) await this.limits.returnSubmissions(p, l.rpm, (tokens.get(p) ?? 0) - (admission.used.get(p) ?? 0));
    }
  }

  private run(lane: LaneRunner, claimed: ClaimedTask[], step: (deps: EngineDeps, c: ClaimedTask) => Promise<void>): void {
    for (const c of claimed) {
      const id = c.task.id;
      // Its lease ran out while its step is still running here (a heartbeat that could not write
      // for a whole lease): the claim has leased it to us again, and that step decides about it.
      // Running it again would act on a call whose answer has not come back (recovery would fail
      // the submission, or send it twice).
      if (lane.taskIds.has(id)) {
        this.deps.log.warn({ task: id, lane: lane.lane }, 'lease ran out while the step was still running here; leased again, not run twice');
        continue;
      }
      lane.taskIds.add(id);
      const run: Promise<void> = step(this.deps, c)
        .catch((err) => this.deps.log.error({ err, task: id }, 'engine step crashed'))
        .finally(() => {
          lane.inFlight.delete(run);
          lane.taskIds.delete(id);
          this.wake(); // a slot freed up: more work may be waiting
        });
      lane.inFlight.add(run);
    }
  }
}

/**
 * A provider whose channels all have a concurrency cap can never have more in flight than their
 * sum: claiming more would only move tasks to submitting and back to pending (work that grows
 * with the backlog), so the claim itself stops there.
 */
function providerConcurrency(deps: EngineDeps): Partial<Record<string, { concurrency?: number }>> {
  const out: Partial<Record<string, { concurrency?: number }>> = { ...deps.settings.providerLimits };
  const providers = new Set(deps.channels.list().map((c) => c.provider));
  for (const p of providers) {
    const caps = deps.channels.forProvider(p).map((c) => c.concurrency);
    if (caps.some((c) => c === undefined)) continue;
    const sum = caps.reduce((s: number, c) => s + c!, 0);
    out[p] = { ...out[p], concurrency: Math.min(out[p]?.concurrency ?? sum, sum) };
  }
  return out;
}
