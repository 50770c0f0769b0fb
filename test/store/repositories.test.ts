/**
 * The repositories and the work queue, the same suite on SQLite and on PostgreSQL (each run in a
 * database of its own). Several stores on one database stand for several nodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStore } from '../../src/store/sql-store.js';
import type { Admission, Task } from '../../src/store/types.js';
import { ADMIT_ALL, createTestDatabase, DIALECTS, finish, newTask, testKey, type TestDatabase } from '../helpers/stores.js';

const open: Admission = ADMIT_ALL;
const opts = (owner: string, now = Date.now(), limit = 100, lease_ms = 60_000) => ({ now_ms: now, limit, owner, lease_ms });

for (const dialect of DIALECTS) {
  describe(`store on ${dialect}`, { timeout: 120_000 }, () => {
    let db: TestDatabase;
    let store: SqlStore;
    before(async () => {
      db = await createTestDatabase(dialect);
      store = db.open();
      await store.migrate();
    });
    after(() => db.cleanup());

    it('migrates once, also when several nodes start at the same time', async () => {
      const nodes = [db.open(), db.open(), db.open()];
      await Promise.all(nodes.map((n) => n.migrate()));
      await store.migrate();
      assert.equal(await store.meta.setIfAbsent('k', 'first'), 'first');
      assert.equal(await nodes[1].meta.setIfAbsent('k', 'second'), 'first');
    });

    it('keys: domain types out, limits and the ledger, a balance never below what is reserved', async () => {
      const key = await testKey(store, 'limits', { balance_usd: 1 });
      const found = await store.keys.findByHash(key.hash);
      assert.equal(found?.is_admin, false);
      assert.equal(typeof found?.created_ms, 'number');
      assert.equal(found?.balance_usd, 1);
      const created = await store.tasks.create(newTask(key, { estimated_cost_usd: 0.75 }));
      assert.equal(created.kind, 'created');
      const refused = await store.keys.updateLimits(key.id, { balance_usd: 0.5 }, Date.now());
      assert.ok(refused.kind === 'refused');
      assert.deepEqual([refused.refusal.reason, refused.refusal.param, refused.refusal.reservedUsd], ['below_reserved', 'balance_usd', 0.75]);
      const capped = await store.keys.updateLimits(key.id, { add_balance_usd: 2e9 }, Date.now());
      assert.ok(capped.kind === 'refused' && capped.refusal.reason === 'above_cap' && capped.refusal.param === 'add_balance_usd');
      const topped = await store.keys.updateLimits(key.id, { add_balance_usd: 2 }, Date.now());
      assert.equal(topped.kind === 'updated' && topped.key.balance_usd, 3);
      const kinds = (await store.ledger.entriesFor(key.id)).map((e) => e.kind);
      assert.deepEqual(kinds.sort(), ['adjust', 'credit', 'reserve']);
      assert.equal(await store.keys.revoke(key.id, Date.now()), true);
      assert.equal(await store.keys.revoke(key.id, Date.now()), false);
      assert.deepEqual(await store.keys.updateLimits(key.id, { rpm_limit: 5 }, Date.now()), { kind: 'not_found' });
    });

    it('creates reserve the estimate; a balance or spend limit that cannot cover it refuses, writing nothing', async () => {
      const key = await testKey(store, 'budget', { balance_usd: 1, spend_limit_usd: 1.5 });
      assert.equal((await store.tasks.create(newTask(key, { estimated_cost_usd: 0.6 }))).kind, 'created');
      const refused = await store.tasks.create(newTask(key, { estimated_cost_usd: 0.6 }), { key: 'idem-refused', body_hash: 'h', since_ms: 0 });
      assert.deepEqual(refused, { kind: 'insufficient_balance', balanceUsd: 1, availableUsd: 0.4 });
      assert.equal(await store.idempotency.find(key.id, 'idem-refused'), undefined, 'a refused create keeps no idempotency record');
      const unlimited = await testKey(store, 'capped', { spend_limit_usd: 1 });
      assert.equal((await store.tasks.create(newTask(unlimited, { estimated_cost_usd: 0.7 }))).kind, 'created');
      assert.deepEqual(await store.tasks.create(newTask(unlimited, { estimated_cost_usd: 0.7 })), { kind: 'quota_exceeded', limitUsd: 1, remainingUsd: 0.3 });
      assert.equal((await store.keys.get(key.id))?.reserved_usd, 0.6);
    });

    it('group commit: 60 concurrent creates, each durable and exactly reserved; one idempotency key makes one task', async () => {
      const key = await testKey(store, 'burst', { balance_usd: 100 });
      const plain = await Promise.all(Array.from({ length: 50 }, () => store.tasks.create(newTask(key, { estimated_cost_usd: 0.1 }))));
      assert.ok(plain.every((o) => o.kind === 'created'));
      const idem = await Promise.all(Array.from({ length: 10 }, () => store.tasks.create(newTask(key, { estimated_cost_usd: 0.1 }), { key: 'same', body_hash: 'h', since_ms: 0 })));
      const made = idem.filter((o) => o.kind === 'created');
      assert.equal(made.length, 1);
      const taskId = made[0].kind === 'created' ? made[0].task.id : '';
      assert.ok(idem.every((o) => o.kind === 'created' || (o.kind === 'replay' && o.record.task_id === taskId)));
      const fresh = await store.keys.get(key.id);
      assert.ok(Math.abs(fresh!.reserved_usd - 5.1) < 1e-9, `reserved ${fresh!.reserved_usd}`);
      // Another node sees every row.
      const other = db.open();
      for (const o of plain) assert.ok(o.kind === 'created' && (await other.tasks.get(o.task.id)));
    });

    it('an expired idempotency record is replaced; a live one replays across nodes', async () => {
      const key = await testKey(store, 'idem');
      const first = await store.tasks.create(newTask(key), { key: 'k1', body_hash: 'h', since_ms: 0 });
      assert.equal(first.kind, 'created');
      const other = db.open();
      const again = await other.tasks.create(newTask(key), { key: 'k1', body_hash: 'h', since_ms: 0 });
      assert.equal(again.kind === 'replay' && again.record.task_id, first.kind === 'created' && first.task.id);
      const later = await other.tasks.create(newTask(key), { key: 'k1', body_hash: 'h2', since_ms: Date.now() + 1000 });
      assert.equal(later.kind, 'created', 'a record older than the window is replaced');
    });

    it('claims pending tasks fairly: round-robin across keys, fewest in flight first, within provider capacity', async () => {
      const t0 = Date.now() - 1000;
      const burst = await testKey(store, 'burst-owner');
      const late = await testKey(store, 'late-owner');
      for (let i = 0; i < 6; i++) await store.tasks.create(newTask(burst, { provider: 'fairp', created_ms: t0 + i }));
      await store.tasks.create(newTask(late, { provider: 'fairp', created_ms: t0 + 100 }));
      const capped: Admission = { admit: (p, inFlight) => p !== 'fairp' || inFlight < 3, refund: () => undefined };
      const first = (await store.tasks.claimPending({ ...opts('w1'), admission: capped })).filter((c) => c.task.provider === 'fairp');
      assert.equal(first.length, 3, 'provider capacity 3');
      const owners = first.map((c) => c.task.owner_key_id);
      assert.ok(owners.includes(late.id), 'the late key is not starved by the earlier burst');
      assert.ok(first.every((c) => c.task.state === 'submitting'));
      assert.deepEqual(await store.tasks.inFlightByProvider().then((r) => r.fairp), 3);
      assert.equal((await store.tasks.claimPending({ ...opts('w2'), admission: capped })).filter((c) => c.task.provider === 'fairp').length, 0, 'full');
      // One finishes: a slot frees up.
      await finish(store, first[0], 'w1', 'completed');
      assert.equal(await store.tasks.inFlightByProvider().then((r) => r.fairp), 2);
      assert.equal((await store.tasks.claimPending({ ...opts('w2'), admission: capped })).filter((c) => c.task.provider === 'fairp').length, 1);
    });

    it('a refused admission is given back and nothing is claimed for it', async () => {
      const key = await testKey(store, 'refunds');
      await store.tasks.create(newTask(key, { provider: 'refundp' }));
      let refunds = 0;
      let admitted = 0;
      const counting: Admission = {
        admit: (p) => {
          if (p !== 'refundp') return false;
          admitted++;
          return true;
        },
        refund: () => refunds++,
      };
      const got = await store.tasks.claimPending({ ...opts('w1', Date.now(), 5), admission: counting });
      assert.equal(got.length, 1);
      assert.equal(admitted - refunds, 1, 'every admission beyond the one task was refunded');
    });

    it('several workers claiming at once never hold the same task while a lease lasts', async () => {
      const key = await testKey(store, 'race');
      const ids = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const o = await store.tasks.create(newTask(key, { provider: 'racep' }));
        if (o.kind === 'created') ids.add(o.task.id);
      }
      // SQLite is one node (its connections in one thread would only wait on each other): four
      // workers share it. PostgreSQL: four nodes.
      const nodes = dialect === 'postgres' ? [store, db.open(), db.open(), db.open()] : [store, store, store, store];
      const seen = new Map<string, string>();
      await Promise.all(
        nodes.map(async (node, n) => {
          for (let round = 0; round < 10; round++) {
            const got = await node.tasks.claimPending({ ...opts(`node${n}`, Date.now(), 3), admission: open });
            for (const c of got.filter((c) => ids.has(c.task.id))) {
              assert.ok(!seen.has(c.task.id), `${c.task.id} claimed by ${seen.get(c.task.id)} and node${n}`);
              seen.set(c.task.id, `node${n}`);
            }
          }
        }),
      );
      assert.equal(seen.size, 40);
      // Poll-lane claims race too.
      const now = Date.now();
      const claimedSubmissions = [...seen.entries()];
      for (const [id, owner] of claimedSubmissions) {
        const t = (await store.tasks.get(id))!;
        assert.ok(
          await store.tasks.transition(
            { task: t, lane: 'submit', attempts: 0 },
            owner,
            { from: 'submitting', to: 'processing', patch: { upstream_id: `up_${id}`, submitted_ms: now }, next: { lane: 'poll', due_ms: now, attempts: 0 } },
            now,
          ),
        );
      }
      const polled = new Map<string, number>();
      await Promise.all(
        nodes.map(async (node, n) => {
          for (let r = 0; r < 5; r++) for (const c of await node.tasks.claim('poll', opts(`poller${n}`, now + 1, 4))) if (ids.has(c.task.id)) polled.set(c.task.id, (polled.get(c.task.id) ?? 0) + 1);
        }),
      );
      assert.equal(polled.size, 40);
      assert.ok(
        [...polled.values()].every((n) => n === 1),
        'each polled once while leased',
      );
    });

    it('a lease that runs out is taken over; the stale holder’s commit is dropped', async () => {
      const key = await testKey(store, 'lease');
      await store.tasks.create(newTask(key, { provider: 'leasep' }));
      const now = Date.now();
      const [c] = (await store.tasks.claimPending({ ...opts('old', now, 10, 1_000), admission: open })).filter((x) => x.task.provider === 'leasep');
      assert.ok(c);
      assert.equal((await store.tasks.claim('submit', opts('new', now + 500))).filter((x) => x.task.id === c.task.id).length, 0, 'held');
      const [taken] = (await store.tasks.claim('submit', opts('new', now + 2_000))).filter((x) => x.task.id === c.task.id);
      assert.ok(taken, 'recovery takes an expired submission');
      assert.equal(taken.task.state, 'submitting');
      assert.equal(await store.tasks.transition(c, 'old', { from: 'submitting', to: 'processing', next: { lane: 'poll', due_ms: now, attempts: 0 } }, now), false);
      assert.equal(await store.tasks.transition(taken, 'new', { from: 'submitting', to: 'pending', next: { lane: 'submit', due_ms: now, attempts: 0 } }, now), true);
      assert.equal((await store.tasks.get(c.task.id))?.state, 'pending');
    });

    it('shutdown releases polls and downloads but keeps in-flight submissions leased', async () => {
      const key = await testKey(store, 'release');
      await store.tasks.create(newTask(key, { provider: 'relp' }));
      await store.tasks.create(newTask(key, { provider: 'relp' }));
      const now = Date.now();
      const claimed = (await store.tasks.claimPending({ ...opts('leaving', now), admission: open })).filter((x) => x.task.provider === 'relp');
      assert.equal(claimed.length, 2);
      assert.ok(await store.tasks.transition(claimed[0], 'leaving', { from: 'submitting', to: 'processing', patch: { upstream_id: 'u' }, next: { lane: 'poll', due_ms: now, attempts: 0 } }, now));
      const [p] = (await store.tasks.claim('poll', opts('leaving', now))).filter((x) => x.task.id === claimed[0].task.id);
      assert.ok(p);
      assert.equal(await store.tasks.releaseLeases('leaving', now), 1);
      assert.equal((await store.tasks.claim('poll', opts('next', now))).filter((x) => x.task.id === p.task.id).length, 1, 'the poll is free at once');
      assert.equal((await store.tasks.claim('submit', opts('next', now + 1000))).filter((x) => x.task.id === claimed[1].task.id).length, 0, 'the submission waits for its lease');
    });

    it('finishing settles or releases in the same transaction and queues the webhook event', async () => {
      const key = await testKey(store, 'settle', { balance_usd: 5 });
      const a = await store.tasks.create(newTask(key, { provider: 'setp', estimated_cost_usd: 0.4, callback_url: 'https://hooks.example.com/a' }));
      const b = await store.tasks.create(newTask(key, { provider: 'setp', estimated_cost_usd: 0.4, callback_url: 'https://hooks.example.com/b' }));
      assert.ok(a.kind === 'created' && b.kind === 'created');
      const claimed = (await store.tasks.claimPending({ ...opts('w'), admission: open })).filter((x) => x.task.provider === 'setp');
      const byId = new Map(claimed.map((c) => [c.task.id, c]));
      await finish(store, byId.get(a.task.id)!, 'w', 'completed', 0.3);
      await finish(store, byId.get(b.task.id)!, 'w', 'failed');
      const k = (await store.keys.get(key.id))!;
      assert.ok(Math.abs(k.reserved_usd) < 1e-9);
      assert.ok(Math.abs(k.spent_usd - 0.3) < 1e-9);
      assert.ok(Math.abs(k.balance_usd! - 4.7) < 1e-9);
      const done = (await store.tasks.get(a.task.id))!;
      assert.equal(done.state, 'completed');
      assert.equal(done.video?.has_audio, true);
      assert.match(done.billing_transaction_id ?? '', /^txn_/);
      assert.ok(done.version >= 4, 'every change bumps the version');
      const events = await store.webhooks.listForOwner(key.id, { limit: 10 });
      assert.deepEqual(events.map((e) => e.event_type).sort(), ['video.generation.completed', 'video.generation.failed']);
    });

    it('re-pricing a submission: raised only within the balance and spend limit, lowered freely, only by the lease holder', async () => {
      const key = await testKey(store, 'reprice', { balance_usd: 6, spend_limit_usd: 20 });
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await store.tasks.create(newTask(key, { provider: 'repricep', estimated_cost_usd: 0.4 })));
      const claimed = (await store.tasks.claimPending({ ...opts('w'), admission: open })).filter((x) => x.task.provider === 'repricep');
      assert.equal(claimed.length, 3);
      const [a, b, c] = claimed;
      const now = Date.now();
      const reserved = async () => (await store.keys.get(key.id))!.reserved_usd;
      // A 120 s source at $0.04/s: $4.80, $4.40 more than the create reserved; the balance covers it.
      assert.deepEqual(await store.tasks.reprice(a, 'w', 4.8, now), { kind: 'reserved', reservedUsd: 4.8 });
      assert.ok(Math.abs((await reserved()) - 5.6) < 1e-9);
      assert.equal((await store.tasks.get(a.task.id))?.estimated_cost_usd, 4.8);
      // The next one does not fit ($6 − $5.60 reserved leaves $0.40): refused, nothing written.
      assert.deepEqual(await store.tasks.reprice(b, 'w', 4.8, now), { kind: 'insufficient_balance', balanceUsd: 6, availableUsd: 0.4 });
      assert.ok(Math.abs((await reserved()) - 5.6) < 1e-9);
      assert.equal((await store.tasks.get(b.task.id))?.estimated_cost_usd, 0.4);
      // Lowered (a 3 s source): the difference is released at once.
      assert.deepEqual(await store.tasks.reprice(c, 'w', 0.12, now), { kind: 'reserved', reservedUsd: 0.12 });
      assert.ok(Math.abs((await reserved()) - 5.32) < 1e-9);
      // Only the lease holder may re-price, and only while submitting.
      assert.deepEqual(await store.tasks.reprice(b, 'someone-else', 0.1, now), { kind: 'lost' });
      const ledger = (await store.ledger.entriesFor(key.id)).filter((e) => e.task_id === a.task.id || e.task_id === c.task.id);
      assert.deepEqual(ledger.map((e) => `${e.task_id === a.task.id ? 'a' : 'c'} ${e.kind} ${e.amount_usd}`).sort(), ['a reserve 0.4', 'a reserve 4.4', 'c release 0.28', 'c reserve 0.4']);
      // Ending a re-priced task settles at most, and releases exactly, what it holds now.
      await finish(store, a, 'w', 'completed', 7.5);
      await finish(store, c, 'w', 'failed');
      const done = (await store.tasks.get(a.task.id))!;
      assert.equal(done.cost_usd, 4.8, 'charged what was reserved, not the $7.50 produced');
      const k = (await store.keys.get(key.id))!;
      assert.ok(Math.abs(k.reserved_usd - 0.4) < 1e-9, `only b's reservation is left: ${k.reserved_usd}`);
      assert.ok(Math.abs(k.spent_usd - 4.8) < 1e-9 && Math.abs(k.balance_usd! - 1.2) < 1e-9, `spent ${k.spent_usd}, balance ${k.balance_usd}`);
      const settle = (await store.ledger.entriesFor(key.id)).find((e) => e.task_id === a.task.id && e.kind === 'settle');
      assert.deepEqual([settle?.amount_usd, settle?.id], [4.8, done.billing_transaction_id]);
      // The spend limit is checked the same way: spent + reserved + the raise must stay within it.
      const capped = await testKey(store, 'reprice-limit', { spend_limit_usd: 1 });
      await store.tasks.create(newTask(capped, { provider: 'repricel', estimated_cost_usd: 0.4 }));
      const [q] = (await store.tasks.claimPending({ ...opts('w'), admission: open })).filter((x) => x.task.provider === 'repricel');
      assert.deepEqual(await store.tasks.reprice(q, 'w', 1.2, now), { kind: 'quota_exceeded', limitUsd: 1, remainingUsd: 0.6 });
      assert.deepEqual(await store.tasks.reprice(q, 'w', 1, now), { kind: 'reserved', reservedUsd: 1 });
    });

    it('concurrent re-pricings of one key never overdraw it (several nodes)', async () => {
      const key = await testKey(store, 'reprice-race', { balance_usd: 10 });
      for (let i = 0; i < 8; i++) await store.tasks.create(newTask(key, { provider: 'repracep', estimated_cost_usd: 0.5 }));
      const claimed = (await store.tasks.claimPending({ ...opts('w'), admission: open })).filter((x) => x.task.provider === 'repracep');
      assert.equal(claimed.length, 8);
      const nodes = dialect === 'postgres' ? [store, db.open(), db.open(), db.open()] : [store];
      // Each wants $3: with $10 and $4 already reserved, exactly two of them fit ($4 + 2 × $2.50 = $9).
      const outcomes = await Promise.all(claimed.map((c, i) => nodes[i % nodes.length].tasks.reprice(c, 'w', 3, Date.now())));
      assert.equal(outcomes.filter((o) => o.kind === 'reserved').length, 2, JSON.stringify(outcomes));
      assert.ok(outcomes.every((o) => o.kind === 'reserved' || o.kind === 'insufficient_balance'));
      const k = (await store.keys.get(key.id))!;
      assert.ok(Math.abs(k.reserved_usd - 9) < 1e-9, `reserved ${k.reserved_usd}`);
      assert.ok(k.balance_usd! - k.reserved_usd >= 0);
    });

    it('cancel: pending at once; processing after the upstream agreed; a racing worker loses', async () => {
      const key = await testKey(store, 'cancel', { balance_usd: 2 });
      const p = await store.tasks.create(newTask(key, { provider: 'canp' }));
      assert.ok(p.kind === 'created');
      const failure = { code: 'task_cancelled', message: 'gone' };
      assert.equal(await store.tasks.cancel(p.task.id, 'pending', failure, Date.now()), true);
      assert.equal(await store.tasks.cancel(p.task.id, 'pending', failure, Date.now()), false);
      const t = (await store.tasks.get(p.task.id))!;
      assert.deepEqual([t.state, t.cancelled, t.error?.code], ['failed', true, 'task_cancelled']);
      assert.equal((await store.tasks.claimPending({ ...opts('w'), admission: open })).filter((x) => x.task.id === t.id).length, 0);

      const q = await store.tasks.create(newTask(key, { provider: 'canp' }));
      assert.ok(q.kind === 'created');
      const [c] = (await store.tasks.claimPending({ ...opts('w'), admission: open })).filter((x) => x.task.id === q.task.id);
      const now = Date.now();
      await store.tasks.transition(c, 'w', { from: 'submitting', to: 'processing', patch: { upstream_id: 'u' }, next: { lane: 'poll', due_ms: now, attempts: 0 } }, now);
      const [polling] = (await store.tasks.claim('poll', opts('w', now))).filter((x) => x.task.id === q.task.id);
      assert.equal(await store.tasks.cancel(q.task.id, 'processing', failure, now), true);
      assert.equal(await store.tasks.transition(polling, 'w', { from: 'processing', to: 'processing', next: { lane: 'poll', due_ms: now + 10, attempts: 0 } }, now), false);
      assert.equal(await store.tasks.inFlightByProvider().then((r) => r.canp ?? 0), 0);
      assert.ok(Math.abs((await store.keys.get(key.id))!.reserved_usd) < 1e-9);
    });

    it('lists a key’s own tasks newest first with a cursor and filters; never another key’s', async () => {
      const mine = await testKey(store, 'lister');
      const theirs = await testKey(store, 'other');
      const t0 = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const o = await store.tasks.create(newTask(mine, { created_ms: t0 + i, model: i % 2 ? 'veo3' : 'veo3.1-fast' }));
        if (o.kind === 'created') ids.push(o.task.id);
      }
      await store.tasks.create(newTask(theirs, { created_ms: t0 + 10 }));
      const page1 = await store.tasks.listForOwner(mine.id, { limit: 2 });
      assert.deepEqual(
        page1.map((t) => t.id),
        [ids[4], ids[3]],
      );
      const page2 = await store.tasks.listForOwner(mine.id, { limit: 10, after: page1[1].id });
      assert.deepEqual(
        page2.map((t) => t.id),
        [ids[2], ids[1], ids[0]],
      );
      assert.deepEqual(
        (await store.tasks.listForOwner(mine.id, { limit: 10, model: 'veo3' })).map((t) => t.id),
        [ids[3], ids[1]],
      );
      assert.equal((await store.tasks.listForOwner(mine.id, { limit: 10, status: 'completed' })).length, 0);
      assert.equal((await store.tasks.listForOwner(mine.id, { limit: 10, status: 'pending' })).length, 5);
      assert.deepEqual(await store.tasks.listForOwner(theirs.id, { limit: 10, after: ids[4] }), [], 'a cursor of another key is not followed');
    });

    it('retention finds stored outputs by age and marks them expired', async () => {
      const key = await testKey(store, 'retention');
      await store.tasks.create(newTask(key, { provider: 'retp' }));
      const [c] = (await store.tasks.claimPending({ ...opts('w'), admission: open })).filter((x) => x.task.provider === 'retp');
      await finish(store, c, 'w', 'completed');
      const old: Task[] = (await store.tasks.expiredOutputs(Date.now() + 1000, 100)).filter((t) => t.id === c.task.id);
      assert.equal(old.length, 1);
      assert.equal(await store.tasks.markOutputExpired(c.task.id, Date.now()), true);
      const t = (await store.tasks.get(c.task.id))!;
      assert.equal(t.video?.blob_key, null);
      assert.equal(typeof t.output_expired_ms, 'number');
      assert.equal((await store.tasks.expiredOutputs(Date.now() + 1000, 100)).filter((x) => x.id === c.task.id).length, 0);
    });

    it('webhook deliveries are claimed fairly across keys and a key can be held to its share', async () => {
      const noisy = await testKey(store, 'noisy');
      const quiet = await testKey(store, 'quiet');
      const make = async (key: typeof noisy, n: number) => {
        for (let i = 0; i < n; i++) {
          await store.tasks.create(newTask(key, { provider: 'hookp', callback_url: `https://hooks.example.com/${key.name}` }));
        }
      };
      await make(noisy, 6);
      await make(quiet, 1);
      for (const c of (await store.tasks.claimPending({ ...opts('w'), admission: open })).filter((x) => x.task.provider === 'hookp')) await finish(store, c, 'w', 'failed');
      const held = new Map<string, number>();
      const claimed = await store.webhooks.claim({
        ...opts('hooker', Date.now() + 10, 4),
        admit: (k) => {
          if (k !== noisy.id && k !== quiet.id) return false;
          const n = held.get(k) ?? 0;
          if (n >= 2) return false;
          held.set(k, n + 1);
          return true;
        },
      });
      const owners = claimed.map((c) => c.event.owner_key_id);
      assert.equal(owners.filter((o) => o === noisy.id).length, 2, 'the noisy key held to 2');
      assert.equal(owners.filter((o) => o === quiet.id).length, 1, 'the quiet key is served');
      // Record: delivered; retry later; a redeliver mid-attempt keeps the new round.
      const [q] = claimed.filter((c) => c.event.owner_key_id === quiet.id);
      await store.webhooks.recordAttempt(q, 'hooker', { started_ms: Date.now(), duration_ms: 5, response_status: 200, error: null, succeeded: true, next_attempt_ms: null });
      assert.equal((await store.webhooks.getForOwner(q.event.id, quiet.id))?.status, 'delivered');
      const [n1, n2] = claimed.filter((c) => c.event.owner_key_id === noisy.id);
      await store.webhooks.recordAttempt(n1, 'hooker', { started_ms: Date.now(), duration_ms: 5, response_status: 500, error: 'HTTP 500', succeeded: false, next_attempt_ms: Date.now() + 60_000 });
      const e1 = (await store.webhooks.getForOwner(n1.event.id, noisy.id))!;
      assert.deepEqual([e1.status, e1.round_attempts, e1.attempt_count], ['pending', 1, 1]);
      assert.ok(await store.webhooks.redeliver(n2.event.id, noisy.id, Date.now()));
      assert.equal(await store.webhooks.redeliver(n2.event.id, quiet.id, Date.now()), undefined, 'not another key’s');
      await store.webhooks.recordAttempt(n2, 'hooker', { started_ms: Date.now(), duration_ms: 5, response_status: 500, error: 'HTTP 500', succeeded: false, next_attempt_ms: null });
      const e2 = (await store.webhooks.getForOwner(n2.event.id, noisy.id))!;
      assert.deepEqual([e2.status, e2.round, e2.round_attempts], ['pending', 1, 0], 'the new round is not ended by the old attempt');
      assert.equal((await store.webhooks.attemptsFor([n1.event.id, n2.event.id])).length, 2);
    });
  });
}
