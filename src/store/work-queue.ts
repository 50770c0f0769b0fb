import { sql, type Kysely } from 'kysely';
import { changed, num, type Db } from './db.js';
import type { Database, WorkItemsTable } from './schema.js';

/** A partition with nothing unleased waits "forever": larger than any real due time. */
export const FAR_FUTURE_MS = 9e15;

/** An item as claims return it (the row, with numbers as numbers). */
export type WorkItem = WorkItemsTable;

export interface NewWorkItem {
  queue: string;
  item_id: string;
  partition_key?: string;
  group_key?: string;
  due_ms: number;
  attempts?: number;
}

export interface LeaseOptions {
  now_ms: number;
  limit: number;
  owner: string;
  lease_ms: number;
}

/** A ready partition as fair claims see it. */
export interface PartitionHead {
  partition_key: string;
  group_key: string;
  in_flight: number;
  served_ms: number;
}

/** How a fair claim is steered: whether a partition may take one more item now. */
export interface FairPolicy {
  /** `groupInFlight`: the partition's group's in-flight count right now, including earlier picks of this claim. */
  admit(head: PartitionHead, groupInFlight: number): boolean;
  /** Gives back an admission that found no item to claim. */
  refund(head: PartitionHead): void;
}

function toItem(r: WorkItemsTable): WorkItem {
  return { ...r, due_ms: num(r.due_ms), attempts: num(r.attempts) };
}

/** A plain claim's pick (WorkQueue.claim; exported for its plan's test). */
export function duePick(db: Kysely<Database>, queue: string, o: Pick<LeaseOptions, 'now_ms' | 'limit'>, leasedOnly: boolean) {
  const pick = db.selectFrom('work_items').select('item_id').where('queue', '=', queue).where('due_ms', '<=', o.now_ms);
  // Each way has a partial index holding only its rows (migrations 007, 012). Its condition as a
  // literal: a plan made for any parameter value (PostgreSQL's generic plans) could not use it.
  return (leasedOnly ? pick.where('lease_owner', 'is not', null) : pick.where('partition_key', '=', sql.lit(''))).orderBy('due_ms').limit(o.limit);
}

/**
 * One leased work queue for everything that runs in the background (the engine's lanes, webhook
 * delivery), in the style of graphile-worker: a small vocabulary of SQL verbs.
 * - An item is claimable once `due_ms` has passed; a claim leases it by setting `lease_owner` and
 *   moving `due_ms` to the lease's end, so a holder that dies frees it without any sweeper.
 * - Fair queues keep a row per partition (e.g. provider + API key, or API key) with a lower bound
 *   of its earliest unleased due time: a fair claim reads a few partition rows and then each chosen
 *   partition's head through an index — its cost follows the work claimed, never the backlog.
 * - On PostgreSQL claims use FOR UPDATE SKIP LOCKED, and fair claims of one queue take turns
 *   across nodes (a transaction-scoped advisory lock), so capacity checks are exact.
 * Verbs that change an item together with other rows take the caller's transaction.
 */
export class WorkQueue {
  constructor(
    private readonly db: Db,
    private readonly fairQueues: ReadonlySet<string>,
  ) {}

  private isFair(queue: string): boolean {
    return this.fairQueues.has(queue);
  }

  /** Adds an item (in the caller's transaction); a fair queue's partition learns its new head. */
  async enqueue(trx: Kysely<Database>, item: NewWorkItem): Promise<void> {
    const fair = this.isFair(item.queue);
    // Plain claims see only unpartitioned items: a partition on another queue would never be claimed.
    if (!fair && item.partition_key) throw new Error(`work queue ${item.queue} has no partitions (got ${item.partition_key})`);
    const row = { queue: item.queue, item_id: item.item_id, partition_key: item.partition_key ?? '', group_key: item.group_key ?? '', due_ms: item.due_ms, lease_owner: null, attempts: item.attempts ?? 0 };
    // Partition first: its row lock orders us before a concurrent fair claim's head recompute.
    if (fair) await this.lowerHead(trx, row.queue, row.partition_key, row.group_key, row.due_ms);
    await trx.insertInto('work_items').values(row).execute();
  }

  /**
   * The partition's head becomes `due` if that is earlier. A head already earlier (the usual case:
   * a backlog's head is its oldest item) is not written at all — an unconditional `SET head = min(…)`
   * rewrote the row and its `work_partitions_ready` entry with the same value, three B-tree pages
   * a transaction on SQLite. PostgreSQL still locks the row when the WHERE is false (its
   * `ON CONFLICT DO UPDATE` locks every conflicting row), which the ordering above relies on.
   */
  private async lowerHead(trx: Kysely<Database>, queue: string, partition: string, group: string, due: number): Promise<void> {
    await trx
      .insertInto('work_partitions')
      .values({ queue, partition_key: partition, group_key: group, head_due_ms: due, served_ms: 0, in_flight: 0 })
      .onConflict((oc) =>
        oc
          .columns(['queue', 'partition_key'])
          .doUpdateSet({ head_due_ms: (eb) => eb.ref('excluded.head_due_ms') })
          .where('excluded.head_due_ms', '<', (eb) => eb.ref('work_partitions.head_due_ms')),
      )
      .execute();
  }

  /** Removes an item; with `owner`, only while that owner holds its lease. Returns whether it was there. */
  async remove(trx: Kysely<Database>, queue: string, itemId: string, owner?: string): Promise<boolean> {
    let q = trx.deleteFrom('work_items').where('queue', '=', queue).where('item_id', '=', itemId);
    if (owner !== undefined) q = q.where('lease_owner', '=', owner);
    return changed(await q.executeTakeFirst()) > 0;
  }

  /**
   * Ends the owner's lease and makes the item due again at `due_ms` (a retry, the next poll).
   * `keepLease`: the item stays marked as held (so fair claims never take it) but becomes claimable
   * by lease-expiry claims at `due_ms` — work to resume, not to start. Returns false when the owner
   * no longer holds it (it was taken over or removed).
   */
  async reschedule(trx: Kysely<Database>, queue: string, itemId: string, owner: string, due_ms: number, attempts: number, keepLease = false): Promise<boolean> {
    if (this.isFair(queue) && !keepLease) {
      const held = await trx.selectFrom('work_items').select(['partition_key', 'group_key']).where('queue', '=', queue).where('item_id', '=', itemId).where('lease_owner', '=', owner).executeTakeFirst();
      if (!held) return false;
      await this.lowerHead(trx, queue, held.partition_key, held.group_key, due_ms);
    }
    const res = await trx
      .updateTable('work_items')
      .set({ due_ms, lease_owner: keepLease ? owner : null, attempts })
      .where('queue', '=', queue)
      .where('item_id', '=', itemId)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return changed(res) > 0;
  }

  /**
   * Makes an unleased item due no later than `due_ms` (e.g. an upstream callback asks for a poll
   * now). A leased item is left alone: its due time is its lease. Returns whether it moved.
   */
  async expedite(trx: Kysely<Database> | undefined, queue: string, itemId: string, due_ms: number): Promise<boolean> {
    const run = async (db: Kysely<Database>) => {
      const item = await db.selectFrom('work_items').select(['partition_key', 'group_key', 'due_ms', 'lease_owner']).where('queue', '=', queue).where('item_id', '=', itemId).executeTakeFirst();
      if (!item || item.lease_owner !== null || num(item.due_ms) <= due_ms) return false;
      if (this.isFair(queue)) await this.lowerHead(db, queue, item.partition_key, item.group_key, due_ms);
      const res = await db.updateTable('work_items').set({ due_ms }).where('queue', '=', queue).where('item_id', '=', itemId).where('lease_owner', 'is', null).executeTakeFirst();
      return changed(res) > 0;
    };
    return trx ? run(trx) : this.db.tx(run);
  }

  /** Whether `owner` holds the item's lease, locking the item until the caller's transaction ends. */
  async holds(trx: Kysely<Database>, queue: string, itemId: string, owner: string): Promise<boolean> {
    let q = trx.selectFrom('work_items').select('item_id').where('queue', '=', queue).where('item_id', '=', itemId).where('lease_owner', '=', owner);
    if (this.db.dialect === 'postgres') q = q.forUpdate();
    return (await q.executeTakeFirst()) !== undefined;
  }

  async get(queue: string, itemId: string): Promise<WorkItem | undefined> {
    const r = await this.db.kysely.selectFrom('work_items').selectAll().where('queue', '=', queue).where('item_id', '=', itemId).executeTakeFirst();
    return r ? toItem(r) : undefined;
  }

  /** Counts toward a partition's in-flight number (kept by the caller's state changes). */
  async addInFlight(trx: Kysely<Database>, queue: string, partition: string, group: string, delta: number): Promise<void> {
    if (delta === 0) return;
    await trx
      .insertInto('work_partitions')
      .values({ queue, partition_key: partition, group_key: group, head_due_ms: FAR_FUTURE_MS, served_ms: 0, in_flight: Math.max(0, delta) })
      .onConflict((oc) => oc.columns(['queue', 'partition_key']).doUpdateSet({ in_flight: sql`work_partitions.in_flight + ${delta}` }))
      .execute();
  }

  /**
   * Counts one more in flight on a partition unless that would pass `cap` (exact across nodes: one
   * conditional update). Returns whether it was counted.
   */
  async addInFlightBelow(trx: Kysely<Database>, queue: string, partition: string, group: string, cap: number | undefined): Promise<boolean> {
    await trx
      .insertInto('work_partitions')
      .values({ queue, partition_key: partition, group_key: group, head_due_ms: FAR_FUTURE_MS, served_ms: 0, in_flight: 0 })
      .onConflict((oc) => oc.columns(['queue', 'partition_key']).doNothing())
      .execute();
    let q = trx.updateTable('work_partitions').set({ in_flight: sql`in_flight + 1` }).where('queue', '=', queue).where('partition_key', '=', partition);
    if (cap !== undefined) q = q.where('in_flight', '<', cap);
    return changed(await q.executeTakeFirst()) > 0;
  }

  /** In flight per partition of a queue (only partitions with something in flight are read). */
  async inFlightByPartition(queue: string): Promise<Record<string, number>> {
    const rows = await this.db.kysely.selectFrom('work_partitions').select(['partition_key', 'in_flight']).where('queue', '=', queue).where('in_flight', '>', 0).execute();
    return Object.fromEntries(rows.map((r) => [r.partition_key, num(r.in_flight)]));
  }

  /** In flight per group of a fair queue (only partitions with something in flight are read). */
  async inFlightByGroup(db: Kysely<Database> = this.db.kysely, queue: string): Promise<Record<string, number>> {
    const rows = await db
      .selectFrom('work_partitions')
      .select(['group_key', (eb) => eb.fn.sum<number>('in_flight').as('n')])
      .where('queue', '=', queue)
      .where('in_flight', '>', 0)
      .groupBy('group_key')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.group_key, num(r.n)]));
  }

  /**
   * Leases up to `limit` due items of a queue without partitions (polls, downloads), earliest
   * first. `leasedOnly`: instead, only items whose lease ran out (their holder died), on any queue —
   * e.g. submissions to recover; a fair queue's unleased items are claimFair's.
   */
  async claim(queue: string, o: LeaseOptions, leasedOnly = false): Promise<WorkItem[]> {
    if (!leasedOnly && this.isFair(queue)) throw new Error(`work queue ${queue} is fair: its items are claimed by claimFair`);
    return this.db.tx(async (trx) => {
      let pick = duePick(trx, queue, o, leasedOnly);
      if (this.db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
      const ids = (await pick.execute()).map((r) => r.item_id);
      return this.lease(trx, queue, ids, o);
    });
  }

  private async lease(trx: Kysely<Database>, queue: string, ids: string[], o: LeaseOptions): Promise<WorkItem[]> {
    const leased: WorkItem[] = [];
    // One primary-key update per item: an `IN` list next to `due_ms <=` can lead a planner
    // (SQLite's, without statistics) to walk the due-time index over the whole backlog instead.
    for (const id of ids) {
      const row = await trx
        .updateTable('work_items')
        .set({ lease_owner: o.owner, due_ms: o.now_ms + o.lease_ms })
        .where('queue', '=', queue)
        .where('item_id', '=', id)
        .where('due_ms', '<=', o.now_ms)
        .returningAll()
        .executeTakeFirst();
      if (row) leased.push(toItem(row));
    }
    return leased;
  }

  /**
   * Leases up to `limit` unleased due items of a fair queue, round-robin across ready partitions:
   * the partition with the least in flight first, then the one served least recently. `policy`
   * admits each pick by group; `onClaimed` runs in the same transaction (e.g. to change the items'
   * subjects), and may return items that must not stay claimed: those are removed from the queue.
   */
  async claimFair(queue: string, o: LeaseOptions, policy: FairPolicy, onClaimed?: (trx: Kysely<Database>, items: WorkItem[]) => Promise<WorkItem[]>): Promise<WorkItem[]> {
    return this.db.tx(async (trx) => {
      if (this.db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`vidgate.fair.${queue}`}))`.execute(trx);
      const heads = await trx
        .selectFrom('work_partitions')
        .select(['partition_key', 'group_key', 'in_flight', 'served_ms'])
        .where('queue', '=', queue)
        .where('head_due_ms', '<=', o.now_ms)
        .orderBy('in_flight')
        .orderBy('served_ms')
        .limit(Math.min(512, Math.max(32, o.limit * 4)))
        .execute();
      if (heads.length === 0) return [];
      const inFlight = await this.inFlightByGroup(trx, queue);
      const plan = planFair(
        heads.map((h) => ({ ...h, in_flight: num(h.in_flight), served_ms: num(h.served_ms) })),
        o.limit,
        (head) => {
          const ok = policy.admit(head, inFlight[head.group_key] ?? 0);
          if (ok) inFlight[head.group_key] = (inFlight[head.group_key] ?? 0) + 1;
          return ok;
        },
      );
      const claimed: WorkItem[] = [];
      for (const [head, n] of plan) {
        let pick = trx
          .selectFrom('work_items')
          .select('item_id')
          .where('queue', '=', queue)
          .where('partition_key', '=', head.partition_key)
          .where('lease_owner', 'is', null)
          .where('due_ms', '<=', o.now_ms)
          .orderBy('due_ms')
          .limit(n);
        if (this.db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
        const ids = (await pick.execute()).map((r) => r.item_id);
        for (let i = ids.length; i < n; i++) policy.refund(head);
        claimed.push(...(await this.lease(trx, queue, ids, o)));
        await this.refreshHead(trx, queue, head.partition_key, o.now_ms);
      }
      const dropped = onClaimed ? await onClaimed(trx, claimed) : [];
      for (const d of dropped) await this.remove(trx, queue, d.item_id);
      const droppedIds = new Set(dropped.map((d) => d.item_id));
      return claimed.filter((c) => !droppedIds.has(c.item_id));
    });
  }

  /** Sets a partition's head to its earliest unleased due time, after locking the partition row. */
  private async refreshHead(trx: Kysely<Database>, queue: string, partition: string, now: number): Promise<void> {
    let lock = trx.selectFrom('work_partitions').select('queue').where('queue', '=', queue).where('partition_key', '=', partition);
    if (this.db.dialect === 'postgres') lock = lock.forUpdate();
    await lock.execute();
    // A fresh statement after the lock: it sees anything an enqueue committed while we waited.
    const next = await trx.selectFrom('work_items').select('due_ms').where('queue', '=', queue).where('partition_key', '=', partition).where('lease_owner', 'is', null).orderBy('due_ms').limit(1).executeTakeFirst();
    await trx
      .updateTable('work_partitions')
      .set({ head_due_ms: next ? num(next.due_ms) : FAR_FUTURE_MS, served_ms: now })
      .where('queue', '=', queue)
      .where('partition_key', '=', partition)
      .execute();
  }

  /** Pushes out the leases `owner` holds on these items (a heartbeat while their work runs). */
  async extend(queue: string, ids: string[], owner: string, until_ms: number): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.db.tx((trx) => trx.updateTable('work_items').set({ due_ms: until_ms }).where('queue', '=', queue).where('item_id', 'in', ids).where('lease_owner', '=', owner).executeTakeFirst());
    return changed(res);
  }

  /** Frees what `owner` holds in these queues (shutdown): due again now. */
  async release(queues: string[], owner: string, now_ms: number): Promise<number> {
    return this.db.tx(async (trx) => {
      let n = 0;
      for (const queue of queues) {
        const held = await trx.selectFrom('work_items').select(['partition_key', 'group_key']).where('queue', '=', queue).where('lease_owner', '=', owner).execute();
        if (held.length === 0) continue;
        if (this.isFair(queue)) for (const h of uniqueBy(held, (x) => x.partition_key)) await this.lowerHead(trx, queue, h.partition_key, h.group_key, now_ms);
        n += changed(await trx.updateTable('work_items').set({ lease_owner: null, due_ms: now_ms }).where('queue', '=', queue).where('lease_owner', '=', owner).executeTakeFirst());
      }
      return n;
    });
  }
}

function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const t of list) if (!seen.has(key(t))) seen.set(key(t), t);
  return [...seen.values()];
}

/**
 * How many items to take from each ready partition: one at a time to the partition with the least
 * in flight (counting what this plan already gave it), ties to the one served least recently, each
 * pick admitted by the policy; a partition refused once is skipped for the rest of the plan.
 */
export function planFair(heads: PartitionHead[], limit: number, admit: (head: PartitionHead) => boolean): Map<PartitionHead, number> {
  const plan = new Map<PartitionHead, number>();
  const load = new Map(heads.map((h) => [h, h.in_flight]));
  const served = new Map(heads.map((h) => [h, h.served_ms]));
  const closed = new Set<PartitionHead>();
  let seq = 0;
  let picked = 0;
  while (picked < limit) {
    let best: PartitionHead | null = null;
    for (const h of heads) {
      if (closed.has(h)) continue;
      if (best === null || load.get(h)! < load.get(best)! || (load.get(h) === load.get(best) && served.get(h)! < served.get(best)!)) best = h;
    }
    if (best === null) break;
    if (!admit(best)) {
      closed.add(best);
      continue;
    }
    plan.set(best, (plan.get(best) ?? 0) + 1);
    load.set(best, load.get(best)! + 1);
    // Served now: behind every partition not yet served in this plan.
    served.set(best, Number.MAX_SAFE_INTEGER - heads.length + ++seq);
    picked++;
  }
  return plan;
}
