import { newWebhookSecret } from '../contract/webhook-signature.js';
import { type CreatedKey, createKey } from '../keys/keys.js';
import type { ApiKey, KeyLimitsPatch, KeyUpdateOutcome, Store, UsageRow, WebhookAttempt, WebhookEvent } from '../store/types.js';

/** A webhook event with its delivery attempts, as the delivery log shows it. */
export interface Delivery {
  event: WebhookEvent;
  attempts: WebhookAttempt[];
}

/**
 * The use cases around API keys, for every front door: what admins do to keys (create, list,
 * change balance and limits, revoke) and what a key reads or sets about itself (its usage, its
 * webhook secret, its default webhook URL, its delivery log). Plain outcomes; a key only ever
 * reaches its own deliveries. The HTTP room decides what they look like on the wire.
 */
export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key whose secret hashes to `hash`, revoked or not (authentication decides what that means). */
  byHash(hash: string): Promise<ApiKey | undefined> {
    return this.store.keys.findByHash(hash);
  }

  get(id: string): Promise<ApiKey | undefined> {
    return this.store.keys.get(id);
  }

  list(): Promise<ApiKey[]> {
    return this.store.keys.list();
  }

  /** A new key and its secret (shown once: only the hash is stored). */
  create(name: string, admin: boolean): Promise<CreatedKey> {
    return createKey(this.store, name, admin);
  }

  /** Balance, spend limit, request limit and default webhook; balance changes go to the ledger. */
  update(id: string, patch: KeyLimitsPatch): Promise<KeyUpdateOutcome> {
    return this.store.keys.updateLimits(id, patch, this.now());
  }

  /** False when no active key has that id. */
  revoke(id: string): Promise<boolean> {
    return this.store.keys.revoke(id, this.now());
  }

  /** Spend by day and model for one key, or every key (null), between two UTC days inclusive. */
  usage(keyId: string | null, fromDay: string, toDay: string): Promise<UsageRow[]> {
    return this.store.ledger.usage(keyId, fromDay, toDay);
  }

  /** The key's webhook signing secret (made on first use); undefined when the key is gone. */
  webhookSecret(keyId: string): Promise<string | undefined> {
    return this.store.keys.webhookSecret(keyId, newWebhookSecret);
  }

  /** A new signing secret for the key; null when the key is gone. */
  async rotateWebhookSecret(keyId: string): Promise<string | null> {
    const secret = newWebhookSecret();
    return (await this.store.keys.rotateWebhookSecret(keyId, secret)) ? secret : null;
  }

  /** Sets (or clears, with null) the URL the key's task events go to when a create names none. */
  setDefaultWebhook(keyId: string, url: string | null): Promise<KeyUpdateOutcome> {
    return this.update(keyId, { webhook_url: url });
  }

  /** The key's deliveries, newest first (of one of its tasks, when `taskId` is given). */
  async deliveries(keyId: string, filter: { taskId?: string; limit: number }): Promise<Delivery[]> {
    const events = await this.store.webhooks.listForOwner(keyId, filter);
    const attempts = await this.store.webhooks.attemptsFor(events.map((e) => e.id));
    return events.map((event) => ({ event, attempts: attempts.filter((a) => a.event_id === event.id) }));
  }

  /** One of the key's deliveries; undefined when it is missing or another key's. */
  async delivery(keyId: string, id: string): Promise<Delivery | undefined> {
    const event = await this.store.webhooks.getForOwner(id, keyId);
    return event && this.withAttempts(event);
  }

  /** Queues the key's delivery again; undefined when it is missing or another key's. */
  async redeliver(keyId: string, id: string): Promise<Delivery | undefined> {
    const event = await this.store.webhooks.redeliver(id, keyId, this.now());
    return event && this.withAttempts(event);
  }

  private async withAttempts(event: WebhookEvent): Promise<Delivery> {
    return { event, attempts: await this.store.webhooks.attemptsFor([event.id]) };
  }
}
