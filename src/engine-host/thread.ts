import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { AvailabilitySnapshot } from '../channels/availability.js';
import { destinationOf } from '../logging.js';
import { threadProgram } from '../thread-program.js';
import type { MetricsSnapshot } from '../metrics/metrics.js';
import type { ChannelStates, EngineHandle } from './handle.js';
import { oncePerTurn, type EngineThreadData, type FromEngine, type ToEngine } from './protocol.js';

/** The thread's program (src/engine-host/worker.ts). */
function newEngineWorker(workerData: EngineThreadData): Worker {
  return threadProgram(import.meta.url, './worker', { workerData, name: 'vidgate-engine' });
}
const ASK_TIMEOUT_MS = 5_000;
const STARTUP_TIMEOUT_MS = 60_000;
/** After the thread died: wait this long before starting it again (doubling up to a minute). */
const RESTART_DELAY_MS = 1_000;

export interface EngineThreadOptions {
  logger: Logger;
  /** A task ended (webhook delivery may have an event to send). */
  onFinished(): void;
  /**
   * The thread ended without releasing its work leases (it died, or did not stop within the grace
   * period): release them for it, so its work is picked up now rather than when the leases run out.
   */
  onGone?(): Promise<unknown>;
  /** Another program in place of the engine's (tests of this supervision: a thread that dies). */
  program?: (data: EngineThreadData) => Worker;
  /** The first wait before starting a dead thread again (doubling up to a minute). */
  restartDelayMs?: number;
}

/**
 * The engine in a worker thread (VIDGATE_ENGINE_THREAD, on by default), seen from the HTTP thread.
 * If the thread dies, it is started again: the engine is crash-safe (its leases run out and it picks
 * its work up again), so a dead thread costs a pause, never a task.
 */
export class EngineThread implements EngineHandle {
  private worker!: Worker;
  private readonly asks = new Map<number, (value: unknown) => void>();
  private nextAsk = 1;
  // Creates come by the thousand a second: one wake-up message per turn of the event loop is enough.
  private readonly postWake = oncePerTurn(() => this.post({ t: 'wake' }));
  private stopping = false;
  private alive = false;
  private restartDelay: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped: Promise<void> | null = null;
  private readonly write: (line: string) => void;
  /** The release of a dead thread's leases, under way or done. */
  private gone: Promise<unknown> = Promise.resolve();
  /** The thread's figures at its last answer: stand in when it cannot answer (busy, restarting). */
  private lastMetrics: MetricsSnapshot | null = null;
  /** Counters and histograms of each thread that died (as it last answered), added to the live thread's. */
  private readonly carried: MetricsSnapshot[] = [];

  private constructor(
    private data: EngineThreadData,
    private readonly o: EngineThreadOptions,
  ) {
    this.restartDelay = o.restartDelayMs ?? RESTART_DELAY_MS;
    const dest = destinationOf(o.logger);
    this.write = (line) => void dest.write(line);
  }

  /** Starts the thread; resolves once its engine runs, rejects with the reason it could not start. */
  static async start(data: EngineThreadData, o: EngineThreadOptions): Promise<EngineThread> {
    // libuv's thread pool (files, DNS, crypto) starts on first use, at the priority of the thread that
    // first uses it: start it here, before the engine thread lowers its own (VIDGATE_ENGINE_NICE).
    await fs.promises.access(process.cwd()).catch(() => undefined);
    const t = new EngineThread(data, o);
    await t.spawn();
    return t;
  }

  private spawn(): Promise<void> {
    const worker = (this.o.program ?? newEngineWorker)(this.data);
    this.worker = worker;
    this.alive = true;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      /** The thread stopped its engine, which released its leases. */
      let released = false;
      const startup = setTimeout(() => fail(new Error(`the engine thread did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS);
      const fail = (err: Error) => {
        clearTimeout(startup);
        if (!ready) {
          void worker.terminate();
          return reject(err);
        }
      };
      worker.on('message', (m: FromEngine) => {
        switch (m.t) {
          case 'ready':
            ready = true;
            clearTimeout(startup);
            this.restartDelay = this.o.restartDelayMs ?? RESTART_DELAY_MS;
            return resolve();
          case 'failed':
            return fail(new Error(`the engine could not start: ${m.message}`));
          case 'log':
            return this.write(m.line);
          case 'finished':
            return this.o.onFinished();
          case 'answer':
            this.asks.get(m.id)?.(m.value);
            return void this.asks.delete(m.id);
          case 'stopped':
            released = m.released;
            return void worker.terminate();
        }
      });
      worker.on('error', (err) => {
        if (!ready) return fail(err);
        this.o.logger.error({ err }, 'the engine thread failed');
      });
      worker.on('exit', (code) => {
        this.alive = false;
        clearTimeout(startup);
        for (const answer of this.asks.values()) answer(null);
        this.asks.clear();
        if (!ready) return reject(new Error(`the engine thread exited (code ${code}) before it started`));
        if (!released && this.o.onGone) {
          this.gone = this.o.onGone().catch((err: Error) => this.o.logger.warn({ err: err.message }, "could not release the engine thread's leases; its work is picked up when they run out"));
        }
        // Its counters live on in the sums /metrics shows: a scrape never sees one go down.
        if (this.lastMetrics) this.carried.push(this.lastMetrics.filter((m) => String(m.type) === 'counter' || String(m.type) === 'histogram'));
        this.lastMetrics = null;
        if (!this.stopping) this.restartLater(code);
      });
    });
  }

  private restartLater(code: number): void {
    const delay = this.restartDelay;
    this.restartDelay = Math.min(60_000, delay * 2);
    this.o.logger.error({ code, restartInMs: delay }, 'the engine thread stopped unexpectedly; its polls and downloads are released, and it is started again');
    this.restartTimer = setTimeout(() => {
      // The dead thread's leases are released first: the new thread claims under the same workerId,
      // and a release that ended after its first claims would free those too (work run twice).
      void this.gone.then(() => {
        this.restartTimer = undefined;
        if (this.stopping) return;
        this.spawn().catch((err: Error) => {
          this.o.logger.error({ err: err.message }, 'the engine thread could not start again');
          if (!this.stopping) this.restartLater(1);
        });
      });
    }, delay);
    this.restartTimer.unref();
  }

  private post(m: ToEngine): void {
    this.worker.postMessage(m);
  }

  /** The engine may claim work now (the gateway listens); a thread started again later claims at once. */
  go(): void {
    this.data = { ...this.data, hold: false };
    this.post({ t: 'go' });
  }

  wake(): void {
    if (!this.stopping) this.postWake();
  }

  /** A restarted thread starts paused or not as the HTTP thread last said. */
  pauseClaims(paused: boolean): void {
    this.data = { ...this.data, claimsPaused: paused };
    if (!this.stopping) this.post({ t: 'pauseClaims', paused });
  }

  /** The model lists as the HTTP thread last read them (a restarted thread starts from these). */
  availability(lists: AvailabilitySnapshot): void {
    this.data = { ...this.data, availability: lists };
    if (!this.stopping) this.post({ t: 'availability', lists });
  }

  private ask(what: 'channels' | 'metrics'): Promise<unknown> {
    if (this.stopping || this.restartTimer) return Promise.resolve(null);
    const id = this.nextAsk++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.asks.delete(id);
        resolve(null);
      }, ASK_TIMEOUT_MS);
      this.asks.set(id, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
      this.post({ t: 'ask', id, what });
    });
  }

  async channelStates(): Promise<ChannelStates> {
    return ((await this.ask('channels')) as ChannelStates | null) ?? {};
  }

  async metrics(): Promise<MetricsSnapshot | null> {
    const now = (await this.ask('metrics')) as MetricsSnapshot | null;
    if (now) this.lastMetrics = now;
    const parts = [now ?? this.lastMetrics, ...this.carried].filter((m): m is MetricsSnapshot => m !== null);
    if (parts.length <= 1) return parts[0] ?? null;
    // prom-client sums each series (counters and histograms aggregate by 'sum').
    return (await AggregatorRegistry.aggregate(parts).getMetricsAsJSON()) as MetricsSnapshot;
  }

  /** The engine stops claiming and finishes its steps (up to `graceMs`), closes its connections, and the thread ends. */
  stop(graceMs: number): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      clearTimeout(this.restartTimer);
      const worker = this.worker;
      if (this.alive) {
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        this.post({ t: 'stop', graceMs });
        // A thread that does not answer in time (stuck in native code) is ended without its say.
        const force = setTimeout(() => void worker.terminate(), graceMs + 5_000);
        await exited;
        clearTimeout(force);
      }
      await this.gone;
    })();
    return this.stopped;
  }
}
