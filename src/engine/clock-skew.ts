import type { Logger } from 'pino';
import type { Clock } from './clock.js';

/**
 * Leases and due times are this node's clock (work_items.due_ms), compared with the others' in the
 * database: a node far off could take work another node still holds (submitted twice, billed twice),
 * or keep work whose lease others already count as over. Each node is measured against the
 * database's clock, the one clock all nodes share.
 */
export interface ClockOffset {
  /** Database clock minus this node's, in ms (positive: this node is behind). */
  offsetMs: number;
  /** Half the round trip of the best sample: the true offset is within ± this. */
  uncertaintyMs: number;
}

export type ClockVerdict = { verdict: 'ok' } | { verdict: 'warn' | 'refuse'; message: string };

/** Above this share of the lease (for certain, past the uncertainty): a warning. */
export const WARN_SHARE = 0.1;
/**
 * At or above this share: no work is claimed (and a node does not start). The heartbeat renews a
 * lease every third of it, so another node can count a held lease as over only when the two clocks
 * differ by more than two thirds of the lease; every node within a third of the database's clock
 * keeps any two within that.
 */
export const REFUSE_SHARE = 1 / 3;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Pure: what a measured offset means for a node whose leases last `leaseMs`. */
export function judgeClockSkew(m: ClockOffset, leaseMs: number): ClockVerdict {
  const certain = Math.abs(m.offsetMs) - m.uncertaintyMs;
  const refuseAt = leaseMs * REFUSE_SHARE;
  if (certain <= leaseMs * WARN_SHARE) return { verdict: 'ok' };
  const off = `this node's clock is ${seconds(Math.abs(m.offsetMs))} ${m.offsetMs > 0 ? 'behind' : 'ahead of'} the database's (±${Math.round(m.uncertaintyMs)} ms)`;
  const fix = 'synchronise it with NTP (chrony or systemd-timesyncd)';
  if (certain >= refuseAt) {
    return { verdict: 'refuse', message: `${off}, at or beyond a third of the work lease (${seconds(refuseAt)} of VIDGATE_LEASE_MS ${leaseMs}): it could take work another node holds; ${fix}` };
  }
  return { verdict: 'warn', message: `${off}; work leases (VIDGATE_LEASE_MS ${leaseMs}) stop being safe at ${seconds(refuseAt)}: ${fix}` };
}

/**
 * The offset to the database clock: this clock read before and after the database's, the database
 * compared with their midpoint; of `samples` tries, the one with the shortest round trip.
 */
export async function measureClockOffset(databaseMs: () => Promise<number>, clock: Clock, samples = 3): Promise<ClockOffset> {
  let best: ClockOffset | null = null;
  for (let i = 0; i < samples; i++) {
    const before = clock.now();
    const db = await databaseMs();
    const after = clock.now();
    const m = { offsetMs: Math.round(db - (before + after) / 2), uncertaintyMs: (after - before) / 2 };
    if (best === null || m.uncertaintyMs < best.uncertaintyMs) best = m;
  }
  return best!;
}

export interface ClockSkewWatchOptions {
  databaseMs: () => Promise<number>;
  clock: Clock;
  leaseMs: number;
  intervalMs: number;
  log: Logger;
  /** Told when claiming must stop (true) or may go on (false). */
  onPause(paused: boolean): void;
  /** The verdict at start, so a warning already given is not given again. */
  initial: ClockVerdict['verdict'];
}

/**
 * Measures again every `intervalMs` on a node that runs the engine. Over the limit, it pauses the
 * engine's claims and says so at every check (an error); back under, claims resume. A warning is
 * logged when the offset enters the warning band.
 */
export class ClockSkewWatch {
  private timer: NodeJS.Timeout | null = null;
  private last: ClockVerdict['verdict'];
  private running: Promise<void> | null = null;

  constructor(private readonly o: ClockSkewWatchOptions) {
    this.last = o.initial;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.o.intervalMs);
    this.timer.unref();
  }

  /** One measurement (a check under way is not started twice). */
  check(): Promise<void> {
    this.running ??= this.measure().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async measure(): Promise<void> {
    let m: ClockOffset;
    try {
      m = await measureClockOffset(this.o.databaseMs, this.o.clock);
    } catch (err) {
      // The database away: the engine's own claims fail too; nothing to judge.
      this.o.log.debug({ err: (err as Error).message }, 'could not read the database clock');
      return;
    }
    const v = judgeClockSkew(m, this.o.leaseMs);
    const was = this.last;
    this.last = v.verdict;
    if (v.verdict === 'refuse') {
      if (was !== 'refuse') this.o.onPause(true);
      this.o.log.error({ offsetMs: m.offsetMs, uncertaintyMs: m.uncertaintyMs }, `${v.message}; this node claims no work until it is`);
      return;
    }
    if (was === 'refuse') {
      this.o.onPause(false);
      this.o.log.info({ offsetMs: m.offsetMs, uncertaintyMs: m.uncertaintyMs }, 'clock back within the lease limit: claiming work again');
    }
    if (v.verdict === 'warn' && was !== 'warn') this.o.log.warn({ offsetMs: m.offsetMs, uncertaintyMs: m.uncertaintyMs }, v.message);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
