import { randomBytes } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database, TaskRow } from './schema.js';

/**
 * One event per (task, event type): its webhook-id, where it goes, and where it stands in the retry
 * schedule. Claimed with a lease like tasks, so several nodes never send the same attempt twice.
 */
export interface WebhookEventsTable {
  /** The webhook-id header: the same on every retry and redelivery. */
  id: string;
  task_id: string;
  owner_key_id: string;
  event_type: string;
  /** The task's callback_url when the event was created. */
  url: string;
  /** Unix seconds. */
  created: number;
  status: WebhookStatus;
  /** Bumped by each redeliver; an attempt begun in an earlier round does not reschedule. */
  round: number;
  /** Attempts made in the current round: the position in the retry schedule. */
  round_attempts: number;
  attempt_count: number;
  /** Epoch ms of the next attempt while pending; null once delivered or given up. */
  next_attempt_at: number | null;
  last_response_status: number | null;
  last_error: string | null;
  /** Unix seconds. */
  delivered_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

/** The delivery log: one row per attempt. */
export interface WebhookAttemptsTable {
  id: string;
  event_id: string;
  /** 1-based over the event's life. */
  attempt: number;
  trigger: AttemptTrigger;
  /** Unix seconds. */
  started: number;
  duration_ms: number;
  response_status: number | null;
  error: string | null;
  succeeded: number;
}

export type WebhookStatus = 'pending' | 'delivered' | 'failed';
export type AttemptTrigger = 'initial' | 'retry' | 'redeliver';
export type WebhookEventRow = WebhookEventsTable;
export type WebhookAttemptRow = WebhookAttemptsTable;

type WebhookDatabase = Database & { webhook_events: WebhookEventsTable; webhook_attempts: WebhookAttemptsTable };

/** An event leased to one worker for one attempt. */
export interface ClaimedEvent {
  event: WebhookEventRow;
  attempt: number;
  trigger: AttemptTrigger;
}

/** How an attempt ended and what the schedule says next (ignored if a redeliver started a new round meanwhile). */
export interface AttemptOutcome {
  started: number;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
  succeeded: boolean;
  /** Epoch ms of the next attempt, or null when there is none (delivered or given up). */
  nextAttemptAt: number | null;
}

const TERMINAL_STATES = ['completed', 'failed'] as const;
type TerminalState = (typeof TERMINAL_STATES)[number];

/** Not leased, or the lease ran out (its holder died). */
function leaseFree(now: number) {
  return (eb: ExpressionBuilder<WebhookDatabase, 'webhook_events'>) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]);
}

export class WebhookStore {
  private readonly db: Kysely<WebhookDatabase>;

  constructor(db: Kysely<Database>) {
    // Our tables live in the same database; the wider type is ours alone.
    this.db = db as unknown as Kysely<WebhookDatabase>;
  }

  /**
   * Creates the missing events of finished tasks that have a callback_url (updated at or after
   * `sinceSec`), derived from the task rows themselves: a crash between a task finishing and its
   * event being queued loses nothing, and the unique (task, type) pair makes it happen once.
   * Returns how many tasks were looked at (a full batch means there may be more).
   */
  async createMissingEvents(sinceSec: number, batch: number, now: number, make: { id: () => string; type: (state: TerminalState) => string }): Promise<number> {
    const tasks = await this.db
      .selectFrom('tasks')
      .select(['id', 'owner_key_id', 'state', 'callback_url'])
      .where('state', 'in', [...TERMINAL_STATES])
      .where('callback_url', 'is not', null)
      .where('updated', '>=', sinceSec)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('webhook_events').select('webhook_events.id').whereRef('webhook_events.task_id', '=', 'tasks.id'))))
      .limit(batch)
      .execute();
    for (const t of tasks) {
      await this.db
        .insertInto('webhook_events')
        .values({
          id: make.id(),
          task_id: t.id,
          owner_key_id: t.owner_key_id,
          event_type: make.type(t.state as TerminalState),
          url: t.callback_url as string,
          created: Math.floor(now / 1000),
          status: 'pending',
          round: 0,
          round_attempts: 0,
          attempt_count: 0,
          next_attempt_at: now,
          last_response_status: null,
          last_error: null,
          delivered_at: null,
          lease_owner: null,
          lease_until: null,
        })
        .onConflict((oc) => oc.columns(['task_id', 'event_type']).doNothing())
        .execute();
    }
    return tasks.length;
  }

  /**
   * Leases up to `limit` due events to `owner`. The update re-checks the lease, so when two nodes
   * pick the same rows only one wins each (PostgreSQL re-evaluates the condition after the row lock).
   */
  async claimDue(now: number, limit: number, owner: string, leaseMs: number): Promise<ClaimedEvent[]> {
    const free = leaseFree(now);
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('webhook_events')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where(free)
        .orderBy('next_attempt_at', 'asc')
        .limit(limit)
        .execute();
      if (due.length === 0) return [];
      const leaseUntil = now + leaseMs;
      const ids = due.map((r) => r.id);
      await trx.updateTable('webhook_events').set({ lease_owner: owner, lease_until: leaseUntil }).where('id', 'in', ids).where('status', '=', 'pending').where(free).execute();
      const rows = await trx.selectFrom('webhook_events').selectAll().where('id', 'in', ids).where('lease_owner', '=', owner).where('lease_until', '=', leaseUntil).execute();
      return rows.map((event) => ({
        event,
        attempt: event.attempt_count + 1,
        trigger: event.round_attempts > 0 ? 'retry' : event.round > 0 ? 'redeliver' : 'initial',
      }));
    });
  }

  /**
   * Logs the attempt and, if we still hold the lease, advances the event. When a redeliver started a
   * new round during the attempt, the round's own schedule (attempt now) is kept.
   */
  async recordAttempt(claimed: ClaimedEvent, owner: string, o: AttemptOutcome): Promise<void> {
    const e = claimed.event;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_attempts')
        .values({
          id: `wha_${randomBytes(12).toString('hex')}`,
          event_id: e.id,
          attempt: claimed.attempt,
          trigger: claimed.trigger,
          started: o.started,
          duration_ms: o.durationMs,
          response_status: o.responseStatus,
          error: o.error,
          succeeded: o.succeeded ? 1 : 0,
        })
        .execute();
      const held = await trx
        .updateTable('webhook_events')
        .set({
          attempt_count: sql`attempt_count + 1`,
          last_response_status: o.responseStatus,
          last_error: o.error,
          lease_owner: null,
          lease_until: null,
        })
        .where('id', '=', e.id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      if (Number(held.numUpdatedRows) === 0) return;
      const status: WebhookStatus = o.succeeded ? 'delivered' : o.nextAttemptAt === null ? 'failed' : 'pending';
      await trx
        .updateTable('webhook_events')
        .set({
          status,
          round_attempts: e.round_attempts + 1,
          next_attempt_at: status === 'pending' ? o.nextAttemptAt : null,
          ...(o.succeeded ? { delivered_at: o.started } : {}),
        })
        .where('id', '=', e.id)
        .where('round', '=', e.round)
        .execute();
    });
  }

  /** Frees what `owner` still holds (shutdown), due again at once. */
  async releaseLeases(owner: string): Promise<number> {
    const res = await this.db.updateTable('webhook_events').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Starts a new round for one of the key's events: an attempt now, then the schedule again. */
  async redeliver(id: string, ownerKeyId: string, now: number): Promise<WebhookEventRow | undefined> {
    const res = await this.db
      .updateTable('webhook_events')
      .set({ status: 'pending', next_attempt_at: now, round: sql`round + 1`, round_attempts: 0 })
      .where('id', '=', id)
      .where('owner_key_id', '=', ownerKeyId)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0 ? this.getForOwner(id, ownerKeyId) : undefined;
  }

  getForOwner(id: string, ownerKeyId: string): Promise<WebhookEventRow | undefined> {
    return this.db.selectFrom('webhook_events').selectAll().where('id', '=', id).where('owner_key_id', '=', ownerKeyId).executeTakeFirst();
  }

  /** The key's events, newest first; only one task's when taskId is given. */
  listForOwner(ownerKeyId: string, filter: { taskId?: string; limit: number }): Promise<WebhookEventRow[]> {
    let q = this.db.selectFrom('webhook_events').selectAll().where('owner_key_id', '=', ownerKeyId);
    if (filter.taskId !== undefined) q = q.where('task_id', '=', filter.taskId);
    return q.orderBy('created', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  }

  /** Attempts of the given events, oldest first. */
  async attemptsFor(eventIds: string[]): Promise<WebhookAttemptRow[]> {
    if (eventIds.length === 0) return [];
    return this.db.selectFrom('webhook_attempts').selectAll().where('event_id', 'in', eventIds).orderBy('event_id').orderBy('attempt').execute();
  }

  getTask(id: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The key's signing secret; keys from before webhooks get one on first use. */
  async signingSecret(keyId: string, generate: () => string): Promise<string | undefined> {
    const read = () => this.db.selectFrom('api_keys').select('webhook_secret').where('id', '=', keyId).executeTakeFirst();
    const row = await read();
    if (!row) return undefined;
    if (row.webhook_secret) return row.webhook_secret;
    await this.db.updateTable('api_keys').set({ webhook_secret: generate() }).where('id', '=', keyId).where('webhook_secret', 'is', null).execute();
    return (await read())?.webhook_secret ?? undefined;
  }

  /** Replaces the key's signing secret; every later attempt (retries included) uses the new one. */
  async rotateSecret(keyId: string, secret: string): Promise<boolean> {
    const res = await this.db.updateTable('api_keys').set({ webhook_secret: secret }).where('id', '=', keyId).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
