/**
 * The create's prepared SQLite statements bind positional parameters from explicit argument lists
 * (sqlite-create.ts says why): each list must follow its statement's columns. Every field here holds
 * a value of its own, so a value bound to the wrong column shows as a difference.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { createSeed, createTasks } from '../../src/store/create-task.js';
import { LANE_QUEUE } from '../../src/store/queues.js';
import type { TasksTable } from '../../src/store/schema.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { sqliteCreateOps } from '../../src/store/sqlite-create.js';
import type { LedgerEntry } from '../../src/store/types.js';
import { newTask } from '../helpers/stores.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-sqlite-create-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function migratedDb(name: string): Promise<SQLite.Database> {
  const file = path.join(dir, `${name}.sqlite`);
  const store = openSqliteStore(file);
  await store.migrate();
  await store.close();
  return new SQLite(file);
}

/** One statement's write inside a transaction, as the writer thread runs it. */
function inTransaction(db: SQLite.Database, fn: (ops: ReturnType<typeof sqliteCreateOps>) => void): void {
  const ops = sqliteCreateOps(db);
  db.exec('BEGIN IMMEDIATE');
  ops.newTransaction();
  try {
    fn(ops);
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
  db.exec('COMMIT');
}

describe('SQLite create statements', () => {
  it('write every field of a task row into its own column', async () => {
    const db = await migratedDb('task');
    // Text for text columns, a distinct number for each numeric one.
    let n = 1;
    const sample = db.prepare('SELECT * FROM tasks').columns();
    const row = Object.fromEntries(sample.map((c) => [c.name, c.type?.toLowerCase() === 'text' ? `v-${c.name}` : n++])) as unknown as TasksTable;
    assert.ok(sample.length >= 31, `tasks has ${sample.length} columns`);
    inTransaction(db, (ops) => ops.insertTask(row));
    assert.deepEqual(db.prepare('SELECT * FROM tasks').all(), [row]);
    db.close();
  });

  it('write every field of a ledger entry, an idempotency record and a work item into its own column', async () => {
    const db = await migratedDb('others');
    const entry: LedgerEntry = { id: 'l-id', key_id: 'l-key', task_id: 'l-task', kind: 'reserve', amount_usd: 1.25, model: 'l-model', day: '2026-12-03', created_ms: 17 };
    const idem = { owner_key_id: 'i-owner', idem_key: 'i-key', body_hash: 'i-hash', task_id: 'i-task', created_ms: 23 };
    const item = { queue: LANE_QUEUE.submit, item_id: 'w-item', partition_key: 'w-partition', group_key: 'w-group', due_ms: 31, attempts: 2 };
    inTransaction(db, (ops) => {
      ops.insertLedger(entry);
      assert.equal(ops.insertIdempotency(idem), true);
      ops.enqueue(item);
      // A second item of the partition, due earlier: the head moves to it.
      ops.enqueue({ ...item, item_id: 'w-item-2', due_ms: 29, attempts: undefined });
    });
    assert.deepEqual(db.prepare('SELECT * FROM ledger').all(), [entry]);
    assert.deepEqual(db.prepare('SELECT * FROM idempotency_keys').all(), [idem]);
    assert.deepEqual(db.prepare('SELECT * FROM work_items ORDER BY item_id').all(), [
      { ...item, lease_owner: null },
      { ...item, item_id: 'w-item-2', due_ms: 29, attempts: 0, lease_owner: null },
    ]);
    assert.deepEqual(db.prepare('SELECT queue, partition_key, group_key, head_due_ms FROM work_partitions').all(), [{ queue: LANE_QUEUE.submit, partition_key: 'w-partition', group_key: 'w-group', head_due_ms: 29 }]);
    // A later transaction's later item leaves the earlier head, unwritten: one change, the item's.
    const changes = db.prepare('SELECT total_changes()').pluck();
    const before = changes.get() as number;
    inTransaction(db, (ops) => ops.enqueue({ ...item, item_id: 'w-item-3', due_ms: 40 }));
    assert.equal(db.prepare('SELECT head_due_ms FROM work_partitions').pluck().get(), 29);
    assert.equal((changes.get() as number) - before, 1);
    // Only a fair queue's items: a queue without partitions would never claim a partitioned one.
    assert.throws(() => inTransaction(db, (ops) => ops.enqueue({ ...item, queue: LANE_QUEUE.poll, item_id: 'w-item-4' })), /fair queues only/);
    db.close();
  });

  it('reserve only what the balance and the spend limit hold, on the key named', async () => {
    const db = await migratedDb('reserve');
    const key = (id: string, balance: number | null, limit: number | null) =>
      db.prepare('INSERT INTO api_keys (id, name, hash, prefix, is_admin, created_ms, balance_usd, spend_limit_usd) VALUES (?, ?, ?, ?, 0, 0, ?, ?)').run(id, id, `h-${id}`, 'p', balance, limit);
    key('k-balance', 1, null);
    key('k-limit', null, 1);
    key('k-other', null, null);
    const reserved = () => db.prepare('SELECT id, reserved_usd FROM api_keys ORDER BY id').all();
    const results: boolean[] = [];
    inTransaction(db, (ops) => {
      for (const k of ['k-balance', 'k-limit']) results.push(ops.reserve(k, 0.6) as boolean, ops.reserve(k, 0.6) as boolean, ops.reserve(k, 0.4) as boolean);
    });
    assert.deepEqual(results, [true, false, true, true, false, true]);
    assert.deepEqual(reserved(), [
      { id: 'k-balance', reserved_usd: 1 },
      { id: 'k-limit', reserved_usd: 1 },
      { id: 'k-other', reserved_usd: 0 },
    ]);
    db.close();
  });

  it('a transaction of 13 creates writes at most 26 WAL pages', async () => {
    // Each B-tree a create's rows enter costs its transaction pages: 2.5–3 for an index (a leaf
    // that overflows at the right edge is rebalanced with its neighbours), which is most of a
    // create's cost on the writer (bench/README.md, twelfth session). 24.7 with this schema and
    // request (31.6 before migrations 011 and 012); one more index on the create path passes 26.
    const db = await migratedDb('frames');
    db.pragma('wal_autocheckpoint = 0');
    db.prepare('INSERT INTO api_keys (id, name, hash, prefix, is_admin, created_ms) VALUES (?, ?, ?, ?, 0, 0)').run('k-frames', 'frames', 'h-frames', 'p');
    const ops = sqliteCreateOps(db);
    const walFile = `${db.name}-wal`;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const transaction = async () => {
      const now = Date.now();
      db.exec('BEGIN IMMEDIATE');
      ops.newTransaction();
      const out = await createTasks(
        ops,
        Array.from({ length: 13 }, () => createSeed(newTask({ id: 'k-frames' }, { created_ms: now }))),
      );
      db.exec('COMMIT');
      assert.ok(out.every((o) => o.kind === 'created'));
    };
    // The B-trees' right edges settle first (a fresh database's first leaves are roots).
    for (let i = 0; i < 40; i++) await transaction();
    const from = fs.statSync(walFile).size;
    const measured = 40;
    for (let i = 0; i < measured; i++) await transaction();
    const wal = fs.readFileSync(walFile);
    const owner = new Map((db.prepare('SELECT pageno, name FROM dbstat').all() as { pageno: number; name: string }[]).map((r) => [r.pageno, r.name]));
    const byTree = new Map<string, number>();
    let frames = 0;
    for (let at = from; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
      frames++;
      const name = owner.get(wal.readUInt32BE(at)) ?? '(page 1 or free)';
      byTree.set(name, (byTree.get(name) ?? 0) + 1);
    }
    const perTx = frames / measured;
    const detail = [...byTree].map(([name, n]) => `${name} ${(n / measured).toFixed(2)}`).join(', ');
    assert.ok(perTx <= 26, `${perTx.toFixed(1)} WAL pages a transaction: ${detail}`);
    // And the measurement measures: every B-tree a create enters is seen.
    for (const tree of ['tasks', 'ledger', 'work_items', 'api_keys']) assert.ok(byTree.has(tree), `${tree} not among ${detail}`);
    db.close();
  });
});
