import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import type { SqlStore } from '../../src/store/sql-store.js';
import type { WebhookSettings } from '../../src/webhooks/config.js';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { ADMIT_ALL, createTestDatabase, DIALECTS, finish, finishedTasks, newTask, testKey, type TestDatabase } from '../helpers/stores.js';

const settings = (over: Partial<WebhookSettings> = {}): WebhookSettings => ({
  retryScheduleMs: [0, 50, 50],
  timeoutMs: 2_000,
  connectTimeoutMs: 1_000,
  endpointCooldownMs: 60_000,
  maxResponseBytes: 1024,
  tickMs: 10,
  maxConcurrent: 4,
  ...over,
});

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

for (const dialect of DIALECTS) {
  describe(`webhook dispatcher on ${dialect}`, { timeout: 120_000 }, () => {
    let db: TestDatabase;
    let store: SqlStore;
    let receiver: http.Server;
    let hookUrl: string;
    let answers: number[] = [];
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string; at: number }> = [];
    const running: WebhookDispatcher[] = [];

    before(async () => {
      db = await createTestDatabase(dialect);
      store = db.open();
      await store.migrate();
      const r = await listen((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ headers: req.headers, body, at: Date.now() });
          res.writeHead(answers.shift() ?? 200).end();
        });
      });
      receiver = r.server;
      hookUrl = `${r.url}/hook`;
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((d) => d.stop()));
      received.length = 0;
      answers = [];
    });
    after(async () => {
      await close(receiver);
      await db.cleanup();
    });

    const start = (s: SqlStore, worker: string, over: Partial<WebhookSettings> = {}) => {
      const d = new WebhookDispatcher({
        store: s,
        render: (t) => ({ id: t.id, status: t.state }),
        policy: { allowPrivateNetwork: true },
        settings: settings(over),
        log: pino({ level: 'silent' }),
        workerId: worker,
      });
      running.push(d);
      d.start();
      return d;
    };

    it('sends the event queued when its task finished, signed, once even with two dispatchers', async () => {
      const key = await testKey(store, 'hooks');
      const [taskId] = await finishedTasks(store, key, 1, { callback_url: hookUrl });
      // PostgreSQL: two nodes; SQLite: two dispatchers on one node.
      start(store, 'node_a');
      start(dialect === 'postgres' ? db.open() : store, 'node_b');
      await until('delivery', () => received.length > 0);
      await new Promise((r) => setTimeout(r, 200)); // time for a duplicate to show up, if there were one
      assert.equal(received.length, 1);
      const verified = new Webhook(key.webhook_secret!).verify(received[0].body, received[0].headers as Record<string, string>);
      assert.deepEqual(verified, { id: taskId, status: 'completed' });
      const events = await store.webhooks.listForOwner(key.id, { taskId, limit: 10 });
      assert.deepEqual([events.length, events[0].status, events[0].attempt_count, events[0].event_type], [1, 'delivered', 1, 'video.generation.completed']);
      assert.equal(received[0].headers['webhook-id'], events[0].id);
    });

    it('sends the task as it is now, not as this node last cached it (another node or thread finished it)', async () => {
      const key = await testKey(store, 'fresh');
      // Another node (SQLite: another connection, as the engine thread has): its changes reach this
      // store's task cache only through change notices, which may come after the event is claimed.
      const other = db.open();
      const provider = `p_fresh_${dialect}`;
      const made = await other.tasks.create(newTask(key, { provider, callback_url: hookUrl }));
      assert.equal(made.kind, 'created');
      const id = made.kind === 'created' ? made.task.id : '';
      const [claimed] = (await other.tasks.claimPending({ now_ms: Date.now(), limit: 100, owner: 'w_other', lease_ms: 60_000, admission: ADMIT_ALL })).filter((c) => c.task.provider === provider);
      // This node reads it unfinished (a client's poll): it is cached here for a moment.
      assert.equal((await store.tasks.get(id))?.state, 'submitting');
      await finish(other, claimed, 'w_other', 'completed');
      start(store, 'node_a');
      await until('delivery', () => received.length > 0);
      assert.deepEqual(new Webhook(key.webhook_secret!).verify(received[0].body, received[0].headers as Record<string, string>), { id, status: 'completed' });
    });

    it('queues nothing for tasks without a callback_url', async () => {
      const key = await testKey(store, 'silent');
      await finishedTasks(store, key, 2, { callback_url: null });
      start(store, 'node_a');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(received.length, 0);
      assert.equal((await store.webhooks.listForOwner(key.id, { limit: 10 })).length, 0);
    });

    it('retries on the schedule with the same webhook-id, then gives up', async () => {
      answers = [500, 502, 503];
      const key = await testKey(store, 'retries');
      const [taskId] = await finishedTasks(store, key, 1, { callback_url: hookUrl, to: 'failed' });
      start(store, 'node_a', { endpointCooldownMs: 10 });
      await until('three attempts', () => received.length === 3);
      await until('given up', async () => (await store.webhooks.listForOwner(key.id, { taskId, limit: 1 }))[0].status === 'failed');
      assert.equal(new Set(received.map((r) => r.headers['webhook-id'])).size, 1);
      const [event] = await store.webhooks.listForOwner(key.id, { taskId, limit: 1 });
      assert.equal(event.event_type, 'video.generation.failed');
      const attempts = await store.webhooks.attemptsFor([event.id]);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.trigger, a.response_status]),
        [
          [1, 'initial', 500],
          [2, 'retry', 502],
          [3, 'retry', 503],
        ],
      );
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(received.length, 3, 'no attempt after the schedule ran out');
    });

    it('stops retrying when the receiver answers 410 Gone', async () => {
      answers = [410];
      const key = await testKey(store, 'gone');
      const [taskId] = await finishedTasks(store, key, 1, { callback_url: hookUrl });
      start(store, 'node_a');
      await until('given up', async () => (await store.webhooks.listForOwner(key.id, { taskId, limit: 1 }))[0]?.status === 'failed');
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(received.length, 1);
    });

    it('a tenant whose receiver never answers cannot delay another tenant’s webhook', async () => {
      // A receiver that accepts connections and never answers, and one that answers at once.
      const hung = await listen(() => undefined);
      let hungConnections = 0;
      hung.server.on('connection', () => hungConnections++);
      try {
        const slow = await testKey(store, 'slow-tenant');
        const fast = await testKey(store, 'fast-tenant');
        await finishedTasks(store, slow, 64, { callback_url: `${hung.url}/never` });
        start(store, 'node_a', { maxConcurrent: 16, timeoutMs: 15_000, tickMs: 200, endpointCooldownMs: 60_000 });
        await new Promise((r) => setTimeout(r, 500)); // the slow tenant's attempts are under way
        const finishedAt = Date.now();
        await finishedTasks(store, fast, 1, { callback_url: hookUrl });
        await until('the other tenant’s delivery', () => received.length > 0, 5_000);
        const delay = received[0].at - finishedAt;
        assert.ok(delay < 1_000, `delivered ${delay} ms after its task finished`);
        assert.equal(hungConnections, 8, 'the slow tenant holds half of the 16 slots, no more');
      } finally {
        await Promise.all(running.splice(0).map((d) => d.stop(100)));
        await close(hung.server);
      }
    });

    it('one tenant’s failing receiver does not rest another tenant’s receiver on the same host', async () => {
      // One host (a relay service, a shared ingress) serving both tenants: one path broken, one fine.
      const shared = await listen((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(req.url === '/broken' ? 500 : 200).end());
      });
      const okAt: number[] = [];
      shared.server.on('request', (req) => req.url === '/ok' && okAt.push(Date.now()));
      try {
        const broken = await testKey(store, 'broken-tenant');
        const healthy = await testKey(store, 'healthy-tenant');
        await finishedTasks(store, broken, 3, { callback_url: `${shared.url}/broken` });
        start(store, 'node_a', { retryScheduleMs: [0, 60_000], endpointCooldownMs: 60_000 });
        await until('three failures', async () => (await store.webhooks.listForOwner(broken.id, { limit: 10 })).reduce((n, e) => n + e.attempt_count, 0) >= 3);
        const finishedAt = Date.now();
        const [taskId] = await finishedTasks(store, healthy, 1, { callback_url: `${shared.url}/ok` });
        await until('the healthy tenant’s delivery', () => okAt.length > 0, 5_000);
        assert.ok(okAt[0] - finishedAt < 1_000, `delivered ${okAt[0] - finishedAt} ms after its task finished`);
        await until('delivered', async () => (await store.webhooks.listForOwner(healthy.id, { taskId, limit: 1 }))[0]?.status === 'delivered');
      } finally {
        await Promise.all(running.splice(0).map((d) => d.stop(100)));
        await close(shared.server);
      }
    });

    it('a receiver that refuses connections fails fast and then rests behind its breaker', async () => {
      const dead = await listen(() => undefined);
      const deadUrl = `${dead.url}/x`;
      await close(dead.server); // nothing listens there any more: connections are refused
      const key = await testKey(store, 'dead-endpoint');
      await finishedTasks(store, key, 6, { callback_url: deadUrl });
      start(store, 'node_a', { retryScheduleMs: [0, 10, 10, 10], endpointCooldownMs: 60_000 });
      await until('three failures', async () => (await store.webhooks.listForOwner(key.id, { limit: 10 })).reduce((n, e) => n + e.attempt_count, 0) >= 3);
      await new Promise((r) => setTimeout(r, 300));
      const events = await store.webhooks.listForOwner(key.id, { limit: 10 });
      const attempts = events.reduce((n, e) => n + e.attempt_count, 0);
      assert.ok(attempts <= 4, `after the breaker opened, attempts stop (${attempts})`);
      assert.ok(
        events.every((e) => e.status === 'pending'),
        'postponed, not given up',
      );
      assert.ok(
        events.some((e) => (e.last_error ?? '').includes('ECONNREFUSED')),
        events.map((e) => e.last_error).join('; '),
      );
    });
  });
}
