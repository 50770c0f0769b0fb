/**
 * The engine's per-tick queries cost what they claim, not what waits: the same claims against a
 * backlog of 200 tasks and of 20,000 take about the same time (a query that scanned the backlog
 * would take ~100× longer at 20,000).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStore } from '../../src/store/sql-store.js';
import type { ApiKey } from '../../src/store/types.js';
import { ADMIT_ALL, createTestDatabase, newTask, testKey, type TestDatabase } from '../helpers/stores.js';

async function backlog(store: SqlStore, key: ApiKey, n: number): Promise<void> {
  for (let done = 0; done < n; done += 500) {
    await Promise.all(Array.from({ length: Math.min(500, n - done) }, (_, i) => store.tasks.create(newTask(key, { provider: 'costp', created_ms: 1_000 + done + i }))));
  }
}

/**
 * Median user-CPU milliseconds of a tick's claims over `rounds` (CPU, not wall time: commits wait
 * for the disk, which is not work the event loop does). Picked tasks are put back afterwards.
 */
async function median(store: SqlStore, rounds: number, now: number): Promise<number> {
  const times: number[] = [];
  const o = { now_ms: now, limit: 8, owner: 'w', lease_ms: 60_000 };
  for (let i = 0; i < rounds; i++) {
    const t = process.cpuUsage();
    await store.tasks.claim('submit', o);
    const picked = await store.tasks.claimPending({ ...o, admission: ADMIT_ALL });
    await store.tasks.claim('poll', o);
    await store.tasks.claim('finish', o);
    times.push(process.cpuUsage(t).user / 1000);
    for (const c of picked) await store.tasks.transition(c, 'w', { from: 'submitting', to: 'pending', next: { lane: 'submit', due_ms: now, attempts: 0 } }, now);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

describe('claim cost does not grow with the backlog (SQLite)', { timeout: 180_000 }, () => {
  const dbs: TestDatabase[] = [];
  const stores: SqlStore[] = [];
  before(async () => {
    for (const n of [200, 20_000]) {
      const db = await createTestDatabase('sqlite');
      const store = db.open();
      await store.migrate();
      await backlog(store, await testKey(store, `backlog-${n}`), n);
      dbs.push(db);
      stores.push(store);
    }
  });
  after(async () => {
    for (const db of dbs) await db.cleanup();
  });

  it('a tick of claims at 20,000 waiting costs about what one at 200 does', async () => {
    const now = Date.now();
    for (const s of stores) await median(s, 5, now); // warm up statement caches
    const small = await median(stores[0], 30, now);
    const large = await median(stores[1], 30, now);
    console.log(`claims per tick: ${small.toFixed(2)} ms CPU at 200 waiting, ${large.toFixed(2)} ms at 20,000`);
    assert.ok(large < small * 3 + 0.5, `claims per tick: ${small.toFixed(2)} ms CPU at 200 waiting, ${large.toFixed(2)} ms at 20,000`);
  });
});
