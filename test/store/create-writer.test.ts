/**
 * The create writer thread (VIDGATE_SQLITE_WRITER): creates written by a thread of its own, on its
 * own connection to the same file. Same rows and outcomes as on the HTTP thread; idempotency and
 * budgets hold across concurrent creates; a dead thread never turns into a 200 for a row that is not
 * there nor a "nothing was changed" for one that is; and its commits count towards WAL checkpoints.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createSeed } from '../../src/store/create-task.js';
import { CreateWriter, type WriterData, writerProgram } from '../../src/store/create-writer.js';
import { isStoreUnavailable } from '../../src/store/errors.js';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite.js';
import type { CreateOutcome } from '../../src/store/types.js';
import { newTask, testKey } from '../helpers/stores.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function openStore(options: SqliteStoreOptions = { createWriter: true }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-writer-'));
  dirs.push(dir);
  const file = path.join(dir, 'db.sqlite');
  const store = openSqliteStore(file, options);
  await store.migrate();
  return { store, file };
}

const idem = (key: string) => ({ key, body_hash: 'h', since_ms: Date.now() - 60_000 });

/** The writer thread's program with `patch` run first (it sees `fs`: node:fs, as the program will). */
function patchedWriter(patch: string) {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const program = JSON.stringify(new URL('../../src/store/create-writer-thread.ts', import.meta.url).href);
  return (data: WriterData) =>
    new Worker(
      `const fs = require('node:fs');
${patch}
import(${tsx}).then((tsx) => { tsx.register(); return import(${program}); });`,
      { eval: true, workerData: data },
    );
}

describe('SQLite create writer thread', { timeout: 120_000 }, () => {
  it('writes the same rows and answers the same outcomes as creates on the HTTP thread', async () => {
    const dumps: string[] = [];
    const at = Date.now();
    for (const createWriter of [true, false]) {
      const { store, file } = await openStore({ createWriter });
      const key = await testKey(store, 'same', { balance_usd: 1 });
      const task = (n: number, cost = 0.4) => newTask(key, { id: `ldtask_${String(n).padStart(32, '0')}`, created_ms: at + n, estimated_cost_usd: cost });
      // One batch: created, created with a key, a replay of that key, a refusal (0.2 left).
      const outcomes = await Promise.all([store.tasks.create(task(1)), store.tasks.create(task(2), idem('a')), store.tasks.create(task(3), idem('a')), store.tasks.create(task(4), idem('b'))]);
      // Then alone: a created task within what is left.
      outcomes.push(await store.tasks.create(task(5, 0.2)));
      await store.close();
      const db = new SQLite(file, { readonly: true });
      const rows = Object.fromEntries(['tasks', 'idempotency_keys', 'work_items', 'work_partitions'].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
      // The key's own rows differ (its secret, its creation): only what creates change is compared.
      const ledger = db.prepare('SELECT key_id, task_id, kind, amount_usd, model, day, created_ms FROM ledger WHERE task_id IS NOT NULL ORDER BY task_id').all();
      const budget = db.prepare('SELECT balance_usd, reserved_usd, spent_usd FROM api_keys').all();
      db.close();
      dumps.push(JSON.stringify({ outcomes, rows, ledger, budget }).replaceAll(key.id, 'KEY'));
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ['created', 'created', 'replay', 'insufficient_balance', 'created'],
      );
    }
    assert.deepEqual(JSON.parse(dumps[0]), JSON.parse(dumps[1]));
  });

  it('concurrent creates with one Idempotency-Key make one task; the others replay it', async () => {
    const { store } = await openStore();
    const key = await testKey(store, 'idem');
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.tasks.create(newTask(key), idem('same-key'))));
    const created = outcomes.filter((o) => o.kind === 'created');
    assert.equal(created.length, 1);
    for (const o of outcomes) if (o.kind === 'replay') assert.equal(o.record.task_id, created[0].task.id);
    assert.equal((await store.tasks.listForOwner(key.id, { limit: 100 })).length, 1);
    await store.close();
  });

  it('concurrent creates against a small balance never reserve more than it holds', async () => {
    const { store } = await openStore();
    const key = await testKey(store, 'budget', { balance_usd: 1 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.tasks.create(newTask(key, { estimated_cost_usd: 0.3 }))));
    assert.equal(outcomes.filter((o) => o.kind === 'created').length, 3);
    const refused = outcomes.filter((o) => o.kind === 'insufficient_balance');
    assert.equal(refused.length, 7);
    for (const o of refused) assert.equal(o.kind === 'insufficient_balance' && o.availableUsd, 0.1);
    assert.ok(Math.abs((await store.keys.get(key.id))!.reserved_usd - 0.9) < 1e-9);
    await store.close();
  });

  it('a writer killed before its commit: every caller is told nothing was changed; it is started again', async () => {
    let first: Worker | undefined;
    const { store, file } = await openStore({
      createWriter: {
        restartDelayMs: 20,
        program: (data) => {
          const w = writerProgram(data);
          first ??= w;
          return w;
        },
      },
    });
    const key = await testKey(store, 'killed');
    await store.tasks.create(newTask(key)); // the thread is up
    const other = new SQLite(file);
    other.exec('BEGIN IMMEDIATE'); // the writer will wait for the lock in its BEGIN
    const tasks = [newTask(key), newTask(key), newTask(key)];
    const settled = Promise.allSettled(tasks.map((t) => store.tasks.create(t)));
    await new Promise((r) => setTimeout(r, 100));
    const terminated = first!.terminate();
    other.exec('COMMIT');
    other.close();
    await terminated;
    for (const r of await settled) {
      assert.equal(r.status, 'rejected');
      assert.ok(isStoreUnavailable(r.reason), String(r.reason));
    }
    for (const t of tasks) assert.equal(await store.tasks.get(t.id), undefined);
    assert.equal((await store.tasks.create(newTask(key))).kind, 'created', 'a later create succeeds on the restarted thread');
    await store.close();
  });

  it('a writer that dies after its commit, before answering: its creates are answered created, never "nothing was changed"', async () => {
    let starts = 0;
    const { store } = await openStore({ createWriter: { restartDelayMs: 20, program: (data) => writerProgram({ ...data, exitAfterCommit: starts++ === 0 }) } });
    const key = await testKey(store, 'after-commit', { balance_usd: 1 });
    // One batch, committed by a thread that dies before answering: two creates, a refusal (0.4
    // left) and a replay of the first (same key, same batch). The refusal and the replay left
    // nothing behind: they may be told "nothing was changed", and their retries answer them.
    const jobs = [
      { task: newTask(key, { estimated_cost_usd: 0.3 }), idem: idem('k') },
      { task: newTask(key, { estimated_cost_usd: 0.3 }) },
      { task: newTask(key, { estimated_cost_usd: 0.9 }) },
      { task: newTask(key, { estimated_cost_usd: 0.3 }), idem: idem('k') },
    ];
    const settled = await Promise.allSettled(jobs.map((j) => store.tasks.create(j.task, j.idem)));
    const kinds = settled.map((r) => (r.status === 'fulfilled' ? r.value.kind : isStoreUnavailable(r.reason) ? 'unavailable' : String(r.reason)));
    assert.deepEqual(kinds, ['created', 'created', 'unavailable', 'unavailable']);
    for (const [i, j] of jobs.entries()) assert.equal((await store.tasks.get(j.task.id)) !== undefined, i < 2);
    // Retried (with the same Idempotency-Key), on the restarted thread.
    assert.equal((await store.tasks.create(jobs[2].task)).kind, 'insufficient_balance');
    const replay = await store.tasks.create(jobs[3].task, jobs[3].idem);
    assert.equal(replay.kind === 'replay' && replay.record.task_id, jobs[0].task.id);
    assert.equal((await store.tasks.create(newTask(key, { estimated_cost_usd: 0 }))).kind, 'created', 'the restarted thread writes');
    await store.close();
  });

  it('a writer that dies after its commit when the WAL then cannot be synced: its creates fail with that error, and the thread is started again', async () => {
    const { store, file } = await openStore({ createWriter: false });
    const key = await testKey(store, 'dead-and-unsynced');
    await store.close();
    let starts = 0;
    const writer = new CreateWriter({
      file,
      busyTimeoutMs: 5_000,
      walSizeLimitBytes: 64 << 20,
      taskExists: () => true,
      onCommit: () => {},
      // The HTTP thread's own fsync of the dead thread's commit fails.
      syncWal: () => Promise.reject(new Error('disk gone')),
      restartDelayMs: 10,
      program: (data) => writerProgram({ ...data, exitAfterCommit: starts++ === 0 }),
    });
    const out = await writer.run([createSeed(newTask(key)), createSeed(newTask(key))]);
    assert.deepEqual(
      out.map((o) => (o as { error?: Error }).error?.message),
      ['disk gone', 'disk gone'],
    );
    // Started again despite the failed sync (no unhandled rejection on the way), and it writes.
    const later = await writer.run([createSeed(newTask(key))]);
    assert.deepEqual(later, [{ kind: 'created' }]);
    assert.equal(starts, 2);
    await writer.close();
  });

  it('a create is answered only once its fsync is done, and a replay not before the create it replays is on disk', async () => {
    // The writer's WAL fsyncs take 300 ms (either way it may sync): a create's commit stays undurable that long.
    const slowSyncs = patchedWriter(`const { fsyncSync, fsync } = fs;
fs.fsyncSync = (fd) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  return fsyncSync(fd);
};
fs.fsync = (fd, cb) => setTimeout(() => fsync(fd, cb), 300);`);
    const { store } = await openStore({ createWriter: { program: slowSyncs } });
    const key = await testKey(store, 'replay-durable');
    await store.tasks.create(newTask(key)); // the thread is up, its WAL handle open
    const order: string[] = [];
    const started = performance.now();
    let tookMs = 0;
    const original = store.tasks.create(newTask(key), idem('once')).then((o) => {
      tookMs = performance.now() - started;
      order.push('original');
      return o;
    });
    // The original has committed by now; its fsync has not finished.
    await new Promise((r) => setTimeout(r, 100));
    const replay = await store.tasks.create(newTask(key), idem('once'));
    order.push('replay');
    const made = await original;
    assert.equal(made.kind, 'created');
    assert.equal(replay.kind === 'replay' && replay.record.task_id, made.kind === 'created' && made.task.id);
    assert.deepEqual(order, ['original', 'replay'], 'the replay (a 200 for the original task) waited for the fsync that makes the original durable');
    assert.ok(tookMs >= 290, `the create was answered after ${tookMs.toFixed(0)} ms, before its 300 ms fsync ended`);
    await store.close();
  });

  it('a failed fsync: the create it covered is failed, never answered created nor run again, and every later create fails too', async () => {
    // The thread's third fsync and every later one fail (the first two: the WAL's directory and the first create).
    const failingSyncs = patchedWriter(`const { fsyncSync } = fs;
let n = 0;
fs.fsyncSync = (fd) => {
  if (++n >= 3) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  return fsyncSync(fd);
};`);
    const { store, file } = await openStore({ createWriter: { program: failingSyncs } });
    const key = await testKey(store, 'fsync-fails');
    const first = await store.tasks.create(newTask(key));
    assert.equal(first.kind, 'created');
    const lost = newTask(key);
    await assert.rejects(store.tasks.create(lost, idem('lost')), /could not be synced to disk \(EIO/);
    // Committed once (not run again alone by the HTTP thread), but never answered created.
    const db = new SQLite(file, { readonly: true });
    assert.equal((db.prepare('SELECT count(*) AS n FROM tasks WHERE id = ?').get(lost.id) as { n: number }).n, 1);
    db.close();
    await assert.rejects(store.tasks.create(newTask(key)), /no commit since can be promised durable/);
    // A replay writes nothing, and still names a task whose row is not known to be on disk.
    await assert.rejects(store.tasks.create(newTask(key), idem('lost')), /no commit since can be promised durable/);
    await store.close();
  });

  it("one batch's failing create does not fail another batch that shared its transaction in the writer", async () => {
    const { store, file } = await openStore();
    const key = await testKey(store, 'shared-tx');
    const existing = newTask(key);
    assert.equal((await store.tasks.create(existing)).kind, 'created'); // the thread is up
    const other = new SQLite(file);
    other.exec('BEGIN IMMEDIATE'); // the writer waits in its next BEGIN; batches queue behind it
    const first = store.tasks.create(newTask(key));
    await new Promise((r) => setTimeout(r, 50));
    // Two more batches (a turn apart), run together once the lock is free: one fails (its task id
    // is taken), the other is fine.
    const failing = store.tasks.create(newTask(key, { id: existing.id }));
    await new Promise((r) => setTimeout(r, 20));
    const fine = store.tasks.create(newTask(key));
    await new Promise((r) => setTimeout(r, 50));
    other.exec('COMMIT');
    other.close();
    const [a, b, c] = await Promise.allSettled([first, failing, fine]);
    assert.equal(a.status === 'fulfilled' && a.value.kind, 'created');
    assert.match(b.status === 'rejected' ? String(b.reason) : 'fulfilled', /UNIQUE/);
    assert.equal(c.status === 'fulfilled' ? c.value.kind : String(c.reason), 'created', "the other batch's create is written, not failed with the first one's error");
    await store.close();
  });

  it("counts the writer's commits towards WAL checkpoints: a create-only load is folded into the database file", async () => {
    const { store, file } = await openStore({ createWriter: true, checkpointEvery: 30 });
    const key = await testKey(store, 'wal');
    const dbBytesBefore = fs.statSync(file).size;
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const o: CreateOutcome = await store.tasks.create(newTask(key));
      if (o.kind === 'created') ids.push(o.task.id);
    }
    const deadline = Date.now() + 20_000;
    while (fs.statSync(file).size <= dbBytesBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(fs.statSync(file).size > dbBytesBefore, 'the checkpointer copied committed pages into the database file');
    assert.equal(ids.length, 100);
    await store.close();
  });
  it('under creates that never pause, the WAL is still started over: its file stays small', async () => {
    const { store, file } = await openStore({ createWriter: true });
    const key = await testKey(store, 'steady');
    const wal = () => fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    let largest = 0;
    const watch = setInterval(() => (largest = Math.max(largest, wal())), 5);
    // 128 clients, each sending its next create once its last is answered: the writer never idles,
    // so a passive checkpoint never finds every frame copied (frames land while it copies), and
    // without a restart the WAL grew by about 2.5 KiB per create (to 102 MiB here; 19 MiB at most with it).
    let left = 40_000;
    await Promise.all(
      Array.from({ length: 128 }, async () => {
        while (left-- > 0) assert.equal((await store.tasks.create(newTask(key))).kind, 'created');
      }),
    );
    clearInterval(watch);
    largest = Math.max(largest, wal());
    await store.close();
    assert.ok(largest < 40 * 1024 * 1024, `the WAL reached ${(largest / 1048576).toFixed(1)} MiB`);
  });
  // The HTTP thread's event loop while the writer waits for the lock: sqlite-durability.test.ts.

  it('VIDGATE_SQLITE_WRITER: on by default, 0 turns it off, anything else is a one-line error', () => {
    assert.equal(loadConfig({}).sqliteWriter, true);
    assert.equal(loadConfig({ VIDGATE_SQLITE_WRITER: '0' }).sqliteWriter, false);
    assert.throws(
      () => loadConfig({ VIDGATE_SQLITE_WRITER: 'maybe' }),
      (err: unknown) => err instanceof ConfigError && /^VIDGATE_SQLITE_WRITER must be 1 or 0, got 'maybe'$/.test(err.message),
    );
  });
});
