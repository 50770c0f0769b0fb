import type { Logger } from 'pino';
import { displayUrl } from '../media/errors.js';
import type { GuardPolicy, LookupAll } from '../media/url-guard.js';
import type { TaskRow } from '../store/schema.js';
import type { ClaimedEvent, WebhookStore } from '../store/webhook-store.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { WebhookSettings } from './config.js';
import { EVENT_TYPE_HEADER, eventTypeFor } from './events.js';
import { nextAttemptAt } from './schedule.js';
import { postWebhook } from './sender.js';
import { newMessageId, newWebhookSecret, signedHeaders } from './signing.js';

export interface DispatcherDeps {
  store: WebhookStore;
  /** The task exactly as GET /v1/tasks/{id} shows it (rendered per attempt, so signed URLs are fresh). */
  render: (task: TaskRow) => Record<string, unknown>;
  policy: GuardPolicy;
  settings: WebhookSettings;
  log: Logger;
  workerId: string;
  lookupAll?: LookupAll;
  now?: () => number;
  metrics?: GatewayMetrics;
}

/** Events created per query; a full batch is followed by another in the same tick. */
const SCAN_BATCH = 200;
/** The incremental scan looks back this far, for tasks whose commit landed after our last scan began. */
const SCAN_SLACK_SEC = 300;
/** Belt and braces: now and then look at every finished task, whatever its `updated`. */
const FULL_SCAN_EVERY_MS = 10 * 60_000;
/** HTTP 410 Gone tells us (per Standard Webhooks) to stop retrying. */
const GONE = 410;

/**
 * Delivers webhook events: each tick creates events for newly finished tasks, then claims due
 * attempts with a lease (several nodes never send the same attempt twice) and posts them, signed.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  /** Unix seconds from which the next scan looks for finished tasks; 0 = everything. */
  private scanFromSec = 0;
  private lastFullScan = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops claiming, waits for attempts in flight (bounded), frees what is still leased. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.deps.store.releaseLeases(this.deps.workerId);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
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
      await this.createEvents();
      await this.claimAndSend();
    } catch (err) {
      this.deps.log.error({ err }, 'webhook tick failed');
    } finally {
      this.ticking = false;
      this.schedule(this.deps.settings.tickMs);
    }
  }

  private async createEvents(): Promise<void> {
    const now = this.now();
    if (now - this.lastFullScan >= FULL_SCAN_EVERY_MS) {
      this.scanFromSec = 0;
      this.lastFullScan = now;
    }
    const make = { id: newMessageId, type: eventTypeFor };
    for (let i = 0; i < 20 && !this.stopped; i++) {
      if ((await this.deps.store.createMissingEvents(this.scanFromSec, SCAN_BATCH, now, make)) < SCAN_BATCH) {
        this.scanFromSec = Math.floor(now / 1000) - SCAN_SLACK_SEC;
        return;
      }
    }
  }

  private async claimAndSend(): Promise<void> {
    const free = this.deps.settings.maxConcurrent - this.inFlight.size;
    if (free <= 0 || this.stopped) return;
    // Long enough for one whole attempt; a node that dies mid-attempt frees the event after this.
    const leaseMs = this.deps.settings.timeoutMs * 2 + 5_000;
    const claimed = await this.deps.store.claimDue(this.now(), free, this.deps.workerId, leaseMs);
    for (const c of claimed) {
      const run: Promise<void> = this.attempt(c)
        .catch((err) => this.deps.log.error({ err, webhookId: c.event.id }, 'webhook attempt crashed'))
        .finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }
  }

  private async attempt(c: ClaimedEvent): Promise<void> {
    const { event } = c;
    const startedMs = this.now();
    const started = Math.floor(startedMs / 1000);
    const task = await this.deps.store.getTask(event.task_id);
    const secret = await this.deps.store.signingSecret(event.owner_key_id, newWebhookSecret);
    let result: { ok: boolean; status: number | null; error: string | null; durationMs: number };
    if (!task || !secret) {
      result = { ok: false, status: null, error: task ? 'the API key no longer exists' : 'the task no longer exists', durationMs: 0 };
    } else {
      const body = JSON.stringify(this.deps.render(task));
      const headers = { ...signedHeaders(secret, event.id, started, body), [EVENT_TYPE_HEADER]: event.event_type };
      const { timeoutMs, maxResponseBytes } = this.deps.settings;
      // postWebhook reports failures in its result; anything it still throws is a failed attempt
      // too, so the event follows its schedule instead of being re-claimed forever.
      result = await postWebhook(event.url, body, headers, { policy: this.deps.policy, timeoutMs, maxResponseBytes, lookupAll: this.deps.lookupAll }).catch((err: unknown) => ({
        ok: false,
        status: null,
        error: `could not send: ${err instanceof Error ? err.message : String(err)}`,
        durationMs: this.now() - startedMs,
      }));
    }
    const giveUp = !task || !secret || result.status === GONE;
    const next = result.ok || giveUp ? null : nextAttemptAt(this.deps.settings.retryScheduleMs, event.round_attempts + 1, this.now());
    this.deps.metrics?.webhookDelivery(result.ok ? 'delivered' : next === null ? 'given_up' : 'failed');
    await this.deps.store.recordAttempt(c, this.deps.workerId, {
      started,
      durationMs: result.durationMs,
      responseStatus: result.status,
      error: result.error,
      succeeded: result.ok,
      nextAttemptAt: next,
    });
    // The URL's path only: its query may carry the receiver's token.
    const fields = { webhookId: event.id, task: event.task_id, url: displayUrl(event.url), attempt: c.attempt, status: result.status, ms: result.durationMs };
    if (result.ok) this.deps.log.info(fields, 'webhook delivered');
    else this.deps.log.warn({ ...fields, error: result.error, nextAttemptAt: next }, next === null ? 'webhook delivery given up' : 'webhook attempt failed');
  }
}
