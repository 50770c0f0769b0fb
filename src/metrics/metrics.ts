import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/**
 * Every Prometheus metric Vidgate exports, in one place. Rooms record through the one-line methods
 * below at clear points (HTTP: an onResponse hook; tasks: where they are created and where the
 * engine finishes them; upstream calls: around each adapter call; webhooks: after each attempt);
 * task counts by state and breaker states are read at scrape time. One registry per gateway, so
 * several gateways in one process (tests) keep their own figures.
 *
 * The one figure read from the shared store fails soft: a database outage is exactly when the
 * process metrics matter, so a failed or slow read leaves that gauge out and says so in
 * vidgate_store_up instead of failing the scrape.
 */

/** Reads done at scrape time (cheap queries, never per request). */
export interface ScrapeSources {
  /** Unfinished tasks by state in the shared store: the whole cluster's, not this node's. */
  countByState?(): Promise<Record<string, number>>;
  /** Every channel's breaker state on this node (closed, open, half-open). */
  breakerStates(): { provider: string; channel: string; state: string }[];
  /** Figures this process keeps in another registry (the engine thread's), added in at scrape time. */
  elsewhere?(): Promise<MetricsSnapshot | null>;
}

/** A registry's figures as plain data (prom-client's JSON form), e.g. sent from the engine thread. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Observations of one label set kept as plain numbers until the histogram is scraped. */
interface Tally {
  labels: Record<string, string>;
  /** Per upper bound (not cumulative), as prom-client keeps them; the overflow goes only into count. */
  buckets: number[];
  sum: number;
  count: number;
}

/** The part of prom-client's histogram series this module adds tallies into (no bulk observe exists). */
interface HistogramSeries {
  labels: Record<string, string | number>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}
const ACTIVE_STATES = ['pending', 'submitting', 'processing', 'finishing'] as const;
/** Past this, a scrape answers without the store's figures (Prometheus' default scrape timeout is 10 s). */
const STORE_READ_TIMEOUT_MS = 3_000;

export class GatewayMetrics {
  readonly registry = new Registry();
  private sources: ScrapeSources | undefined;
  private largeBodies: (() => { reading: number; waiting: number }) | undefined;

  private readonly tasksCreated = new Counter({ name: 'vidgate_tasks_created_total', help: 'Tasks created (stored), by model and provider.', labelNames: ['model', 'provider'] as const, registers: [this.registry] });
  private readonly tasksFinished = new Counter({
    name: 'vidgate_tasks_finished_total',
    help: 'Tasks that reached completed or failed, by model, provider and status.',
    labelNames: ['model', 'provider', 'status'] as const,
    registers: [this.registry],
  });
  private readonly taskDuration = new Histogram({
    name: 'vidgate_task_duration_seconds',
    help: 'Time from create to completed/failed.',
    labelNames: ['provider', 'status'] as const,
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers: [this.registry],
  });
  private readonly upstreamRequests = new Counter({
    name: 'vidgate_upstream_requests_total',
    help: 'Calls to provider APIs by provider, call (submit, poll, download, cancel, lookup) and outcome (ok or the error kind).',
    labelNames: ['provider', 'call', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly upstreamDuration = new Histogram({
    name: 'vidgate_upstream_request_duration_seconds',
    help: 'Duration of calls to provider APIs.',
    labelNames: ['provider', 'call'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'vidgate_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
    // Requests are tallied (see `httpRequest`) and added in when scraped.
    collect: () => this.foldRequestTallies(),
  });
  /** Task reads answered from memory since the last scrape, by door (added into the counter when scraped). */
  private readonly memoryReadTallies = { socket: 0, http: 0 };
  private readonly memoryReads = new Counter({
    name: 'vidgate_task_reads_from_memory_total',
    help: 'Task reads answered from memory, by door: "socket" (read off the connection, before Node\'s HTTP layer) or "http" (through Node\'s request handler). The rest of GET /v1/tasks/:id went through the full path.',
    labelNames: ['door'] as const,
    registers: [this.registry],
    collect: () => {
      for (const door of ['socket', 'http'] as const) {
        this.memoryReads.inc({ door }, this.memoryReadTallies[door]);
        this.memoryReadTallies[door] = 0;
      }
    },
  });
  /** Request tallies by method, route and status, folded into `httpDuration` at scrape time. */
  private readonly requestTallies = new Map<string, Tally>();
  private readonly webhookDeliveries = new Counter({
    name: 'vidgate_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, failed, given_up).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  // Both set by `readStore` before each scrape (see render).
  private readonly tasksInState = new Gauge({
    name: 'vidgate_tasks_in_state',
    help: 'Unfinished tasks in each internal state right now (pending, submitting, processing, finishing), across the cluster: read from the shared database, so every node reports the same figure (aggregate with max by (state), not sum). Absent when the read failed (vidgate_store_up 0). Finished ones are counted by vidgate_tasks_finished_total.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly storeUp = new Gauge({
    name: 'vidgate_store_up',
    help: "1 when this scrape's read of the database succeeded, 0 when it failed or took over 3 s (the store-backed gauges are then left out).",
    registers: [this.registry],
  });

  /** `processMetrics: false` for a second registry in the same process (the engine thread's). */
  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'vidgate_' });
    const self = this;
    new Gauge({
      name: 'vidgate_circuit_breaker_state',
      help: "1 for each channel's current circuit breaker state (closed, half-open, open), else 0.",
      labelNames: ['provider', 'channel', 'state'] as const,
      registers: [this.registry],
      collect() {
        if (!self.sources) return;
        this.reset();
        for (const { provider, channel, state: current } of self.sources.breakerStates()) {
          for (const state of BREAKER_STATES) this.set({ provider, channel, state }, state === current ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'vidgate_large_request_bodies',
      help: 'Create bodies over 1 MiB being read (holding a slot of VIDGATE_MAX_LARGE_BODIES) and waiting for a slot, right now.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        if (!self.largeBodies) return;
        const { reading, waiting } = self.largeBodies();
        this.set({ state: 'reading' }, reading);
        this.set({ state: 'waiting' }, waiting);
      },
    });
  }

  /** Where the large-body slot figures come from (set by the HTTP app). */
  readLargeBodiesFrom(counts: () => { reading: number; waiting: number }): void {
    this.largeBodies = counts;
  }

  /** Where scrape-time figures come from (set once the store and engine exist). */
  readFrom(sources: ScrapeSources): void {
    this.sources = sources;
  }

  taskCreated(model: string, provider: string): void {
    this.tasksCreated.inc({ model, provider });
  }

  /** A task reached a terminal state; `createdMs` is its create time (epoch ms). */
  taskFinished(model: string, provider: string, status: 'completed' | 'failed', createdMs: number, nowMs = Date.now()): void {
    this.tasksFinished.inc({ model, provider, status });
    this.taskDuration.observe({ provider, status }, Math.max(0, (nowMs - createdMs) / 1000));
  }

  upstreamCall(provider: string, call: string, outcome: string, seconds: number): void {
    this.upstreamRequests.inc({ provider, call, outcome });
    this.upstreamDuration.observe({ provider, call }, seconds);
  }

  /** A task read answered from memory (also counted by `httpRequest`). */
  taskReadFromMemory(door: 'socket' | 'http'): void {
    this.memoryReadTallies[door]++;
  }

  /**
   * One HTTP request (route pattern, never a raw path). Tens of thousands a second on the task-read
   * path: tallied with a few additions now, the histogram's label hashing and validation paid once
   * per label set at scrape time.
   */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const k = `${method} ${route} ${status}`;
    let t = this.requestTallies.get(k);
    if (t === undefined) {
      t = { labels: { method, route, status: String(status) }, buckets: HTTP_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.requestTallies.set(k, t);
    }
    let i = 0;
    while (i < HTTP_BUCKETS.length && seconds > HTTP_BUCKETS[i]) i++;
    if (i < HTTP_BUCKETS.length) t.buckets[i]++;
    t.sum += seconds;
    t.count++;
  }

  private foldRequestTallies(): void {
    const series = (this.httpDuration as unknown as { hashMap: Record<string, HistogramSeries> }).hashMap;
    for (const t of this.requestTallies.values()) {
      if (t.count === 0) continue;
      const matches = (s: HistogramSeries) => Object.keys(t.labels).every((k) => String(s.labels[k]) === t.labels[k]);
      let target = Object.values(series).find(matches);
      if (target === undefined) {
        this.httpDuration.zero(t.labels);
        target = Object.values(series).find(matches);
      }
      if (target === undefined) throw new Error('prom-client histogram layout changed: cannot fold request tallies');
      HTTP_BUCKETS.forEach((bound, i) => {
        target.bucketValues[bound] += t.buckets[i];
        t.buckets[i] = 0;
      });
      target.sum += t.sum;
      target.count += t.count;
      t.sum = 0;
      t.count = 0;
    }
  }

  webhookDelivery(outcome: 'delivered' | 'failed' | 'given_up'): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /** The Prometheus text exposition; never fails for the store. */
  async render(): Promise<{ contentType: string; body: string }> {
    await this.readStore();
    const other = await this.sources?.elsewhere?.().catch(() => null);
    if (!other) return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    // Families both registries have (counters, histograms, the breaker gauge only the thread fills) are
    // summed. One only this registry has passes through as it is: prom-client's own aggregator for
    // it would drop vidgate_process_start_time_seconds ('omit').
    const shared = new Set(other.map((m) => m.name));
    const ours = (await this.registry.getMetricsAsJSON()).map((m) => (shared.has(m.name) ? m : { ...m, aggregator: 'first' as const }));
    const merged = AggregatorRegistry.aggregate([ours, other]);
    return { contentType: this.registry.contentType, body: await merged.metrics() };
  }

  /** This registry's figures as plain data (what `elsewhere` returns from the other side). */
  async snapshot(): Promise<MetricsSnapshot> {
    return (await this.registry.getMetricsAsJSON()) as MetricsSnapshot;
  }

  private async readStore(): Promise<void> {
    if (!this.sources?.countByState) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('store read timed out')), STORE_READ_TIMEOUT_MS);
    });
    try {
      const counts = await Promise.race([this.sources.countByState(), timeout]);
      this.tasksInState.reset();
      for (const state of ACTIVE_STATES) this.tasksInState.set({ state }, counts[state] ?? 0);
      this.storeUp.set(1);
    } catch {
      this.tasksInState.reset();
      this.storeUp.set(0);
    } finally {
      clearTimeout(timer);
    }
  }
}
