import type { Logger } from 'pino';
import { CircuitBreaker } from '../limits/circuit-breaker.js';
import { displayUrl } from '../media/errors.js';
import type { GuardPolicy, LookupAll } from '../media/url-guard.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { ClaimedEvent, Store, Task } from '../store/types.js';
import type { WebhookSettings } from './config.js';
import { EVENT_TYPE_HEADER } from './events.js';
import { nextAttemptAt } from './schedule.js';
import { postWebhook, type SendResult } from './sender.js';
import { newWebhookSecret, signedHeaders } from '../contract/webhook-signature.js';

export interface DispatcherDeps {
  store: Store;
  /** The task exactly as GET /v1/tasks/{id} shows it (rendered per attempt, so signed URLs are fresh). */
  render: (task: Task) => Record<string, unknown>;
  policy: GuardPolicy;
  settings: WebhookSettings;
  log: Logger;
  workerId: string;
  lookupAll?: LookupAll;
  now?: () => number;
  metrics?: GatewayMetrics;
}

/** HTTP 410 Gone tells us (per Standard Webhooks) to stop retrying. */
const GONE = 410;

/** A receiver that failed this many times in a row is rested before the next attempt. */
const ENDPOINT_FAILURES_TO_OPEN = 3;

/**
 * Delivers webhook events. Events are queued by the transaction that finishes their task; each
 * tick claims due attempts from the shared work queue (with a lease, so several nodes never send
 * the same attempt twice) and posts them, signed.
 *
 * Fair to tenants: claims are round-robin across API keys, and one key holds at most half of this
 * node's delivery slots, so another key's event always finds a free one. A receiver that keeps
 * failing (timeouts, refused connections, 5xx) gets a breaker: its events are postponed while it
 * rests instead of holding slots, then one probe decides.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightByKey = new Map<string, number>();
  private readonly endpoints: CircuitBreaker;

  constructor(private readonly deps: DispatcherDeps) {
    this.endpoints = new CircuitBreaker({ threshold: ENDPOINT_FAILURES_TO_OPEN, cooldownMs: deps.settings.endpointCooldownMs, maxCooldownMs: Math.max(deps.settings.endpointCooldownMs, 600_000) });
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Look for due deliveries now (a task just finished here) instead of at the next tick. */
  wake(): void {
    if (!this.stopped && !this.ticking) this.schedule(0);
  }

  /** Stops claiming, waits for attempts in flight (bounded), frees what is still leased. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.deps.store.webhooks.releaseLeases(this.deps.workerId, this.now()).catch((err) => this.deps.log.warn({ err }, 'could not release webhook leases'));
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
      await this.claimAndSend();
    } catch (err) {
      this.deps.log.error({ err }, 'webhook tick failed');
    } finally {
      this.ticking = false;
      this.schedule(this.deps.settings.tickMs);
    }
  }

  /** One key may hold at most this many of this node's slots at once. */
  private get perKeyCap(): number {
    return Math.max(1, Math.floor(this.deps.settings.maxConcurrent / 2));
  }

  private async claimAndSend(): Promise<void> {
    const free = this.deps.settings.maxConcurrent - this.inFlight.size;
    if (free <= 0 || this.stopped) return;
    // Long enough for one whole attempt; a node that dies mid-attempt frees the event after this.
    const leaseMs = this.deps.settings.timeoutMs * 2 + 5_000;
    const picked = new Map<string, number>();
    const claimed = await this.deps.store.webhooks.claim({
      now_ms: this.now(),
      limit: free,
      owner: this.deps.workerId,
      lease_ms: leaseMs,
      admit: (key) => {
        const held = (this.inFlightByKey.get(key) ?? 0) + (picked.get(key) ?? 0);
        if (held >= this.perKeyCap) return false;
        picked.set(key, (picked.get(key) ?? 0) + 1);
        return true;
      },
    });
    for (const c of claimed) {
      const key = c.event.owner_key_id;
      this.inFlightByKey.set(key, (this.inFlightByKey.get(key) ?? 0) + 1);
      const run: Promise<void> = this.deliver(c)
        .catch((err) => this.deps.log.error({ err, webhookId: c.event.id }, 'webhook attempt crashed'))
        .finally(() => {
          this.inFlight.delete(run);
          const left = (this.inFlightByKey.get(key) ?? 1) - 1;
          if (left > 0) this.inFlightByKey.set(key, left);
          else this.inFlightByKey.delete(key);
          this.wake();
        });
      this.inFlight.add(run);
    }
  }

  /**
   * The receiver a breaker rests: one key's URLs on one origin. Per key, because tenants may share
   * a host (a relay service, an ingress) and one tenant's broken path must not postpone another's.
   */
  private endpointOf(event: ClaimedEvent['event']): string {
    let origin: string;
    try {
      origin = new URL(event.url).origin;
    } catch {
      origin = event.url;
    }
    return `${event.owner_key_id} ${origin}`;
  }

  private async deliver(c: ClaimedEvent): Promise<void> {
    const endpoint = this.endpointOf(c.event);
    const now = this.now();
    if (!this.endpoints.admit(endpoint, now)) {
      // The receiver is resting: try when its breaker lets a probe through, without using an attempt.
      await this.deps.store.webhooks.postpone(c, this.deps.workerId, now + this.endpoints.retryInMs(endpoint, now));
      return;
    }
    const result = await this.attempt(c);
    // Reachable and answering (even 4xx) is healthy; no answer or a 5xx counts against the receiver.
    if (result.status !== null && result.status < 500) this.endpoints.success(endpoint);
    else this.endpoints.failure(endpoint, this.now());
  }

  private async attempt(c: ClaimedEvent): Promise<SendResult> {
    const { event } = c;
    const startedMs = this.now();
    // Fresh: the event may come from another node or thread's commit before its change notice has
    // reached this store's cache, which may still hold the task unfinished.
    const task = await this.deps.store.tasks.get(event.task_id, { fresh: true });
    const secret = await this.deps.store.keys.webhookSecret(event.owner_key_id, newWebhookSecret);
    let result: SendResult;
    if (!task || !secret) {
      result = { ok: false, status: null, error: task ? 'the API key no longer exists' : 'the task no longer exists', durationMs: 0 };
    } else {
      const body = JSON.stringify(this.deps.render(task));
      const headers = { ...signedHeaders(secret, event.id, Math.floor(startedMs / 1000), body), [EVENT_TYPE_HEADER]: event.event_type };
      const { timeoutMs, connectTimeoutMs, maxResponseBytes } = this.deps.settings;
      // postWebhook reports failures in its result; anything it still throws is a failed attempt
      // too, so the event follows its schedule instead of being re-claimed forever.
      result = await postWebhook(event.url, body, headers, { policy: this.deps.policy, timeoutMs, connectTimeoutMs, maxResponseBytes, lookupAll: this.deps.lookupAll }).catch((err: unknown) => ({
        ok: false,
        status: null,
        error: `could not send: ${err instanceof Error ? err.message : String(err)}`,
        durationMs: this.now() - startedMs,
      }));
    }
    const giveUp = !task || !secret || result.status === GONE;
    const next = result.ok || giveUp ? null : nextAttemptAt(this.deps.settings.retryScheduleMs, event.round_attempts + 1, this.now());
    this.deps.metrics?.webhookDelivery(result.ok ? 'delivered' : next === null ? 'given_up' : 'failed');
    await this.deps.store.webhooks.recordAttempt(c, this.deps.workerId, {
      started_ms: startedMs,
      duration_ms: result.durationMs,
      response_status: result.status,
      error: result.error,
      succeeded: result.ok,
      next_attempt_ms: next,
    });
    // The URL's path only: its query may carry the receiver's token.
    const fields = { webhookId: event.id, task: event.task_id, url: displayUrl(event.url), attempt: c.attempt, status: result.status, ms: result.durationMs };
    if (result.ok) this.deps.log.info(fields, 'webhook delivered');
    else this.deps.log.warn({ ...fields, error: result.error, nextAttemptAt: next }, next === null ? 'webhook delivery given up' : 'webhook attempt failed');
    return result;
  }
}
