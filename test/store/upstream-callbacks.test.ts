/**
 * The store side of upstream callbacks, on SQLite and PostgreSQL: a poke makes a waiting poll due
 * now without writing the task, at most once per interval; pokes for unknown references, finished
 * tasks or a poll under way change nothing in the queue; on PostgreSQL another node hears the
 * work-due notice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LANE_QUEUE } from '../../src/store/queues.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { ADMIT_ALL, createTestDatabase, DIALECTS, newTask, testKey, type TestDatabase } from '../helpers/stores.js';

const INTERVAL = 2_000;

for (const dialect of DIALECTS) {
  describe(`upstream callbacks on ${dialect}`, { timeout: 60_000 }, () => {
    let db: TestDatabase;
    let store: SqlStore;
    before(async () => {
      db = await createTestDatabase(dialect);
      store = db.open();
      await store.migrate();
    });
    after(() => db.cleanup());

    /** A task in processing whose next poll is due in an hour. */
    async function processingTask(name: string) {
      const key = await testKey(store, name);
      const created = await store.tasks.create(newTask(key));
      assert.equal(created.kind, 'created');
      const [c] = await store.tasks.claimPending({ now_ms: Date.now(), limit: 1, owner: 'w', lease_ms: 60_000, admission: ADMIT_ALL });
      const ok = await store.tasks.transition(
        c,
        'w',
        { from: 'submitting', to: 'processing', patch: { upstream_id: `job-${name}`, submitted_ms: Date.now() }, next: { lane: 'poll', due_ms: Date.now() + 3_600_000, attempts: 0 } },
        Date.now(),
      );
      assert.ok(ok);
      return (await store.tasks.get(c.task.id))!;
    }

    it('a poke makes the poll due now, once per interval, and never writes the task', async () => {
      const task = await processingTask('poke');
      await store.upstreamCallbacks.register('kling', 'hash-1', task.id, Date.now());
      assert.equal(await store.upstreamCallbacks.taskFor('kling', 'hash-1'), task.id);
      const now = Date.now();
      assert.deepEqual(await store.upstreamCallbacks.poke('kling', 'hash-1', now, INTERVAL), { kind: 'due', taskId: task.id });
      assert.equal((await store.queue.get(LANE_QUEUE.poll, task.id))?.due_ms, now);
      assert.equal((await store.tasks.get(task.id))?.version, task.version);
      // A duplicate within the interval is throttled.
      assert.deepEqual(await store.upstreamCallbacks.poke('kling', 'hash-1', now + 500, INTERVAL), { kind: 'throttled', taskId: task.id });
      // The poll runs and finds the job running (its next poll in an hour); after the interval a callback makes it due again.
      const [polled] = (await store.tasks.claim('poll', { now_ms: now, limit: 10, owner: 'p', lease_ms: 60_000 })).filter((c) => c.task.id === task.id);
      assert.ok(await store.tasks.transition(polled, 'p', { from: 'processing', to: 'processing', next: { lane: 'poll', due_ms: now + 3_600_000, attempts: 0 } }, now));
      assert.equal((await store.upstreamCallbacks.poke('kling', 'hash-1', now + INTERVAL, INTERVAL)).kind, 'due');
      assert.equal((await store.queue.get(LANE_QUEUE.poll, task.id))?.due_ms, now + INTERVAL);
      assert.ok(await store.upstreamCallbacks.pokedSince(task.id, now + INTERVAL));
      assert.ok(!(await store.upstreamCallbacks.pokedSince(task.id, now + INTERVAL + 1)));
      assert.equal((await store.tasks.get(task.id))?.version, task.version);
    });

    it('unknown references, other channels, finished tasks and polls under way change nothing', async () => {
      const task = await processingTask('edges');
      await store.upstreamCallbacks.register('vidu', 'hash-2', task.id, Date.now());
      assert.deepEqual(await store.upstreamCallbacks.poke('vidu', 'nope', Date.now(), INTERVAL), { kind: 'unknown' });
      assert.deepEqual(await store.upstreamCallbacks.poke('kling', 'hash-2', Date.now(), INTERVAL), { kind: 'unknown' });
      // A poll under way (the item leased): remembered, the lease left alone.
      const [polling] = (await store.tasks.claim('poll', { now_ms: Date.now() + 3_600_001, limit: 100, owner: 'p', lease_ms: 60_000 })).filter((c) => c.task.id === task.id);
      assert.ok(polling);
      const leased = (await store.queue.get(LANE_QUEUE.poll, task.id))!;
      const at = Date.now();
      assert.deepEqual(await store.upstreamCallbacks.poke('vidu', 'hash-2', at, INTERVAL), { kind: 'noted', taskId: task.id });
      assert.deepEqual(await store.queue.get(LANE_QUEUE.poll, task.id), leased);
      assert.ok(await store.upstreamCallbacks.pokedSince(task.id, at));
      // Finished: late callbacks change nothing.
      assert.ok(await store.tasks.transition(polling, 'p', { from: 'processing', to: 'failed', patch: { error: { code: 'x', message: 'y' } }, next: null }, Date.now()));
      const ended = (await store.tasks.get(task.id))!;
      assert.deepEqual(await store.upstreamCallbacks.poke('vidu', 'hash-2', at + 10 * INTERVAL, INTERVAL), { kind: 'finished', taskId: task.id });
      assert.equal((await store.tasks.get(task.id))?.version, ended.version);
      assert.equal(await store.queue.get(LANE_QUEUE.poll, task.id), undefined);
      // Old references are purged.
      assert.ok((await store.upstreamCallbacks.purge(Date.now() + 1)) >= 1);
      assert.equal(await store.upstreamCallbacks.taskFor('vidu', 'hash-2'), undefined);
    });

    if (dialect === 'postgres') {
      it('another node hears that work is due (NOTIFY), so its engine looks at once', async () => {
        const other = db.open();
        try {
          let heard = 0;
          const stop = other.watchWorkDue(() => heard++);
          await new Promise((r) => setTimeout(r, 500)); // LISTEN is set up
          const task = await processingTask('notify');
          await store.upstreamCallbacks.register('seedance', 'hash-3', task.id, Date.now());
          assert.equal((await store.upstreamCallbacks.poke('seedance', 'hash-3', Date.now(), INTERVAL)).kind, 'due');
          const deadline = Date.now() + 5_000;
          while (heard === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          assert.ok(heard >= 1, 'the other node heard nothing');
          stop();
        } finally {
          await other.close();
        }
      });
    }
  });
}
