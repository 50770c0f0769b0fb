/**
 * The Authenticator's store lookups on a real SQLite store: concurrent requests with one uncached
 * key share one lookup (a slow or struggling store is asked once, not once per request), the answer
 * is then cached, and a failed lookup is not remembered.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Authenticator } from '../../src/http/auth.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { AccountService } from '../../src/tasks/accounts.js';
import { createTestDatabase, type TestDatabase } from '../helpers/stores.js';

let db: TestDatabase;
let store: SqlStore;
before(async () => {
  db = await createTestDatabase('sqlite');
  store = db.open();
  await store.migrate();
});
after(() => db.cleanup());

it('fifty concurrent requests with an uncached key cause one store lookup', async () => {
  const accounts = new AccountService(store);
  const { key, secret } = await accounts.create('burst', false);
  let lookups = 0;
  const auth = new Authenticator((hash) => {
    lookups++;
    return accounts.byHash(hash);
  });
  const header = `Bearer ${secret}`;
  const found = await Promise.all(Array.from({ length: 50 }, () => auth.identify(header)));
  assert.ok(found.every((k) => k.id === key.id));
  assert.equal(lookups, 1);
  // Another spelling of the same key (the header differs, the key does not) is looked up once more, then cached.
  await Promise.all([auth.identify(`bearer  ${secret}`), auth.identify(`bearer  ${secret}`)]);
  assert.equal(lookups, 2);
  await auth.identify(header);
  assert.equal(lookups, 2, 'cached');
});

it('a lookup that fails is not remembered: the next request asks again', async () => {
  const accounts = new AccountService(store);
  const { secret } = await accounts.create('flaky', false);
  let calls = 0;
  const auth = new Authenticator(async (hash) => {
    calls++;
    if (calls === 1) throw new Error('database unavailable');
    return accounts.byHash(hash);
  });
  await assert.rejects(Promise.resolve(auth.identify(`Bearer ${secret}`)), /database unavailable/);
  assert.ok(await auth.identify(`Bearer ${secret}`));
  assert.equal(calls, 2);
});
