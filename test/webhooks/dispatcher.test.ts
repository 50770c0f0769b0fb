import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { newTaskId } from '../../src/contract/ids.js';
import { createKey } from '../../src/keys/keys.js';
import type { TaskRow } from '../../src/store/schema.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { WebhookStore, type ClaimedEvent } from '../../src/store/webhook-store.js';
import type { WebhookSettings } from '../../src/webhooks/config.js';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { newMessageId } from '../../src/webhooks/signing.js';

function taskRow(over: Partial<TaskRow>): TaskRow {
  return {
    id: newTaskId(), owner_key_id: 'key_x', model: 'veo3.1-fast', provider: 'google', operation: 'text-to-video', state: 'completed',
    request_json: '{}', upstream_model: 'veo', upstream_id: null, progress: null, error_code: null, error_message: null,
    cancelled: 0, created: 1, updated: Math.floor(Date.now() / 1000), next_run_at: 0, lease_owner: null, lease_until: null, attempts: 0, submitted_at: null,
    outputs_json: null, video_blob: null, video_duration: null, video_width: null, video_height: null, video_has_audio: null,
    estimated_cost_usd: 0, cost_usd: null, billing_transaction_id: null, callback_url: null, completed_at: null, output_expired_at: null, ...over,
  };
}

const settings = (over: Partial<WebhookSettings> = {}): WebhookSettings => ({ retryScheduleMs: [0, 50, 50], timeoutMs: 2_000, maxResponseBytes: 1024, tickMs: 10, maxConcurrent: 4, ...over });

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('webhook dispatcher and store', () => {
  let dir: string;
  let stores: SqlStore[];
  let receiver: http.Server;
  let hookUrl: string;
  let answers: number[];
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const running: WebhookDispatcher[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-webhooks-'));
    // Two connections to one file: two "nodes" sharing a database.
    stores = [openSqliteStore(path.join(dir, 'db.sqlite')), openSqliteStore(path.join(dir, 'db.sqlite'))];
    for (const s of stores) await s.migrate();
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
    received.length = 0;
    answers = [];
  });
  after(async () => {
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
    for (const s of stores) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (store: SqlStore, worker: string, over: Partial<WebhookSettings> = {}) => {
    const d = new WebhookDispatcher({
      store: new WebhookStore(store.kysely),
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
  const finishedTask = async (over: Partial<TaskRow> = {}) => {
    const key = await createKey(stores[0], 'hooks', false);
    const task = taskRow({ owner_key_id: key.row.id, callback_url: hookUrl, ...over });
    await stores[0].insertTask(task);
    return { key, task };
  };

  it('derives the event from a task that finished with no event queued, and two nodes send it once', async () => {
    answers = [];
    const { key, task } = await finishedTask();
    start(stores[0], 'node_a');
    start(stores[1], 'node_b');
    await until('delivery', () => received.length > 0);
    await new Promise((r) => setTimeout(r, 200)); // time for a duplicate to show up, if there were one
    assert.equal(received.length, 1);
    const verified = new Webhook(key.row.webhook_secret!).verify(received[0].body, received[0].headers as Record<string, string>);
    assert.deepEqual(verified, { id: task.id, status: 'completed' });
    const events = await new WebhookStore(stores[0].kysely).listForOwner(key.row.id, { taskId: task.id, limit: 10 });
    assert.equal(events.length, 1);
    assert.deepEqual([events[0].status, events[0].attempt_count, events[0].event_type], ['delivered', 1, 'video.generation.completed']);
    assert.equal(received[0].headers['webhook-id'], events[0].id);
  });

  it('ignores running tasks and tasks without a callback_url', async () => {
    await finishedTask({ state: 'processing' });
    await finishedTask({ callback_url: null });
    start(stores[0], 'node_a');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received.length, 0);
  });

  it('retries on the schedule with the same webhook-id, then gives up', async () => {
    answers = [500, 502, 503];
    const { key, task } = await finishedTask({ state: 'failed', error_code: 'x' });
    start(stores[0], 'node_a');
    await until('three attempts', () => received.length === 3);
    const webhooks = new WebhookStore(stores[0].kysely);
    await until('given up', async () => (await webhooks.listForOwner(key.row.id, { taskId: task.id, limit: 1 }))[0].status === 'failed');
    assert.equal(new Set(received.map((r) => r.headers['webhook-id'])).size, 1);
    const [event] = await webhooks.listForOwner(key.row.id, { taskId: task.id, limit: 1 });
    assert.equal(event.event_type, 'video.generation.failed');
    const attempts = await webhooks.attemptsFor([event.id]);
    assert.deepEqual(attempts.map((a) => [a.attempt, a.trigger, a.response_status]), [[1, 'initial', 500], [2, 'retry', 502], [3, 'retry', 503]]);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(received.length, 3, 'no attempt after the schedule ran out');
  });

  it('stops retrying when the receiver answers 410 Gone', async () => {
    answers = [410];
    const { key, task } = await finishedTask();
    start(stores[0], 'node_a');
    const webhooks = new WebhookStore(stores[0].kysely);
    await until('given up', async () => (await webhooks.listForOwner(key.row.id, { taskId: task.id, limit: 1 }))[0]?.status === 'failed');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(received.length, 1);
  });

  // The last two tests work the store by hand (no dispatcher runs after them).
  it('a lease keeps an event from a second claimer until it expires; a stale holder cannot advance it', async () => {
    const { key, task } = await finishedTask({ callback_url: 'https://hooks.example.com/x' });
    const [a, b] = stores.map((s) => new WebhookStore(s.kysely));
    const make = { id: newMessageId, type: (s: 'completed' | 'failed') => `video.generation.${s}` };
    await a.createMissingEvents(0, 1000, Date.now(), make);
    await b.createMissingEvents(0, 1000, Date.now(), make); // the unique (task, type) pair: still one event
    const mine = (rows: ClaimedEvent[]) => rows.filter((r) => r.event.task_id === task.id);
    const now = Date.now();
    const first = mine(await a.claimDue(now, 100, 'node_a', 1_000));
    assert.equal(first.length, 1);
    assert.equal(mine(await b.claimDue(now, 100, 'node_b', 1_000)).length, 0);
    const takeover = mine(await b.claimDue(now + 2_000, 100, 'node_b', 1_000));
    assert.equal(takeover.length, 1, 'an expired lease (its holder died) is taken over');
    await a.recordAttempt(first[0], 'node_a', { started: 1, durationMs: 1, responseStatus: 200, error: null, succeeded: true, nextAttemptAt: null });
    const [event] = await a.listForOwner(key.row.id, { taskId: task.id, limit: 5 });
    assert.deepEqual([event.status, event.lease_owner], ['pending', 'node_b'], 'the stale holder only logged its attempt');
    assert.equal((await a.attemptsFor([event.id])).length, 1);
  });

  it('a redeliver during an attempt keeps its new round: the old attempt does not reschedule it', async () => {
    const { key, task } = await finishedTask({ callback_url: 'https://hooks.example.com/y' });
    const w = new WebhookStore(stores[0].kysely);
    await w.createMissingEvents(0, 1000, Date.now(), { id: newMessageId, type: () => 'video.generation.completed' });
    const claimed = (await w.claimDue(Date.now(), 100, 'node_a', 10_000)).filter((c) => c.event.task_id === task.id);
    assert.equal(claimed.length, 1);
    const redelivered = await w.redeliver(claimed[0].event.id, key.row.id, Date.now());
    assert.ok(redelivered);
    assert.equal(await w.redeliver(claimed[0].event.id, 'key_someone_else', Date.now()), undefined);
    await w.recordAttempt(claimed[0], 'node_a', { started: 1, durationMs: 1, responseStatus: 500, error: 'HTTP 500', succeeded: false, nextAttemptAt: null });
    const [event] = await w.listForOwner(key.row.id, { taskId: task.id, limit: 5 });
    assert.deepEqual([event.status, event.round, event.round_attempts, event.attempt_count], ['pending', 1, 0, 1]);
    assert.ok(event.next_attempt_at !== null && event.next_attempt_at <= Date.now());
  });
});
