import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric Vidgate exports, in one place. Rooms record through the one-line methods
 * below at clear points (HTTP: an onResponse hook; tasks: where they are created and where the
 * engine finishes them; upstream calls: around each adapter call; webhooks: after each attempt);
 * task counts by state and breaker states are read at scrape time. One registry per gateway, so
 * several gateways in one process (tests) keep their own figures.
 */

/** Reads done at scrape time (cheap queries, never per request). */
export interface ScrapeSources {
  countByState(): Promise<Record<string, number>>;
  /** provider → closed | open | half-open */
  /** Every channel's breaker state. */
  breakerStates(): { provider: string; channel: string; state: string }[];
}

const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;
const ACTIVE_STATES = ['pending', 'submitting', 'processing', 'finishing'] as const;

export class GatewayMetrics {
  readonly registry = new Registry();
  private sources: ScrapeSources | undefined;

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
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  private readonly webhookDeliveries = new Counter({
    name: 'vidgate_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, failed, given_up).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'vidgate_' });
    const self = this;
    new Gauge({
      name: 'vidgate_tasks_in_state',
      help: 'Unfinished tasks in each internal state right now (pending, submitting, processing, finishing); finished ones are counted by vidgate_tasks_finished_total.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        if (!self.sources) return;
        this.reset();
        const counts = await self.sources.countByState();
        for (const state of ACTIVE_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
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

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  webhookDelivery(outcome: 'delivered' | 'failed' | 'given_up'): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /** The Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
