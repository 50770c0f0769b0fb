/**
 * A key's running totals (balance, reserved, spent) are doubles added to in SQL, on every create and
 * settlement. 10,000 charges of a few cents must leave them exactly at the micro-dollar sum — not
 * ~1e-10 off, as plain double arithmetic drifts on a large balance — on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { kyselyCreateOps } from '../../src/store/kysely-create.js';
import { endReservation } from '../../src/store/ledger.js';
import { ledgerEntry } from '../../src/store/ledger-entry.js';
import { DIALECTS, migratedStore, testKey, type TestDatabase } from '../helpers/stores.js';

const CHARGES = 10_000;

for (const dialect of DIALECTS) {
  describe(`money totals on ${dialect}`, { timeout: 120_000 }, () => {
    const dbs: TestDatabase[] = [];
    after(async () => {
      for (const db of dbs) await db.cleanup();
    });

    it(`${CHARGES} reservations of $0.07 settled at $0.03, $0.01, $0.07 leave balance, spent and reserved exact`, async () => {
      const { db, store, kysely } = await migratedStore(dialect);
      dbs.push(db);
      const key = await testKey(store, 'big', { balance_usd: 1_000_000 });
      const costs = [0.03, 0.01, 0.07];
      let spentMicros = 0;
      const now = Date.now();
      for (let i = 0; i < CHARGES; i++) {
        const cost = costs[i % 3];
        spentMicros += Math.round(cost * 1e6);
        await kysely.transaction().execute(async (trx) => {
          // The queue is only for enqueueing a task, which this test does not do.
          assert.ok(await kyselyCreateOps(trx, null as never).reserve(key.id, 0.07));
          await endReservation(trx, ledgerEntry(key.id, null, 'settle', cost, 'm', now), 0.07);
        });
      }
      const after = await store.keys.get(key.id);
      assert.ok(after);
      assert.equal(after.spent_usd, spentMicros / 1e6);
      assert.equal(after.balance_usd, (1_000_000 * 1e6 - spentMicros) / 1e6);
      assert.equal(after.reserved_usd, 0);
    });

    it('a balance set to a fraction of a micro-dollar is kept whole, so no settle snaps it later (by the dialect’s tie rule)', async () => {
      const { db, store, kysely } = await migratedStore(dialect);
      dbs.push(db);
      const key = await testKey(store, 'odd', { balance_usd: 2.0000004 });
      assert.equal(key.balance_usd, 2);
      await kysely.transaction().execute(async (trx) => {
        assert.ok(await kyselyCreateOps(trx, null as never).reserve(key.id, 0.5));
        await endReservation(trx, ledgerEntry(key.id, null, 'settle', 0.5, 'm', Date.now()), 0.5);
      });
      assert.equal((await store.keys.get(key.id))?.balance_usd, 1.5);
    });
  });
}
