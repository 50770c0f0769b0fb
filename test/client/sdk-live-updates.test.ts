import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Vidgate, type Task } from '../../src/client/index.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const REQUEST = { model: 'veo3.1-fast', prompt: 'A paper boat drifting down a rainy street', duration: 4 } as const;

describe('SDK waits with the server event stream or long poll, not a polling loop', { timeout: 180_000 }, () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway({ VIDGATE_MAX_WAITS_PER_KEY: '1' });
  });
  after(() => gw.close());

  it('follows GET /v1/tasks/{id}/events (SSE) when the server streams', async () => {
    const proxy = await startFaultProxy(gw.url, () => ({ kind: 'forward' }));
    try {
      const vg = new Vidgate({ baseUrl: proxy.url, apiKey: gw.adminKey });
      const seen: Task[] = [];
      const task = await vg.videos.generate(REQUEST, { onProgress: (t) => seen.push(t), pollIntervalMs: 50 });
      assert.equal(task.status, 'completed');
      assert.equal(seen.at(-1)?.status, 'completed');
      const reads = proxy.seen.filter((r) => r.method === 'GET').map((r) => r.url.split('?')[0]);
      assert.deepEqual(reads, [`/v1/tasks/${task.id}/events`], 'one stream, no polls');
    } finally {
      await proxy.close();
    }
  });

  it('long polls (?wait=) when there is no event stream: a handful of requests, not one per interval', async () => {
    const proxy = await startFaultProxy(gw.url, (req) =>
      req.url?.includes('/events') ? { kind: 'status', status: 404, body: { error: { message: 'No route', type: 'not_found_error', code: 'route_not_found' } } } : { kind: 'forward' },
    );
    try {
      const vg = new Vidgate({ baseUrl: proxy.url, apiKey: gw.adminKey });
      const task = await vg.videos.generate(REQUEST, { pollIntervalMs: 50 });
      assert.equal(task.status, 'completed');
      const polls = proxy.seen.filter((r) => r.method === 'GET' && r.url.startsWith(`/v1/tasks/${task.id}?`));
      assert.ok(
        polls.every((r) => /[?&]wait=30\b/.test(r.url)),
        polls.map((r) => r.url).join(' '),
      );
      // pending → processing → completed: each answer is a change (with 50 ms polling it would be dozens).
      assert.ok(polls.length >= 1 && polls.length <= 5, `${polls.length} polls`);
      // The client remembered that this server has no stream: a second wait goes straight to long polls.
      const before = proxy.seen.length;
      await vg.tasks.wait(task.id);
      assert.deepEqual(
        proxy.seen.slice(before).map((r) => r.url.split('?')[0]),
        [`/v1/tasks/${task.id}`],
      );
    } finally {
      await proxy.close();
    }
  });

  it('a key at its limit of open waits still follows its task, by plain polling', async () => {
    const api = await startTestGateway({ VIDGATE_ROLE: 'api', VIDGATE_MAX_WAITS_PER_KEY: '1' });
    try {
      const client = new Vidgate({ baseUrl: api.url, apiKey: api.adminKey, maxRetries: 0 });
      const held = await client.videos.create(REQUEST); // stays pending: no engine here
      const controller = new AbortController();
      const holding = client.tasks.wait(held.id, { signal: controller.signal }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300)); // the first wait holds the key's only slot
      const other = await client.videos.create(REQUEST);
      const reports: string[] = [];
      // Neither the stream nor a long poll is allowed now: the wait polls until its own deadline.
      const err = await client.tasks.wait(other.id, { pollIntervalMs: 50, timeoutMs: 1_500, onProgress: (t) => reports.push(t.status) }).catch((e: unknown) => e);
      assert.equal((err as { code?: string }).code, 'wait_timeout', String(err));
      assert.deepEqual(reports, ['pending']);
      setTimeout(() => void client.tasks.cancel(other.id), 200);
      assert.equal((await client.tasks.wait(other.id, { pollIntervalMs: 50, timeoutMs: 10_000 })).status, 'failed');
      controller.abort();
      await holding;
    } finally {
      await api.close();
    }
  });
});
