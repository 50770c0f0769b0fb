import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { changed, type Db } from './db.js';
import { toWebhookAttempt, toWebhookEvent } from './mappers.js';
import { WEBHOOK_QUEUE } from './queues.js';
import type { AttemptOutcome, ClaimedEvent, ClaimOptions, WebhookAttempt, WebhookEvent, WebhookRepository } from './types.js';
import type { WorkQueue } from './work-queue.js';

/**
 * Webhook events and their delivery log. Events are created by the transaction that finishes their
 * task (see tasks.ts); attempts are scheduled on the shared work queue, partitioned by API key so
 * one tenant's backlog cannot hold everyone else's deliveries.
 */
export class SqlWebhookRepository implements WebhookRepository {
  constructor(
    private readonly db: Db,
    private readonly queue: WorkQueue,
  ) {}

  async claim(o: ClaimOptions & { admit: (ownerKeyId: string) => boolean }): Promise<ClaimedEvent[]> {
    const items = await this.queue.claimFair(WEBHOOK_QUEUE, o, { admit: (h) => o.admit(h.partition_key), refund: () => undefined });
    if (items.length === 0) return [];
    const rows = await this.db.kysely
      .selectFrom('webhook_events')
      .selectAll()
      .where(
        'id',
        'in',
        items.map((i) => i.item_id),
      )
      .execute();
    return rows.map((r) => {
      const event = toWebhookEvent(r);
      return { event, attempt: event.attempt_count + 1, trigger: event.round_attempts > 0 ? 'retry' : event.round > 0 ? 'redeliver' : 'initial' };
    });
  }

  async recordAttempt(claimed: ClaimedEvent, owner: string, o: AttemptOutcome): Promise<void> {
    const e = claimed.event;
    await this.db.tx(async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          id: `wha_${randomBytes(12).toString('hex')}`,
          event_id: e.id,
          attempt: claimed.attempt,
          trigger: claimed.trigger,
          started_ms: o.started_ms,
          duration_ms: o.duration_ms,
          response_status: o.response_status,
          error: o.error,
          succeeded: o.succeeded ? 1 : 0,
        })
        .execute();
      await trx.updateTable('webhook_events').set({ attempt_count: sql`attempt_count + 1`, last_response_status: o.response_status, last_error: o.error }).where('id', '=', e.id).execute();
      // Only the lease holder moves the event on; a stale worker's attempt is logged and nothing more.
      const current = await trx.selectFrom('webhook_events').select(['round']).where('id', '=', e.id).executeTakeFirst();
      if (!current) return;
      if (Number(current.round) !== e.round) {
        // Redelivered while this attempt ran: the new round's first attempt is due now.
        await this.queue.reschedule(trx, WEBHOOK_QUEUE, e.id, owner, o.started_ms + o.duration_ms, 0);
        return;
      }
      const status = o.succeeded ? 'delivered' : o.next_attempt_ms === null ? 'failed' : 'pending';
      const held = status === 'pending' ? await this.queue.reschedule(trx, WEBHOOK_QUEUE, e.id, owner, o.next_attempt_ms!, 0) : await this.queue.remove(trx, WEBHOOK_QUEUE, e.id, owner);
      if (!held) return;
      await trx
        .updateTable('webhook_events')
        .set({
          status,
          round_attempts: e.round_attempts + 1,
          next_attempt_ms: status === 'pending' ? o.next_attempt_ms : null,
          ...(o.succeeded ? { delivered_ms: o.started_ms } : {}),
        })
        .where('id', '=', e.id)
        .execute();
    });
  }

  async postpone(claimed: ClaimedEvent, owner: string, due_ms: number): Promise<void> {
    await this.db.tx(async (trx) => {
      if (await this.queue.reschedule(trx, WEBHOOK_QUEUE, claimed.event.id, owner, due_ms, 0)) {
        await trx.updateTable('webhook_events').set({ next_attempt_ms: due_ms }).where('id', '=', claimed.event.id).execute();
      }
    });
  }

  releaseLeases(owner: string, now_ms: number): Promise<number> {
    return this.queue.release([WEBHOOK_QUEUE], owner, now_ms);
  }

  async redeliver(id: string, ownerKeyId: string, now_ms: number): Promise<WebhookEvent | undefined> {
    const found = await this.db.tx(async (trx) => {
      const res = await trx
        .updateTable('webhook_events')
        .set({ status: 'pending', next_attempt_ms: now_ms, round: sql`round + 1`, round_attempts: 0 })
        .where('id', '=', id)
        .where('owner_key_id', '=', ownerKeyId)
        .executeTakeFirst();
      if (changed(res) === 0) return false;
      const item = await trx.selectFrom('work_items').select(['lease_owner']).where('queue', '=', WEBHOOK_QUEUE).where('item_id', '=', id).executeTakeFirst();
      if (!item) await this.queue.enqueue(trx, { queue: WEBHOOK_QUEUE, item_id: id, partition_key: ownerKeyId, due_ms: now_ms });
      // An unleased item is simply due now; a leased one is in an attempt, which hands over to the new round.
      else await this.queue.expedite(trx, WEBHOOK_QUEUE, id, now_ms);
      return true;
    });
    return found ? this.getForOwner(id, ownerKeyId) : undefined;
  }

  async getForOwner(id: string, ownerKeyId: string): Promise<WebhookEvent | undefined> {
    const r = await this.db.kysely.selectFrom('webhook_events').selectAll().where('id', '=', id).where('owner_key_id', '=', ownerKeyId).executeTakeFirst();
    return r ? toWebhookEvent(r) : undefined;
  }

  async listForOwner(ownerKeyId: string, filter: { taskId?: string; limit: number }): Promise<WebhookEvent[]> {
    let q = this.db.kysely.selectFrom('webhook_events').selectAll().where('owner_key_id', '=', ownerKeyId);
    if (filter.taskId !== undefined) q = q.where('task_id', '=', filter.taskId);
    return (await q.orderBy('created_ms', 'desc').orderBy('id', 'desc').limit(filter.limit).execute()).map(toWebhookEvent);
  }

  async attemptsFor(eventIds: string[]): Promise<WebhookAttempt[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.db.kysely.selectFrom('webhook_attempts').selectAll().where('event_id', 'in', eventIds).orderBy('event_id').orderBy('attempt').execute();
    return rows.map(toWebhookAttempt);
  }
}
