/**
 * The API-key use cases (src/tasks/accounts.ts) on a real store, SQLite and PostgreSQL: what admins
 * do to keys, and what a key reads or sets about itself — never another key's deliveries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashSecret } from '../../src/keys/keys.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { AccountService } from '../../src/tasks/accounts.js';
import { createTestDatabase, DIALECTS, finishedTasks, type TestDatabase } from '../helpers/stores.js';

for (const dialect of DIALECTS) {
  describe(`accounts on ${dialect}`, { timeout: 120_000 }, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let now = Date.UTC(2026, 11, 1, 12);
    let accounts: AccountService;
    before(async () => {
      db = await createTestDatabase(dialect);
      store = db.open();
      await store.migrate();
      accounts = new AccountService(store, () => now);
    });
    after(() => db.cleanup());

    it('creates a key whose secret is shown once and found by its hash; updates and revokes it at the injected time', async () => {
      const created = await accounts.create('app', false);
      assert.match(created.secret, /^sk-/);
      const found = await accounts.byHash(hashSecret(created.secret));
      assert.equal(found?.id, created.key.id);
      assert.equal(found?.is_admin, false);
      assert.ok((await accounts.list()).some((k) => k.id === created.key.id));

      const updated = await accounts.update(created.key.id, { balance_usd: 5, rpm_limit: 30 });
      assert.equal(updated.kind, 'updated');
      assert.deepEqual(updated.kind === 'updated' && [updated.key.balance_usd, updated.key.rpm_limit], [5, 30]);
      assert.equal((await accounts.update('key_missing', { balance_usd: 1 })).kind, 'not_found');

      now += 60_000;
      assert.equal(await accounts.revoke(created.key.id), true);
      assert.equal((await accounts.get(created.key.id))?.revoked_ms, now, 'revoked at the service clock');
      assert.equal(await accounts.revoke(created.key.id), false, 'a revoked key is not revoked twice');
    });

    it('a webhook secret is made once and kept until rotated; a default webhook URL is set and cleared', async () => {
      const { key } = await accounts.create('hooks', false);
      const first = await accounts.webhookSecret(key.id);
      assert.ok(first);
      assert.equal(await accounts.webhookSecret(key.id), first, 'the same secret on every read');
      const rotated = await accounts.rotateWebhookSecret(key.id);
      assert.ok(rotated && rotated !== first);
      assert.equal(await accounts.webhookSecret(key.id), rotated);
      assert.equal(await accounts.rotateWebhookSecret('key_missing'), null);
      assert.equal(await accounts.webhookSecret('key_missing'), undefined);

      const set = await accounts.setDefaultWebhook(key.id, 'https://hooks.example.com/a');
      assert.equal(set.kind === 'updated' && set.key.webhook_url, 'https://hooks.example.com/a');
      const cleared = await accounts.setDefaultWebhook(key.id, null);
      assert.equal(cleared.kind === 'updated' && cleared.key.webhook_url, null);
    });

    it("lists, reads and redelivers a key's own deliveries, and answers another key's as missing", async () => {
      const { key: owner } = await accounts.create('owner', false);
      const { key: other } = await accounts.create('other', false);
      const [taskId] = await finishedTasks(store, owner, 1, { callback_url: 'https://hooks.example.com/done' });

      const mine = await accounts.deliveries(owner.id, { limit: 10 });
      assert.equal(mine.length, 1);
      assert.equal(mine[0].event.task_id, taskId);
      assert.deepEqual(mine[0].attempts, [], 'no attempt yet');
      assert.equal((await accounts.deliveries(owner.id, { taskId, limit: 10 })).length, 1);
      assert.equal((await accounts.deliveries(owner.id, { taskId: 'ldtask_00000000000000000000000000000000', limit: 10 })).length, 0);

      const id = mine[0].event.id;
      assert.equal((await accounts.delivery(owner.id, id))?.event.id, id);
      assert.deepEqual(await accounts.deliveries(other.id, { limit: 10 }), []);
      assert.equal(await accounts.delivery(other.id, id), undefined);
      assert.equal(await accounts.redeliver(other.id, id), undefined);

      const again = await accounts.redeliver(owner.id, id);
      assert.equal(again?.event.status, 'pending');
      assert.equal(again?.event.next_attempt_ms, now, 'due at the service clock');
    });

    it("usage: one key's spend, or every key's", async () => {
      const { key } = await accounts.create('spender', false);
      await finishedTasks(store, key, 2);
      const day = new Date().toISOString().slice(0, 10);
      const rows = await accounts.usage(key.id, day, day);
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r.key_id === key.id));
      assert.equal(
        rows.reduce((n, r) => n + r.requests, 0),
        2,
      );
      const all = await accounts.usage(null, day, day);
      assert.ok(all.some((r) => r.key_id === key.id));
    });
  });
}
