import { sql, type Kysely } from 'kysely';
import { roundUsd, settledUsd } from '../contract/money.js';
import { eventTypeFor, newMessageId } from '../contract/webhook-events.js';
import { changed, num, type Db } from './db.js';
import { budgetRefusal, type CreateSeed, createSeed, createTasks, type IdempotencyClaim, newTaskRow, type StoredOutcome } from './create-task.js';
import { type Batching, GroupCommit, ItemFailed } from './group-commit.js';
import { kyselyCreateOps } from './kysely-create.js';
import { endReservation, plusUsd, writeLedger } from './ledger.js';
import { ledgerEntry } from './ledger-entry.js';
import { CHANNEL_COUNTS, LANE_QUEUE, submitPartition, WEBHOOK_QUEUE } from './queues.js';
import { patchColumns, toTask } from './mappers.js';
import type { Database, TasksTable } from './schema.js';
import { TaskCache } from './task-cache.js';
import {
  IN_FLIGHT_STATES,
  isTerminal,
  PRE_CHANNEL_PIN,
  type Admission,
  type ClaimedTask,
  type ClaimOptions,
  type CreateOutcome,
  type Lane,
  type NewTask,
  type RepriceOutcome,
  type Task,
  type TaskFailure,
  type TaskListFilter,
  type TaskRepository,
  type TaskState,
  type TaskTransition,
} from './types.js';
import type { PartitionHead, WorkItem, WorkQueue } from './work-queue.js';

const PUBLIC_STATES: Record<NonNullable<TaskListFilter['status']>, TaskState[]> = {
  pending: ['pending', 'submitting'],
  processing: ['processing', 'finishing'],
  completed: ['completed'],
  failed: ['failed'],
};

const hasFields = (patch: object | undefined) => patch !== undefined && Object.values(patch).some((v) => v !== undefined);

const inFlight = (s: TaskState) => (IN_FLIGHT_STATES.includes(s) ? 1 : 0);

/** Pins counted in a channel's jobs in flight (a pin from before channels was never counted). */
const countsOnChannel = (id: string | null): id is string => id !== null && id !== PRE_CHANNEL_PIN;

/** Thrown inside a transaction to undo it when a guard no longer holds. */
class GuardFailed extends Error {}

/**
 * Runs a batch of creates (createTasks) in one write transaction, resolved once it is durable: one
 * outcome per job, in order. Throws only when nothing was committed; an outcome that is an
 * ItemFailed is that job's error (its writes may or may not have committed: it is not run again).
 */
export type CreateBatch = (seeds: CreateSeed[]) => Promise<(StoredOutcome | ItemFailed)[]>;

/** A create waiting for its batch: its seed, and the request it was made from (its task's, unparsed). */
type PendingCreate = { seed: CreateSeed; request: Task['request'] };

export class SqlTaskRepository implements TaskRepository {
  private readonly creates: GroupCommit<PendingCreate, CreateOutcome>;
  private readonly createBatch: CreateBatch;
  readonly cache = new TaskCache();

  constructor(
    private readonly db: Db,
    private readonly queue: WorkQueue,
    /** SQLite: a prepared statement for the hot read (Kysely's query building would be most of its cost). */
    private readonly fastRow?: (id: string) => TasksTable | undefined,
    /** `elsewhere`: heard from another node or thread, not written here. */
    private readonly onChange: (id: string, elsewhere: boolean) => void = () => undefined,
    /** Runs creates in one write transaction (SQLite: prepared statements, in a writer thread or not; default: Kysely). */
    createBatch?: CreateBatch,
    /** How creates are batched (GroupCommit's options; default: one batch at a time, of up to 256). */
    createBatching: Batching = {},
  ) {
    this.createBatch = createBatch ?? ((seeds) => this.db.tx((trx) => createTasks(kyselyCreateOps(trx, this.queue), seeds)));
    this.creates = new GroupCommit((items) => this.createMany(items), createBatching);
  }

  async get(id: string, opts?: { fresh?: boolean }): Promise<Task | undefined> {
    const hit = opts?.fresh ? undefined : this.cache.get(id);
    if (hit) return hit;
    const row = this.fastRow ? this.fastRow(id) : await this.db.kysely.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const task = toTask(row);
    this.cache.put(task);
    return task;
  }

  private changedTask(id: string, elsewhere = false): void {
    this.cache.evict(id);
    this.onChange(id, elsewhere);
  }

  async listForOwner(ownerKeyId: string, f: TaskListFilter): Promise<Task[]> {
    let q = this.db.kysely.selectFrom('tasks').selectAll().where('owner_key_id', '=', ownerKeyId);
    if (f.status) q = q.where('state', 'in', PUBLIC_STATES[f.status]);
    if (f.model) q = q.where('model', '=', f.model);
    if (f.hideDeleted) q = q.where('deleted_ms', 'is', null);
    const dir = f.order === 'asc' ? 'asc' : 'desc';
    const past = dir === 'asc' ? '>' : '<';
    if (f.after) {
      const cursor = await this.db.kysely.selectFrom('tasks').select(['created_ms', 'id']).where('id', '=', f.after).where('owner_key_id', '=', ownerKeyId).executeTakeFirst();
      if (!cursor) return [];
      const at = num(cursor.created_ms);
      q = q.where((eb) => eb.or([eb('created_ms', past, at), eb.and([eb('created_ms', '=', at), eb('id', past, cursor.id)])]));
    }
    const rows = await q.orderBy('created_ms', dir).orderBy('id', dir).limit(f.limit).execute();
    return rows.map((r) => toTask(r));
  }

  create(task: NewTask, idem?: IdempotencyClaim): Promise<CreateOutcome> {
    return this.creates.submit({ seed: createSeed(task, idem), request: task.request });
  }

  /** One transaction for every create that arrived together; each gets its own outcome. */
  private async createMany(items: PendingCreate[]): Promise<(CreateOutcome | ItemFailed)[]> {
    const out = await this.createBatch(items.map((i) => i.seed));
    // A created task is the row createJob builds from the same seed, built here rather than sent
    // back (with the request it was made from rather than its JSON parsed again).
    return out.map((o, i) => (!(o instanceof ItemFailed) && o.kind === 'created' ? { kind: 'created', task: toTask(newTaskRow(items[i].seed), items[i].request) } : o));
  }

  async claim(lane: Lane, o: ClaimOptions): Promise<ClaimedTask[]> {
    // Submissions are claimed fairly (claimPending); here only those whose holder died mid-call.
    const items = await this.queue.claim(LANE_QUEUE[lane], o, lane === 'submit');
    return this.withTasks(lane, items);
  }

  private async withTasks(lane: Lane, items: WorkItem[]): Promise<ClaimedTask[]> {
    if (items.length === 0) return [];
    const rows = await this.db.kysely
      .selectFrom('tasks')
      .selectAll()
      .where(
        'id',
        'in',
        items.map((i) => i.item_id),
      )
      .execute();
    const byId = new Map(rows.map((r) => [r.id, toTask(r)]));
    const out: ClaimedTask[] = [];
    for (const item of items) {
      const task = byId.get(item.item_id);
      if (task) out.push({ task, lane, attempts: item.attempts });
    }
    return out;
  }

  async claimPending(o: ClaimOptions & { admission: Admission }): Promise<ClaimedTask[]> {
    const policy = { admit: (h: PartitionHead, n: number) => o.admission.admit(h.group_key, n), refund: (h: PartitionHead) => o.admission.refund(h.group_key) };
    const items = await this.queue.claimFair(LANE_QUEUE.submit, o, policy, async (trx, claimed) => {
      if (claimed.length === 0) return [];
      const ids = claimed.map((c) => c.item_id);
      // Claimed means submitting: persisted before any upstream call, so a crash mid-call is visible.
      const moved: { id: string; provider: string; owner_key_id: string }[] = [];
      // By primary key, one at a time: `id IN (…) AND state = 'pending'` could be planned as a walk
      // of the state index over every pending task.
      for (const id of ids) {
        const row = await trx
          .updateTable('tasks')
          .set({ state: 'submitting', updated_ms: o.now_ms, version: sql`version + 1` })
          .where('id', '=', id)
          .where('state', '=', 'pending')
          .returning(['id', 'provider', 'owner_key_id'])
          .executeTakeFirst();
        if (row) moved.push(row);
      }
      for (const m of moved) await this.queue.addInFlight(trx, LANE_QUEUE.submit, submitPartition(m), m.provider, 1);
      await this.db.notifyTaskChanges(
        trx,
        moved.map((m) => m.id),
      );
      const ok = new Set(moved.map((m) => m.id));
      // A task cancelled meanwhile leaves the queue instead of being submitted.
      return claimed.filter((c) => !ok.has(c.item_id));
    });
    for (const i of items) this.changedTask(i.item_id);
    return this.withTasks('submit', items);
  }

  async pinChannel(claimed: ClaimedTask, owner: string, channelId: string, cap: number | undefined): Promise<'pinned' | 'full' | 'lost'> {
    const t = claimed.task;
    try {
      return await this.db.tx(async (trx) => {
        // Lock order as everywhere: the queue item, the task row, then partition rows.
        if (!(await this.queue.holds(trx, LANE_QUEUE.submit, t.id, owner))) return 'lost';
        let q = trx.selectFrom('tasks').select('channel_id').where('id', '=', t.id).where('state', '=', 'submitting');
        if (this.db.dialect === 'postgres') q = q.forUpdate();
        const row = await q.executeTakeFirst();
        if (!row) return 'lost';
        if (row.channel_id === channelId) return 'pinned';
        if (!(await this.queue.addInFlightBelow(trx, CHANNEL_COUNTS, channelId, t.provider, cap))) return 'full';
        if (countsOnChannel(row.channel_id)) await this.queue.addInFlight(trx, CHANNEL_COUNTS, row.channel_id, t.provider, -1);
        await trx.updateTable('tasks').set({ channel_id: channelId }).where('id', '=', t.id).execute();
        return 'pinned';
      });
    } finally {
      this.cache.evict(t.id);
    }
  }

  async inFlightByChannel(): Promise<Record<string, number>> {
    return this.queue.inFlightByPartition(CHANNEL_COUNTS);
  }

  async reprice(claimed: ClaimedTask, owner: string, estimateUsd: number, now_ms: number): Promise<RepriceOutcome> {
    const t = claimed.task;
    try {
      return await this.db.tx(async (trx): Promise<RepriceOutcome> => {
        // Lock order as everywhere: the queue item, the task row, then the key's row.
        if (!(await this.queue.holds(trx, LANE_QUEUE.submit, t.id, owner))) return { kind: 'lost' };
        let q = trx.selectFrom('tasks').select('estimated_cost_usd').where('id', '=', t.id).where('state', '=', 'submitting');
        if (this.db.dialect === 'postgres') q = q.forUpdate();
        const row = await q.executeTakeFirst();
        if (!row) return { kind: 'lost' };
        const target = roundUsd(estimateUsd);
        const delta = roundUsd(target - num(row.estimated_cost_usd));
        if (delta === 0) return { kind: 'reserved', reservedUsd: target };
        if (delta > 0) {
          // A raise is checked exactly like a create's reservation (the same conditional update).
          const ops = kyselyCreateOps(trx, this.queue);
          if (!(await ops.reserve(t.owner_key_id, delta))) return budgetRefusal(await ops.budget(t.owner_key_id), delta);
        } else {
          await trx
            .updateTable('api_keys')
            .set({ reserved_usd: plusUsd('reserved_usd', delta) })
            .where('id', '=', t.owner_key_id)
            .execute();
        }
        await trx.updateTable('tasks').set({ estimated_cost_usd: target, updated_ms: now_ms, version: sql`version + 1` }).where('id', '=', t.id).execute();
        await writeLedger(trx, ledgerEntry(t.owner_key_id, t.id, delta > 0 ? 'reserve' : 'release', Math.abs(delta), t.model, now_ms));
        await this.db.notifyTaskChanges(trx, [t.id]);
        return { kind: 'reserved', reservedUsd: target };
      });
    } finally {
      this.changedTask(t.id);
    }
  }

  async transition(claimed: ClaimedTask, owner: string, change: TaskTransition, now_ms: number): Promise<boolean> {
    const t = claimed.task;
    let unchanged = false;
    try {
      await this.db.tx(async (trx) => {
        const queue = LANE_QUEUE[claimed.lane];
        const stays = change.next !== null && change.next.lane === claimed.lane;
        // A submission that stays in flight is resumed by recovery, never claimed as new work.
        const held = stays ? await this.queue.reschedule(trx, queue, t.id, owner, change.next!.due_ms, change.next!.attempts, change.to === 'submitting') : await this.queue.remove(trx, queue, t.id, owner);
        if (!held) throw new GuardFailed();
        // Nothing about the task itself changed (a poll that found it still running): only its next
        // step moved. The item's lease was the guard; the row, its version and waiters stay as they are.
        if (change.from === change.to && !hasFields(change.patch)) {
          unchanged = true;
          return;
        }
        await this.applyChange(trx, t, change.from, change.to, change, now_ms);
        await this.db.notifyTaskChanges(trx, [t.id]);
        if (change.next && !stays) {
          const lane = change.next.lane;
          await this.queue.enqueue(trx, {
            queue: LANE_QUEUE[lane],
            item_id: t.id,
            partition_key: lane === 'submit' ? submitPartition(t) : '',
            group_key: t.provider,
            due_ms: change.next.due_ms,
            attempts: change.next.attempts,
          });
        }
      });
    } catch (err) {
      if (err instanceof GuardFailed) return false;
      throw err;
    } finally {
      if (!unchanged) this.changedTask(t.id);
    }
    return true;
  }

  /** The task row, in-flight count, ledger and webhook event of one state change (caller's transaction). */
  private async applyChange(trx: Kysely<Database>, t: Task, from: TaskState, to: TaskState, change: Pick<TaskTransition, 'patch'>, now_ms: number): Promise<void> {
    const ends = isTerminal(to) && !isTerminal(from);
    // What the task holds now (a submission may have re-priced it since `t` was read).
    const reserved = ends ? await this.reservedFor(trx, t.id) : 0;
    const patch = to === 'completed' ? { ...change.patch, cost_usd: settledUsd(change.patch?.cost_usd ?? 0, reserved) } : (change.patch ?? {});
    const columns: Partial<TasksTable> = { ...patchColumns(patch), state: to, updated_ms: now_ms };
    // A task leaving flight no longer counts on its channel; one back in pending holds none (it is routed afresh).
    const pinned = inFlight(from) > inFlight(to) ? ((await trx.selectFrom('tasks').select('channel_id').where('id', '=', t.id).executeTakeFirst())?.channel_id ?? null) : null;
    if (to === 'pending') columns.channel_id = null;
    const settle = to === 'completed' ? ledgerEntry(t.owner_key_id, t.id, 'settle', patch.cost_usd ?? 0, t.model, now_ms) : null;
    if (settle) columns.billing_transaction_id = settle.id;
    const res = await trx
      .updateTable('tasks')
      .set({ ...columns, version: sql`version + 1` })
      .where('id', '=', t.id)
      .where('state', '=', from)
      .executeTakeFirst();
    if (changed(res) === 0) throw new GuardFailed();
    // Lock order, the same as create's: the key's row (reservation) before the partition's (in
    // flight). The other way round, a task ending and a create of the same key and provider on
    // another connection deadlock on PostgreSQL (test/store/lock-order.test.ts).
    if (ends) await endReservation(trx, settle ?? ledgerEntry(t.owner_key_id, t.id, 'release', reserved, t.model, now_ms), reserved);
    await this.queue.addInFlight(trx, LANE_QUEUE.submit, submitPartition(t), t.provider, inFlight(to) - inFlight(from));
    if (countsOnChannel(pinned)) await this.queue.addInFlight(trx, CHANNEL_COUNTS, pinned, t.provider, -1);
    if (ends && t.callback_url) await this.queueWebhook(trx, t, to as 'completed' | 'failed', now_ms);
  }

  private async reservedFor(trx: Kysely<Database>, id: string): Promise<number> {
    let q = trx.selectFrom('tasks').select('estimated_cost_usd').where('id', '=', id);
    if (this.db.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? num(row.estimated_cost_usd) : 0;
  }

  /** The task's completed/failed event, in the transaction that finishes it: nothing is lost in between. */
  private async queueWebhook(trx: Kysely<Database>, t: Task, state: 'completed' | 'failed', now_ms: number): Promise<void> {
    const id = newMessageId();
    const res = await trx
      .insertInto('webhook_events')
      .values({
        id,
        task_id: t.id,
        owner_key_id: t.owner_key_id,
        event_type: eventTypeFor(state),
        url: t.callback_url!,
        created_ms: now_ms,
        status: 'pending',
        round: 0,
        round_attempts: 0,
        attempt_count: 0,
        next_attempt_ms: now_ms,
        last_response_status: null,
        last_error: null,
        delivered_ms: null,
      })
      .onConflict((oc) => oc.columns(['task_id', 'event_type']).doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 0) return;
    await this.queue.enqueue(trx, { queue: WEBHOOK_QUEUE, item_id: id, partition_key: t.owner_key_id, due_ms: now_ms });
  }

  async cancel(id: string, from: 'pending' | 'processing', failure: TaskFailure, now_ms: number): Promise<boolean> {
    const task = await this.get(id);
    if (!task || task.state !== from) return false;
    try {
      await this.db.tx(async (trx) => {
        // Whoever holds the item loses it: their later commit finds no lease and is dropped. The
        // item first, then the task row: the order claims and engine steps lock them in, so a cancel
        // racing them on another connection waits instead of deadlocking (test/store/lock-order.test.ts).
        await this.queue.remove(trx, LANE_QUEUE[from === 'pending' ? 'submit' : 'poll'], id);
        await this.applyChange(trx, task, from, 'failed', { patch: { cancelled: true, error: failure, progress: null } }, now_ms);
        await this.db.notifyTaskChanges(trx, [id]);
      });
    } catch (err) {
      if (err instanceof GuardFailed) return false;
      throw err;
    } finally {
      this.changedTask(id);
    }
    return true;
  }

  async extendLeases(lane: Lane, ids: string[], owner: string, until_ms: number): Promise<number> {
    return this.queue.extend(LANE_QUEUE[lane], ids, owner, until_ms);
  }

  async releaseLeases(owner: string, now_ms: number): Promise<number> {
    // A submission still in flight keeps its lease (and expires into recovery): handing it over now
    // would let another node decide about a create whose answer has not come back yet.
    return this.queue.release([LANE_QUEUE.poll, LANE_QUEUE.finish], owner, now_ms);
  }

  inFlightByProvider(): Promise<Record<string, number>> {
    return this.queue.inFlightByGroup(undefined, LANE_QUEUE.submit);
  }

  async expiredOutputs(completedBefore_ms: number, limit: number): Promise<Task[]> {
    const rows = await this.db.kysely
      .selectFrom('tasks')
      .selectAll()
      .where('video_blob', 'is not', null)
      .where('completed_ms', '<', completedBefore_ms)
      .where('state', '=', 'completed')
      .orderBy('completed_ms')
      .limit(limit)
      .execute();
    return rows.map((r) => toTask(r));
  }

  markOutputExpired(id: string, now_ms: number): Promise<boolean> {
    return this.stampFinished(id, now_ms, { video_blob: null, output_expired_ms: now_ms }, ['completed']);
  }

  markDeleted(id: string, now_ms: number): Promise<boolean> {
    return this.stampFinished(id, now_ms, { deleted_ms: now_ms }, ['completed', 'failed'], 'deleted_ms');
  }

  /** One guarded update of a finished task (only in `states`; only once when `once` is still null), with its change notice. */
  private async stampFinished(id: string, now_ms: number, set: Partial<TasksTable>, states: TaskState[], once?: 'deleted_ms'): Promise<boolean> {
    const n = await this.db.tx(async (trx) => {
      let q = trx
        .updateTable('tasks')
        .set({ ...set, updated_ms: now_ms, version: sql`version + 1` })
        .where('id', '=', id)
        .where('state', 'in', states);
      if (once) q = q.where(once, 'is', null);
      const res = await q.executeTakeFirst();
      await this.db.notifyTaskChanges(trx, [id]);
      return changed(res);
    });
    this.changedTask(id);
    return n > 0;
  }

  /** A change made elsewhere (another node or thread): forget the cached copy, tell local waiters. */
  changedElsewhere(id: string): void {
    this.changedTask(id, true);
  }

  async countActiveByState(): Promise<Record<string, number>> {
    const rows = await this.db.kysely
      .selectFrom('tasks')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', 'in', ['pending', 'submitting', 'processing', 'finishing'])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, num(r.n)]));
  }
}
