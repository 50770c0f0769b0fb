/**
 * The SQLite thread feed: two connections to one file (the HTTP thread's and the engine thread's)
 * hear each other's task changes after they commit, drop their cached copies at once, and never
 * send back what they heard.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ADMIT_ALL, createTestDatabase, newTask, testKey, type TestDatabase } from '../helpers/stores.js';
import { until } from '../helpers/until.js';

describe('SQLite thread feed', () => {
  let db: TestDatabase;
  after(async () => db?.cleanup());

  it("a change committed on one connection reaches the other's watchers and cache, once, without an echo", async () => {
    db = await createTestDatabase('sqlite');
    const [engineSide, httpSide] = [db.open(), db.open()];
    await engineSide.migrate();
    const key = await testKey(engineSide);
    const heard = { engine: [] as string[], http: [] as string[] };
    engineSide.watchTaskChanges((id) => heard.engine.push(id));
    httpSide.watchTaskChanges((id) => heard.http.push(id));

    const created = await engineSide.tasks.create(newTask(key));
    assert.equal(created.kind, 'created');
    const id = created.kind === 'created' ? created.task.id : '';
    // The HTTP side reads the task and keeps it (pending) in its cache.
    assert.equal((await httpSide.tasks.get(id))?.state, 'pending');

    const now = Date.now();
    const [claimed] = await engineSide.tasks.claimPending({ now_ms: now, limit: 10, owner: 'w1', lease_ms: 60_000, admission: ADMIT_ALL });
    assert.equal(claimed.task.id, id);
    await until('the HTTP side heard the claim', () => heard.http.includes(id), 5_000);
    // Read at once, well inside the cache's 0.5 s: the notice evicted the pending copy.
    assert.equal((await httpSide.tasks.get(id))?.state, 'submitting');

    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual([heard.engine.filter((i) => i === id).length, heard.http.filter((i) => i === id).length], [1, 1], 'the writer heard its own change once (locally) and nothing back; the other side heard it once');

    // And the other way: a cancel the HTTP side commits reaches the engine side.
    const other = await httpSide.tasks.create(newTask(key));
    const otherId = other.kind === 'created' ? other.task.id : '';
    assert.ok(await httpSide.tasks.cancel(otherId, 'pending', { code: 'cancelled', message: 'Cancelled by the owner.' }, Date.now()));
    await until('the engine side heard the cancel', () => heard.engine.includes(otherId), 5_000);
    assert.equal((await engineSide.tasks.get(otherId))?.state, 'failed');
  });
});
