/**
 * SQLite group commit and checkpoints: concurrent creates share commits, everything committed is
 * there after reopening, and the WAL is folded into the database file by the checkpointer thread
 * (so the WAL does not grow without end and the database file holds the data).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite.js';
import { newTask, testKey } from '../helpers/stores.js';

describe('SQLite durability and checkpoints', { timeout: 120_000 }, () => {
  /**
   * A store, a key, and another connection (the engine thread's, say) holding the write lock for
   * `holdMs`; closed and removed afterwards.
   */
  async function withLockHeldElsewhere(
    holdMs: number,
    name: string,
    body: (store: ReturnType<typeof openSqliteStore>, key: Awaited<ReturnType<typeof testKey>>) => Promise<void>,
    options: SqliteStoreOptions = {},
  ): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-wal-'));
    const file = path.join(dir, 'db.sqlite');
    const store = openSqliteStore(file, options);
    const other = new SQLite(file);
    try {
      await store.migrate();
      const key = await testKey(store, name);
      other.exec('BEGIN IMMEDIATE');
      setTimeout(() => other.inTransaction && other.exec('COMMIT'), holdMs);
      await body(store, key);
    } finally {
      if (other.inTransaction) other.exec('COMMIT');
      other.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  // In one thread, a write that slept in SQLite's busy handler would never let the lock go, and fail
  // after 5 s; the create writer thread (VIDGATE_SQLITE_WRITER) sleeps in it, on its own thread.
  for (const [how, options] of [
    ['on the HTTP thread', {}],
    ['in the create writer thread', { createWriter: true }],
  ] as const)
    it(`waits for another connection's write lock without blocking the event loop, and writes once it is free (creates ${how})`, async () => {
      let ticker: NodeJS.Timeout | undefined;
      await withLockHeldElsewhere(
        400,
        'busy',
        async (store, key) => {
          let ticks = 0;
          ticker = setInterval(() => ticks++, 10);
          const started = performance.now();
          const created = await store.tasks.create(newTask(key));
          const ms = performance.now() - started;
          assert.equal(created.kind, 'created');
          assert.ok(ms >= 350 && ms < 3_000, `written once the lock was free (${ms.toFixed(0)} ms)`);
          assert.ok(ticks >= 8, `the event loop kept turning meanwhile (${ticks} ticks of 10 ms)`);
        },
        options,
      ).finally(() => clearInterval(ticker));
    });

  // Writes of one statement too (a key's creation and revocation, its webhook secret, the first
  // start's meta row, the retention sweep's purges): each ran as an autocommit, which waits for the
  // lock in SQLite's busy handler, asleep on the event loop — never released here, and failed after
  // 5 s. The checkpointer's RESTART holds the lock a few milliseconds every ~16 MiB of WAL.
  it("one-statement writes wait for another connection's write lock without blocking the event loop", async () => {
    let ticker: NodeJS.Timeout | undefined;
    await withLockHeldElsewhere(400, 'busy-admin', async (store, key) => {
      let ticks = 0;
      ticker = setInterval(() => ticks++, 10);
      const started = performance.now();
      const other = { ...key, id: `${key.id}_other`, hash: `${key.hash}_other`, name: 'other' };
      await Promise.all([
        store.keys.insert(other),
        store.keys.revoke(key.id, Date.now()),
        // Each on its own row: the five retry on their own timers, in no set order.
        store.keys.rotateWebhookSecret(key.id, 'whsec_rotated'),
        store.meta.setIfAbsent('busy-test', 'first'),
        store.idempotency.purge(0),
      ]);
      const ms = performance.now() - started;
      assert.ok(ms >= 350 && ms < 3_000, `written once the lock was free (${ms.toFixed(0)} ms)`);
      assert.ok(ticks >= 8, `the event loop kept turning meanwhile (${ticks} ticks of 10 ms)`);
      const [revoked, added] = [await store.keys.get(key.id), await store.keys.get(other.id)];
      assert.ok(revoked?.revoked_ms !== null && revoked?.webhook_secret === 'whsec_rotated', JSON.stringify(revoked));
      assert.equal(added?.name, 'other');
      assert.equal(await store.meta.get('busy-test'), 'first');
    }).finally(() => clearInterval(ticker));
  });

  it("reads through Kysely are not held up while a write waits for another connection's write lock", async () => {
    await withLockHeldElsewhere(600, 'busy-read', async (store, key) => {
      const write = store.tasks.create(newTask(key));
      await new Promise((r) => setTimeout(r, 50));
      const started = performance.now();
      await store.tasks.countActiveByState();
      const ms = performance.now() - started;
      // Held up, it would end after the lock's 600 ms (~550 ms from here); the margin is for a loaded machine.
      assert.ok(ms < 400, `the read ran while the write waited (${ms.toFixed(0)} ms)`);
      assert.equal((await write).kind, 'created');
    });
  });

  it('syncs the WAL for transactions that wrote, and not for those that found nothing to change (idle engine claims)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-wal-'));
    try {
      const store = openSqliteStore(path.join(dir, 'db.sqlite'));
      await store.migrate();
      const key = await testKey(store, 'syncs');
      const claim = { now_ms: Date.now(), limit: 10, owner: 'w1', lease_ms: 60_000 };
      const idle = store.walSyncs()!;
      // An idle engine tick: every lane's claim runs a write transaction that changes nothing.
      for (let i = 0; i < 20; i++) {
        assert.deepEqual(await store.tasks.claim('poll', claim), []);
        assert.deepEqual(await store.tasks.claim('finish', claim), []);
        assert.deepEqual(await store.tasks.claimPending({ ...claim, admission: { admit: () => true, refund: () => undefined } }), []);
      }
      assert.equal(store.walSyncs(), idle, 'no fsync for 60 transactions that wrote nothing');
      const created = await store.tasks.create(newTask(key));
      assert.equal(created.kind, 'created');
      assert.ok(store.walSyncs()! > idle, 'a create is answered only after an fsync of the WAL');
      const afterCreate = store.walSyncs()!;
      const claimed = await store.tasks.claimPending({ ...claim, now_ms: Date.now() + 1000, admission: { admit: () => true, refund: () => undefined } });
      assert.equal(claimed.length, 1);
      assert.ok(store.walSyncs()! > afterCreate, 'a claim that took work (a lease written) is synced');
      await store.close();
      // What was synced is there after reopening.
      const again = openSqliteStore(path.join(dir, 'db.sqlite'));
      assert.equal((await again.tasks.get(claimed[0].task.id))?.id, claimed[0].task.id);
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('folds the WAL into the database file in the background, and keeps every commit across a reopen', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-wal-'));
    const file = path.join(dir, 'db.sqlite');
    try {
      const store = openSqliteStore(file);
      await store.migrate();
      const key = await testKey(store, 'wal');
      const dbBytesBefore = fs.statSync(file).size;
      const ids: string[] = [];
      // Over a thousand separate commits (one create each), the checkpoint interval.
      for (let i = 0; i < 1100; i++) {
        const o = await store.tasks.create(newTask(key));
        if (o.kind === 'created') ids.push(o.task.id);
      }
      const deadline = Date.now() + 20_000;
      while (fs.statSync(file).size <= dbBytesBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(fs.statSync(file).size > dbBytesBefore, 'the checkpointer copied committed pages into the database file');
      await store.close();
      const again = openSqliteStore(file);
      for (const id of [ids[0], ids[550], ids.at(-1)!]) assert.equal((await again.tasks.get(id))?.state, 'pending');
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
