/**
 * Writes that run at once on several nodes must take their row locks in one order, or PostgreSQL
 * breaks the cycle by aborting one of them (a deadlock error: a 500 on create, a failed engine
 * step). Here: creates of one key and provider (the key's reservation, then the provider
 * partition's queue head) racing with the same key's tasks ending (in flight count, then the
 * reservation's release), and cancels racing claims and polls of the same tasks, on two stores
 * standing for two nodes. SQLite (one node, its writers take turns) runs the same outcomes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStore } from '../../src/store/sql-store.js';
import { ADMIT_ALL, createTestDatabase, DIALECTS, newTask, testKey, type TestDatabase } from '../helpers/stores.js';

const ROUNDS = 6;
const PER_ROUND = 12;

for (const dialect of DIALECTS) {
  describe(`lock order on ${dialect}`, { timeout: 120_000 }, () => {
    let db: TestDatabase;
    let nodeA: SqlStore;
    let nodeB: SqlStore;
    before(async () => {
      db = await createTestDatabase(dialect);
      nodeA = db.open();
      await nodeA.migrate();
      // SQLite is one node: a second connection in this process would wait for the write lock on
      // the main thread (better-sqlite3 is synchronous), blocking the holder it waits for.
      nodeB = dialect === 'sqlite' ? nodeA : db.open();
    });
    after(() => db.cleanup());

    it('creates and tasks ending for one key and provider, at once on two nodes, never deadlock', async () => {
      const key = await testKey(nodeA, 'racing', { balance_usd: 1_000 });
      const owner = 'node-a';
      let ended = 0;
      let created = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < PER_ROUND; i++) assert.equal((await nodeA.tasks.create(newTask(key, { provider: 'racing', estimated_cost_usd: 0.5 }))).kind, 'created');
        const claimed = await nodeA.tasks.claimPending({ now_ms: Date.now(), limit: 100, owner, lease_ms: 60_000, admission: ADMIT_ALL });
        assert.equal(claimed.length, PER_ROUND);
        const now = Date.now();
        const results = await Promise.allSettled([
          // Node A: its submissions end (failed, the reservation released) ...
          ...claimed.map((c) => nodeA.tasks.transition(c, owner, { from: 'submitting', to: 'failed', patch: { error: { code: 'x', message: 'y' } }, next: null }, now)),
          // ... while node B stores new tasks of the same key and provider, one by one and in batches.
          ...Array.from({ length: PER_ROUND }, () => nodeB.tasks.create(newTask(key, { provider: 'racing', estimated_cost_usd: 0.5 }))),
        ]);
        const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason?.message ?? r.reason));
        assert.deepEqual(failures, [], `round ${round}: every write went through`);
        ended += claimed.length;
        created += PER_ROUND;
        // Node B's tasks leave the queue too, so the next round starts from the same place.
        const rest = await nodeB.tasks.claimPending({ now_ms: Date.now(), limit: 100, owner: 'node-b', lease_ms: 60_000, admission: ADMIT_ALL });
        await Promise.all(rest.map((c) => nodeB.tasks.transition(c, 'node-b', { from: 'submitting', to: 'failed', patch: { error: { code: 'x', message: 'y' } }, next: null }, Date.now())));
      }
      const k = await nodeA.keys.findByHash(key.hash);
      assert.equal(k?.reserved_usd, 0, 'every reservation released exactly once');
      assert.equal(k?.balance_usd, 1_000);
      assert.equal(ended + created, ROUNDS * PER_ROUND * 2);
    });

    it('cancels racing claims and polls of the same tasks on another node never deadlock; each task is cancelled or claimed, never both', async () => {
      const key = await testKey(nodeA, 'cancelling', { balance_usd: 1_000 });
      const failure = { code: 'task_cancelled', message: 'cancelled' };
      for (let round = 0; round < ROUNDS; round++) {
        const ids: string[] = [];
        for (let i = 0; i < PER_ROUND; i++) {
          const o = await nodeA.tasks.create(newTask(key, { provider: 'cancelling', estimated_cost_usd: 0.5 }));
          assert.ok(o.kind === 'created');
          ids.push(o.task.id);
        }
        // Half of them already processing (polled by node A), half still pending (claimed by node A).
        const first = await nodeA.tasks.claimPending({ now_ms: Date.now(), limit: PER_ROUND / 2, owner: 'node-a', lease_ms: 60_000, admission: ADMIT_ALL });
        const now = Date.now();
        for (const c of first)
          assert.ok(
            await nodeA.tasks.transition(c, 'node-a', { from: 'submitting', to: 'processing', patch: { upstream_id: `up_${c.task.id}`, submitted_ms: now }, next: { lane: 'poll', due_ms: now, attempts: 0 } }, now),
          );
        const processing = new Set(first.map((c) => c.task.id));
        const polls = await nodeA.tasks.claim('poll', { now_ms: Date.now(), limit: 100, owner: 'node-a', lease_ms: 60_000 });
        const results = await Promise.allSettled<unknown>([
          nodeA.tasks.claimPending({ now_ms: Date.now(), limit: 100, owner: 'node-a', lease_ms: 60_000, admission: ADMIT_ALL }),
          ...polls.map((c) => nodeA.tasks.transition(c, 'node-a', { from: 'processing', to: 'processing', patch: { progress: 50 }, next: { lane: 'poll', due_ms: Date.now() + 60_000, attempts: 0 } }, Date.now())),
          ...ids.map((id) => nodeB.tasks.cancel(id, processing.has(id) ? 'processing' : 'pending', failure, Date.now())),
        ]);
        const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason?.message ?? r.reason));
        assert.deepEqual(failures, [], `round ${round}: every write went through`);
        for (const id of ids) {
          const t = (await nodeB.tasks.get(id))!;
          assert.ok(t.state === 'failed' ? t.cancelled : t.state === 'submitting' || t.state === 'processing', `${id}: ${t.state}`);
        }
        // What was not cancelled ends here, so reservations can be checked.
        for (const lane of ['submit', 'poll'] as const) {
          const held =
            lane === 'submit'
              ? await nodeA.tasks.claim('submit', { now_ms: Date.now() + 120_000, limit: 100, owner: 'node-c', lease_ms: 60_000 })
              : await nodeA.tasks.claim('poll', { now_ms: Date.now() + 120_000, limit: 100, owner: 'node-c', lease_ms: 60_000 });
          for (const c of held) await nodeA.tasks.transition(c, 'node-c', { from: c.task.state, to: 'failed', patch: { error: failure }, next: null }, Date.now());
        }
      }
      const k = await nodeA.keys.findByHash(key.hash);
      assert.equal(k?.reserved_usd, 0, 'every reservation released exactly once');
    });
  });
}
