/**
 * A fair queue's partition head (WorkQueue.enqueue): an earlier item moves it, a later one leaves
 * it — and leaves its row unwritten (no new row version on PostgreSQL, no change on SQLite), which
 * spares every create transaction the partition's pages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { LANE_QUEUE } from '../../src/store/queues.js';
import type { Database } from '../../src/store/schema.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { DIALECTS, migratedStore, type TestDatabase } from '../helpers/stores.js';

for (const dialect of DIALECTS) {
  describe(`partition head on ${dialect}`, { timeout: 60_000 }, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let k: Kysely<Database>;
    before(async () => {
      ({ db, store, kysely: k } = await migratedStore(dialect));
    });
    after(() => db.cleanup());

    const enqueue = (item_id: string, due_ms: number) => k.transaction().execute((trx) => store.queue.enqueue(trx, { queue: LANE_QUEUE.submit, item_id, partition_key: 'p', group_key: 'g', due_ms }));
    /** The head, and on PostgreSQL its row version (a write makes a new one; SQLite: see sqliteChanges). */
    const head = async () => {
      const row = await k.selectFrom('work_partitions').select('head_due_ms').where('queue', '=', LANE_QUEUE.submit).where('partition_key', '=', 'p').executeTakeFirstOrThrow();
      const version = dialect === 'postgres' ? (await k.executeQuery<{ v: string }>(CompiledQuery.raw("SELECT xmin::text AS v FROM work_partitions WHERE partition_key = 'p'"))).rows[0].v : null;
      return { due: Number(row.head_due_ms), version };
    };
    /** This connection's writes so far (SQLite). */
    const sqliteChanges = async () => (await k.executeQuery<{ n: number }>(CompiledQuery.raw('SELECT total_changes() AS n'))).rows[0].n;

    it('moves to an earlier item, stays (unwritten) for a later one', async () => {
      await enqueue('a', 50);
      assert.equal((await head()).due, 50);
      await enqueue('b', 40);
      const moved = await head();
      assert.equal(moved.due, 40);

      const changesBefore = dialect === 'sqlite' ? await sqliteChanges() : 0;
      await enqueue('c', 60);
      const kept = await head();
      assert.equal(kept.due, 40);
      if (dialect === 'postgres') assert.equal(kept.version, moved.version, 'the partition row was rewritten');
      else assert.equal((await sqliteChanges()) - changesBefore, 1, 'only the item was written');

      await enqueue('d', 30);
      const again = await head();
      assert.equal(again.due, 30);
      if (dialect === 'postgres') assert.notEqual(again.version, moved.version);
    });

    // PostgreSQL: the unwritten head is still locked by the enqueue's transaction until it commits,
    // so a fair claim's head recompute (refreshHead: FOR UPDATE, then a fresh read) waits for the
    // item and cannot leave it behind a stale head. SQLite has one writer at a time.
    if (dialect === 'postgres')
      it('an enqueue that leaves the head unwritten still holds the partition row until it commits', async () => {
        // As a claiming node would, on another connection of the pool.
        const lockHead = () => k.executeQuery(CompiledQuery.raw(`SELECT head_due_ms FROM work_partitions WHERE queue = '${LANE_QUEUE.submit}' AND partition_key = 'p' FOR UPDATE NOWAIT`));
        await k.transaction().execute(async (trx) => {
          await store.queue.enqueue(trx, { queue: LANE_QUEUE.submit, item_id: 'late', partition_key: 'p', group_key: 'g', due_ms: 10_000 });
          await assert.rejects(lockHead(), (err: { code?: string }) => err.code === '55P03');
        });
        const locked = await lockHead();
        assert.equal(locked.rows.length, 1, 'free once the enqueue committed');
      });
  });
}
