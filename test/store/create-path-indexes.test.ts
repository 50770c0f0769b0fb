/**
 * Migrations 011 and 012: indexes hold only the rows their readers ask for, so a create's rows go into
 * fewer of them. The ledger's hold settled charges only (a reservation goes into the table alone),
 * and the usage report — their only indexed reader — is still answered through them; plain claims
 * (polls, downloads) have an index of unpartitioned items, which a submission does not enter.
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { usageQuery } from '../../src/store/ledger.js';
import { LANE_QUEUE } from '../../src/store/queues.js';
import type { Database } from '../../src/store/schema.js';
import { duePick } from '../../src/store/work-queue.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { DIALECTS, migratedStore, type TestDatabase } from '../helpers/stores.js';

const DAYS = ['2026-11-30', '2026-12-01'];

/** The plan the database would run `query` with, as one text. */
async function planOf(k: Kysely<Database>, dialect: string, query: CompiledQuery): Promise<string> {
  if (dialect === 'sqlite') {
    const rows = await k.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
    return rows.rows.map((r) => r.detail).join('\n');
  }
  // A few hundred rows: PostgreSQL would read the table whatever its indexes; ask what it would do
  // if reading it were expensive. Statistics taken now, so the plan does not depend on whether
  // autovacuum has analyzed the new rows yet.
  return k.connection().execute(async (conn) => {
    await conn.executeQuery(CompiledQuery.raw('ANALYZE ledger, work_items'));
    await conn.executeQuery(CompiledQuery.raw('SET enable_seqscan = off'));
    try {
      const rows = await conn.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]));
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await conn.executeQuery(CompiledQuery.raw('RESET enable_seqscan'));
    }
  });
}

for (const dialect of DIALECTS) {
  describe(`create-path indexes on ${dialect}`, { timeout: 60_000 }, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let k: Kysely<Database>;
    before(async () => {
      ({ db, store, kysely: k } = await migratedStore(dialect));
      // Two keys, two days: many reservations, a few settled charges (one per fifth task).
      const rows = [];
      for (const key of ['key_a', 'key_b'])
        for (const day of DAYS)
          for (let i = 0; i < 100; i++) {
            const created_ms = Date.parse(day) + i;
            rows.push({ id: `txn_${key}_${day}_r${i}`, key_id: key, task_id: `task_${i}`, kind: 'reserve', amount_usd: 1, model: 'sora-2', day, created_ms });
            if (i % 5 === 0) rows.push({ id: `txn_${key}_${day}_s${i}`, key_id: key, task_id: `task_${i}`, kind: 'settle', amount_usd: 0.5, model: 'sora-2', day, created_ms });
          }
      await k.insertInto('ledger').values(rows).execute();
    });
    after(() => db.cleanup());

    it('the usage report counts settled charges only, per key or for every key', async () => {
      const one = await store.ledger.usage('key_a', DAYS[0], DAYS[1]);
      assert.deepEqual(
        one.map((r) => [r.key_id, r.day, r.requests, r.cost_usd]),
        DAYS.map((d) => ['key_a', d, 20, 10]),
      );
      const all = await store.ledger.usage(null, DAYS[1], DAYS[1]);
      assert.deepEqual(all.map((r) => [r.key_id, r.requests]).sort(), [
        ['key_a', 20],
        ['key_b', 20],
      ]);
    });

    it('is answered through the settled-only indexes', async () => {
      assert.match(await planOf(k, dialect, usageQuery(k, 'key_a', DAYS[0], DAYS[1]).compile()), /ledger_settle_key_day/);
      assert.match(await planOf(k, dialect, usageQuery(k, null, DAYS[0], DAYS[1]).compile()), /ledger_settle_day|ledger_settle_key_day/);
    });

    /** Every index of `table` but its primary key's: SQL text that states its condition. */
    const indexesOf = async (table: string) =>
      dialect === 'sqlite'
        ? (await k.executeQuery<{ sql: string }>(CompiledQuery.raw(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table}' AND sql IS NOT NULL`))).rows.map((r) => r.sql)
        : (await k.executeQuery<{ indexdef: string }>(CompiledQuery.raw(`SELECT indexdef FROM pg_indexes WHERE tablename = '${table}' AND indexdef NOT LIKE 'CREATE UNIQUE%'`))).rows.map((r) => r.indexdef);

    it('a reservation is not in them: only settled entries are indexed', async () => {
      const indexes = await indexesOf('ledger');
      assert.equal(indexes.length, 2, indexes.join('\n'));
      for (const def of indexes) assert.match(def, /where\s*\(?\s*"?kind"?\s*=\s*'settle'/i, def);
    });

    it('plain claims take unpartitioned due items through their own index; submissions are in it no more', async () => {
      await k.transaction().execute(async (trx) => {
        for (const [id, due] of [
          ['p2', 20],
          ['p1', 10],
          ['p3', 99],
        ] as const)
          await store.queue.enqueue(trx, { queue: LANE_QUEUE.poll, item_id: id, due_ms: due });
        await store.queue.enqueue(trx, { queue: LANE_QUEUE.submit, item_id: 's1', partition_key: 'prov/key_a', group_key: 'prov', due_ms: 5 });
      });
      const claimed = await store.queue.claim(LANE_QUEUE.poll, { now_ms: 50, limit: 10, owner: 'w', lease_ms: 1000 });
      assert.deepEqual(
        claimed.map((c) => c.item_id),
        ['p1', 'p2'],
      );
      const plain = (await indexesOf('work_items')).filter((d) => /work_items_plain_due/.test(d));
      assert.equal(plain.length, 1);
      assert.match(plain[0], /where\s*\(?\s*"?partition_key"?\s*=\s*''/i);
      assert.match(await planOf(k, dialect, duePick(k, LANE_QUEUE.poll, { now_ms: 50, limit: 10 }, false).compile()), /work_items_plain_due/);
      assert.match(await planOf(k, dialect, duePick(k, LANE_QUEUE.submit, { now_ms: 50, limit: 10 }, true).compile()), /work_items_leased_due/);
      // A fair queue's unleased items are claimFair's: a plain claim of one is a mistake, said so.
      await assert.rejects(store.queue.claim(LANE_QUEUE.submit, { now_ms: 50, limit: 10, owner: 'w', lease_ms: 1000 }), /claimed by claimFair/);
      // A queue without partitions refuses an item with one: plain claims would never see it.
      await assert.rejects(
        k.transaction().execute((trx) => store.queue.enqueue(trx, { queue: LANE_QUEUE.poll, item_id: 'p9', partition_key: 'x', due_ms: 1 })),
        /has no partitions/,
      );
    });
  });
}
