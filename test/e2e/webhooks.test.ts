import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';

interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A real receiver on loopback: records every POST; each path answers from its own script, then 200. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server!: http.Server;
  base = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const path = req.url ?? '';
        this.deliveries.push({ path, headers: req.headers as Record<string, string>, body });
        res.writeHead(this.scripts.get(path)?.shift() ?? 200).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(path: string, statuses: number[]): void {
    this.scripts.set(path, statuses);
  }

  at(path: string): Delivery[] {
    return this.deliveries.filter((d) => d.path === path);
  }

  async waitFor(path: string, count: number, timeoutMs = 30_000): Promise<Delivery[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.at(path).length < count) {
      if (Date.now() > deadline) throw new Error(`${path}: ${this.at(path).length} of ${count} deliveries arrived`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.at(path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** Signed file URLs are minted per render: compare task bodies with their query strings removed. */
function withoutUrlQuery(task: Record<string, any>): Record<string, any> {
  const strip = (u: unknown) => (typeof u === 'string' ? u.split('?')[0] : u);
  const copy = structuredClone(task);
  if (copy.video_url) copy.video_url = strip(copy.video_url);
  if (copy.video?.url) copy.video.url = strip(copy.video.url);
  return copy;
}

describe('webhooks end to end', () => {
  let gw: TestGateway;
  const hooks = new Receiver();
  let key: string;
  let secret: string;
  let otherKey: string;

  before(async () => {
    await hooks.start();
    gw = await startTestGateway({ VIDGATE_ALLOW_PRIVATE_NETWORK: '1', VIDGATE_WEBHOOK_RETRY_SCHEDULE_MS: '0,200,400', VIDGATE_WEBHOOK_TICK_MS: '50' });
    const newKey = async (name: string) => ((await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name } })).json()) as any).key as string;
    key = await newKey('hooks');
    otherKey = await newKey('someone else');
    const res = await gw.api('/v1/webhooks/secret', { key });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    secret = ((await res.json()) as any).secret;
    assert.match(secret, /^whsec_/);
  });
  after(async () => {
    await gw?.close();
    await hooks.close();
  });

  const create = async (body: Record<string, unknown>, as = key) => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', key: as, json: { model: 'veo3.1-fast', duration: 4, ...body } });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as any).id as string;
  };
  const deliveriesOf = async (taskId: string, as = key) => {
    const res = await gw.api(`/v1/webhooks/deliveries?task_id=${taskId}`, { key: as });
    assert.equal(res.status, 200);
    return ((await res.json()) as any).data as any[];
  };

  it('a completed task sends a signed event whose body is the task as GET /v1/tasks/{id} shows it', async () => {
    const id = await create({ prompt: 'a lighthouse at dawn', callback_url: `${hooks.base}/done` });
    const [d] = await hooks.waitFor('/done', 1);
    const event = new Webhook(secret).verify(d.body, d.headers) as Record<string, any>;
    const polled = (await (await gw.api(`/v1/tasks/${id}`, { key })).json()) as Record<string, any>;
    assert.equal(polled.status, 'completed');
    assert.ok(polled.video_url, 'the completed task has a video');
    assert.deepEqual(withoutUrlQuery(event), withoutUrlQuery(polled));
    assert.match(d.headers['webhook-id'], /^msg_[0-9a-f]{32}$/);
    assert.equal(d.headers['vidgate-event-type'], 'video.generation.completed');
    assert.equal(d.headers['content-type'], 'application/json');
    // The event's video URL works like the polled one.
    assert.equal((await fetch(event.video_url)).status, 200);
  });

  it('a failed task sends a failed event', async () => {
    const id = await create({ prompt: 'this one breaks [sim:fail]', callback_url: `${hooks.base}/failed` });
    const [d] = await hooks.waitFor('/failed', 1);
    const event = new Webhook(secret).verify(d.body, d.headers) as Record<string, any>;
    assert.equal(d.headers['vidgate-event-type'], 'video.generation.failed');
    assert.equal(event.status, 'failed');
    assert.deepEqual(event, await (await gw.api(`/v1/tasks/${id}`, { key })).json());
  });

  let flakyDelivery: any;
  it('retries a failing receiver with the same webhook-id, and the delivery log shows every attempt', async () => {
    hooks.answer('/flaky', [500, 500]);
    const id = await create({ prompt: 'a flaky receiver', callback_url: `${hooks.base}/flaky` });
    const got = await hooks.waitFor('/flaky', 3);
    assert.equal(new Set(got.map((d) => d.headers['webhook-id'])).size, 1);
    for (const d of got) new Webhook(secret).verify(d.body, d.headers);
    let log: any[] = [];
    for (let i = 0; i < 100 && log[0]?.status !== 'delivered'; i++) {
      log = await deliveriesOf(id);
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(log.length, 1);
    flakyDelivery = log[0];
    assert.equal(flakyDelivery.id, got[0].headers['webhook-id']);
    assert.equal(flakyDelivery.status, 'delivered');
    assert.equal(flakyDelivery.attempt_count, 3);
    assert.deepEqual(
      flakyDelivery.attempts.map((a: any) => [a.attempt, a.trigger, a.response_status, a.succeeded]),
      [
        [1, 'initial', 500, false],
        [2, 'retry', 500, false],
        [3, 'retry', 200, true],
      ],
    );
  });

  it('redeliver sends the event again with the same webhook-id', async () => {
    const res = await gw.api(`/v1/webhooks/deliveries/${flakyDelivery.id}/redeliver`, { method: 'POST', key });
    assert.equal(res.status, 202);
    assert.equal(((await res.json()) as any).status, 'pending');
    const got = await hooks.waitFor('/flaky', 4);
    assert.equal(got[3].headers['webhook-id'], flakyDelivery.id);
    new Webhook(secret).verify(got[3].body, got[3].headers);
    let one: any;
    for (let i = 0; i < 100 && one?.status !== 'delivered'; i++) {
      one = await (await gw.api(`/v1/webhooks/deliveries/${flakyDelivery.id}`, { key })).json();
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.deepEqual(one.attempts.at(-1).trigger, 'redeliver');
    assert.equal(one.attempt_count, 4);
  });

  it('another key can neither see nor redeliver your deliveries', async () => {
    const missing = async (res: Response, code: string) => {
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as any).error.code, code);
    };
    await missing(await gw.api(`/v1/webhooks/deliveries/${flakyDelivery.id}`, { key: otherKey }), 'webhook_delivery_not_found');
    await missing(await gw.api(`/v1/webhooks/deliveries/${flakyDelivery.id}/redeliver`, { method: 'POST', key: otherKey }), 'webhook_delivery_not_found');
    await missing(await gw.api(`/v1/webhooks/deliveries?task_id=${flakyDelivery.task_id}`, { key: otherKey }), 'async_task_not_found');
    const list = (await (await gw.api('/v1/webhooks/deliveries', { key: otherKey })).json()) as any;
    assert.deepEqual(list.data, []);
    const otherSecret = ((await (await gw.api('/v1/webhooks/secret', { key: otherKey })).json()) as any).secret;
    assert.notEqual(otherSecret, secret);
    assert.equal(hooks.at('/flaky').length, 4, 'the refused redeliver sent nothing');
  });

  it("uses the key's default URL when a create has no callback_url, and none once it is removed", async () => {
    const put = await gw.api('/v1/webhooks/default', { method: 'PUT', key, json: { url: `${hooks.base}/default` } });
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), { object: 'webhook.default', url: `${hooks.base}/default` });
    const id = await create({ prompt: 'default receiver' });
    const [d] = await hooks.waitFor('/default', 1);
    assert.equal((new Webhook(secret).verify(d.body, d.headers) as any).id, id);

    assert.equal((await gw.api('/v1/webhooks/default', { method: 'DELETE', key })).status, 200);
    assert.deepEqual(await (await gw.api('/v1/webhooks/default', { key })).json(), { object: 'webhook.default', url: null });
    const quiet = await create({ prompt: 'nobody listens' });
    await waitForTask(gw, quiet, { key });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await deliveriesOf(quiet), []);
    assert.equal(hooks.at('/default').length, 1);
  });

  it('a rotated secret signs later attempts; the old one no longer verifies', async () => {
    const rotated = ((await (await gw.api('/v1/webhooks/secret/rotate', { method: 'POST', key })).json()) as any).secret;
    assert.match(rotated, /^whsec_/);
    assert.notEqual(rotated, secret);
    assert.equal(((await (await gw.api('/v1/webhooks/secret', { key })).json()) as any).secret, rotated);
    await gw.api(`/v1/webhooks/deliveries/${flakyDelivery.id}/redeliver`, { method: 'POST', key });
    const d = (await hooks.waitFor('/flaky', 5))[4];
    assert.throws(() => new Webhook(secret).verify(d.body, d.headers));
    new Webhook(rotated).verify(d.body, d.headers);
    secret = rotated;
  });

  it('answers bad input with TokenLab envelopes', async () => {
    const cases: Array<[string, RequestInit & { json?: unknown }, string | undefined]> = [
      ['/v1/webhooks/default', { method: 'PUT', json: { url: 'ftp://example.com/x' } }, 'url'],
      ['/v1/webhooks/default', { method: 'PUT', json: { url: 'https://example.com/x', events: [] } }, 'events'],
      ['/v1/webhooks/deliveries?limit=0', {}, 'limit'],
    ];
    for (const [path, init, param] of cases) {
      const res = await gw.api(path, { ...init, key });
      assert.equal(res.status, 400, path);
      const body = (await res.json()) as any;
      assert.equal(body.error.type, 'invalid_request_error');
      assert.equal(body.error.param, param);
      assert.equal(typeof body.error.message, 'string');
    }
    assert.equal((await gw.api('/v1/webhooks/deliveries/msg_nope/redeliver', { method: 'POST', key })).status, 404);
    assert.equal((await gw.api('/v1/webhooks/secret', { key: null })).status, 401);
  });

  it('never writes a webhook secret to the log, and admin key lists do not show it', async () => {
    const keys = await (await gw.api('/v1/admin/keys')).text();
    assert.ok(!keys.includes('whsec_'));
    assert.ok(gw.logs.length > 0);
    assert.ok(!gw.logs.some((l) => l.includes('whsec_') || l.includes(secret.slice(6))));
  });
});

describe('webhooks without private network access', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_ROLE: 'api' });
  });
  after(async () => gw?.close());

  it('refuses a loopback callback_url at create, and as a key default', async () => {
    for (const url of ['https://127.0.0.1/hook', 'http://127.0.0.1:9/hook', 'https://localhost/hook', 'https://169.254.169.254/latest']) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', duration: 4, callback_url: url } });
      assert.equal(res.status, 400, url);
      const body = (await res.json()) as any;
      assert.equal(body.error.param, 'callback_url');
      const put = await gw.api('/v1/webhooks/default', { method: 'PUT', json: { url } });
      assert.equal(put.status, 400, url);
      assert.equal(((await put.json()) as any).error.param, 'url');
    }
  });
});
