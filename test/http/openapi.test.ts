import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { OwnApiChecker } from '../helpers/own-openapi.js';

const srcHttp = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/http');

/** Every route the source declares: `app.get('/v1/…', …)` and the like, in src/http/**. */
function declaredRoutes(): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts')) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/\b(?:app|scope|instance)\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)) out.push({ method: m[1], path: m[2] });
      }
    }
  };
  walk(srcHttp);
  return out;
}

/** Fastify's `:id` → OpenAPI's `{id}`. */
const toTemplate = (p: string) => p.replace(/:(\w+)/g, '{$1}');

describe('GET /openapi.json describes every route, and real answers match it', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let api: OwnApiChecker;
  let receiver: http.Server;
  let hookUrl = '';

  before(async () => {
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    gw = await startTestGateway({ VIDGATE_ALLOW_PRIVATE_NETWORK: '1', VIDGATE_WEBHOOK_TICK_MS: '50' });
    const res = await gw.api('/openapi.json', { key: null });
    assert.equal(res.status, 200);
    const doc = (await res.json()) as ConstructorParameters<typeof OwnApiChecker>[0] & { openapi: string; components: { schemas: Record<string, unknown> } };
    assert.equal(doc.openapi, '3.1.0');
    api = new OwnApiChecker(doc);
  });
  after(async () => {
    await gw.close();
    receiver.close();
  });

  it('every $ref resolves; every declared route is documented and every documented route exists', async () => {
    const text = JSON.stringify(api.doc);
    const schemas = (api.doc as unknown as { components: { schemas: Record<string, unknown> } }).components.schemas;
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(schemas[m[1]], `dangling $ref ${m[1]}`);

    const declared = declaredRoutes();
    assert.ok(declared.length > 20, `found only ${declared.length} routes in src/http`);
    for (const r of declared) {
      if (/\.(js|css)$/.test(r.path)) continue; // page assets
      assert.ok(api.doc.paths[toTemplate(r.path)]?.[r.method], `${r.method.toUpperCase()} ${r.path} is served but not in /openapi.json`);
    }
    for (const [p, item] of Object.entries(api.doc.paths)) {
      for (const method of Object.keys(item)) {
        const url = p.replace(/\{\w+\}/g, 'ldtask_00000000000000000000000000000000');
        const res = await gw.api(url, { method: method.toUpperCase(), key: null, ...(method === 'get' || method === 'delete' ? {} : { json: {} }) });
        const body = await res.text();
        assert.doesNotMatch(body, /"(route_not_found|method_not_allowed)"/, `${method.toUpperCase()} ${p} is documented but not served`);
      }
    }
  });

  it('task routes', async () => {
    const create = (json: unknown, init: RequestInit = {}) => gw.api('/v1/videos/generations', { method: 'POST', json, ...init });
    const created = await api.answer('post', '/v1/videos/generations', await create({ model: 'veo3.1-fast', prompt: 'A heron in reeds', duration: 4, callback_url: hookUrl }));
    await api.answer('post', '/v1/videos/generations', await create({ model: 'veo3.1-fast', prompt: 'x', duration: 7 }));
    await api.answer('post', '/v1/videos/generations', await gw.api('/v1/videos/generations', { method: 'POST', json: {}, key: null }));
    await api.answer('post', '/v1/videos/generations', await create({ model: 'veo3.1-fast', prompt: 'x', duration: 4 }, { headers: { 'idempotency-key': 'k1' } }));
    assert.equal((await create({ model: 'veo3.1-fast', prompt: 'y', duration: 4 }, { headers: { 'idempotency-key': 'k1' } })).status, 409);
    await api.answer('post', '/v1/videos/generations', await create({ model: 'veo3.1-fast', prompt: 'y', duration: 4 }, { headers: { 'idempotency-key': 'k1' } }).then((r) => r));

    const id = created.id as string;
    await api.answer('get', '/v1/tasks/{id}', await gw.api(`/v1/tasks/${id}`));
    await api.answer('get', '/v1/tasks/{id}', await gw.api('/v1/tasks/ldtask_00000000000000000000000000000000'));
    const first = await gw.api(`/v1/tasks/${id}?wait=1`);
    await api.answer('get', '/v1/tasks/{id}', first.clone());
    await api.answer('get', '/v1/tasks/{id}', await gw.api(`/v1/tasks/${id}`, { headers: { 'if-none-match': first.headers.get('etag') ?? '' } }));
    await api.answer('get', '/v1/tasks/{id}', await gw.api(`/v1/tasks/${id}?wait=600`));
    const events = await gw.api(`/v1/tasks/${id}/events`);
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /^text\/event-stream/);
    await events.body?.cancel();
    await api.answer('get', '/v1/tasks/{id}/events', await gw.api('/v1/tasks/ldtask_00000000000000000000000000000000/events'));
    const done = await waitForTask(gw, id);
    assert.equal(done.status, 'completed');
    api.check('get', '/v1/tasks/{id}', 200, done);
    await api.answer('get', '/v1/videos/generations/{id}', await gw.api(`/v1/videos/generations/${id}`));
    await api.answer('delete', '/v1/tasks/{id}', await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' }));

    const pendingGw = await startTestGateway({ VIDGATE_ROLE: 'api' });
    try {
      const p = (await (await pendingGw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', duration: 4 } })).json()) as { id: string };
      api.check('get', '/v1/tasks/{id}', 200, await (await pendingGw.api(`/v1/tasks/${p.id}`)).json());
      const cancelled = await pendingGw.api(`/v1/tasks/${p.id}`, { method: 'DELETE' });
      assert.equal(cancelled.status, 200);
      api.check('delete', '/v1/tasks/{id}', 200, await cancelled.json());
    } finally {
      await pendingGw.close();
    }

    // Webhook log of the delivered callback.
    const deadline = Date.now() + 30_000;
    let list: { data: { id: string; status: string }[] };
    do {
      list = await api.answer('get', '/v1/webhooks/deliveries', await gw.api(`/v1/webhooks/deliveries?task_id=${id}`));
      if (list.data[0]?.status === 'delivered') break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    assert.equal(list.data[0]?.status, 'delivered');
    const deliveryId = list.data[0].id;
    await api.answer('get', '/v1/webhooks/deliveries/{id}', await gw.api(`/v1/webhooks/deliveries/${deliveryId}`));
    await api.answer('get', '/v1/webhooks/deliveries/{id}', await gw.api('/v1/webhooks/deliveries/msg_nothing'));
    await api.answer('post', '/v1/webhooks/deliveries/{id}/redeliver', await gw.api(`/v1/webhooks/deliveries/${deliveryId}/redeliver`, { method: 'POST' }));
    await api.answer('get', '/v1/webhooks/deliveries', await gw.api('/v1/webhooks/deliveries?limit=0'));
  });

  it('task list and the OpenAI-compatible Videos API', async () => {
    await api.answer('get', '/v1/tasks', await gw.api('/v1/tasks?limit=2'));
    await api.answer('get', '/v1/tasks', await gw.api('/v1/tasks?status=completed&model=veo3.1-fast'));
    await api.answer('get', '/v1/tasks', await gw.api('/v1/tasks?limit=1000'));
    await api.answer('get', '/v1/tasks', await gw.api('/v1/tasks', { key: null }));
    const video = await api.answer<{ id: string }>('post', '/v1/videos', await gw.api('/v1/videos', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', seconds: '4', size: '1280x720' } }));
    await api.answer('post', '/v1/videos', await gw.api('/v1/videos', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', size: '10x10' } }));
    await api.answer('get', '/v1/videos/{id}', await gw.api(`/v1/videos/${video.id}`));
    await api.answer('get', '/v1/videos/{id}', await gw.api('/v1/videos/nothing'));
    await api.answer('get', '/v1/videos/{id}/content', await gw.api(`/v1/videos/${video.id}/content?variant=gif`));
    await api.answer('get', '/v1/videos', await gw.api('/v1/videos?limit=1&order=asc'));
    await api.answer('get', '/v1/videos', await gw.api('/v1/videos?order=sideways'));
    await waitForTask(gw, video.id);
    await api.answer('get', '/v1/videos/{id}', await gw.api(`/v1/videos/${video.id}`));
    await api.answer('delete', '/v1/videos/{id}', await gw.api(`/v1/videos/${video.id}`, { method: 'DELETE' }));
    await api.answer('get', '/v1/videos/{id}/content', await gw.api(`/v1/videos/${video.id}/content`));
  });

  it('models, pricing, usage', async () => {
    await api.answer('get', '/v1/models', await gw.api('/v1/models', { key: null }));
    await api.answer('get', '/v1/models', await gw.api('/v1/models?view=compact', { key: null }));
    await api.answer('get', '/v1/models', await gw.api('/v1/models?view=tiny', { key: null }));
    await api.answer('get', '/v1/models/{model}', await gw.api('/v1/models/veo3.1-fast', { key: null }));
    await api.answer('get', '/v1/models/{model}', await gw.api('/v1/models/veo-9000', { key: null }));
    await api.answer('get', '/v1/models/{model}/pricing', await gw.api('/v1/models/kling-v2.6-pro/pricing', { key: null }));
    await api.answer('get', '/v1/pricing', await gw.api('/v1/pricing', { key: null }));
    await api.answer('get', '/v1/usage', await gw.api('/v1/usage'));
    await api.answer('get', '/v1/usage', await gw.api('/v1/usage?start_date=yesterday'));
    await api.answer('get', '/v1/usage', await gw.api('/v1/usage', { key: null }));
  });

  it('admin and webhook settings', async () => {
    const key = await api.answer<{ id: string; key: string }>('post', '/v1/admin/keys', await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'docs' } }));
    await api.answer('post', '/v1/admin/keys', await gw.api('/v1/admin/keys', { method: 'POST', json: { nme: 'typo' } }));
    await api.answer('post', '/v1/admin/keys', await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'x' }, key: key.key }));
    await api.answer('get', '/v1/admin/keys', await gw.api('/v1/admin/keys'));
    await api.answer('patch', '/v1/admin/keys/{id}', await gw.api(`/v1/admin/keys/${key.id}`, { method: 'PATCH', json: { balance_usd: 5, rpm_limit: 100 } }));
    await api.answer('patch', '/v1/admin/keys/{id}', await gw.api('/v1/admin/keys/key_nothing', { method: 'PATCH', json: { balance_usd: 5 } }));
    await api.answer('get', '/v1/admin/usage', await gw.api('/v1/admin/usage'));
    await api.answer('get', '/v1/admin/usage', await gw.api('/v1/admin/usage?key_id=nothing'));
    await api.answer('get', '/v1/webhooks/secret', await gw.api('/v1/webhooks/secret', { key: key.key }));
    await api.answer('post', '/v1/webhooks/secret/rotate', await gw.api('/v1/webhooks/secret/rotate', { method: 'POST', key: key.key }));
    await api.answer('put', '/v1/webhooks/default', await gw.api('/v1/webhooks/default', { method: 'PUT', json: { url: 'https://example.com/hook' }, key: key.key }));
    await api.answer('put', '/v1/webhooks/default', await gw.api('/v1/webhooks/default', { method: 'PUT', json: { url: 'ftp://x' }, key: key.key }));
    await api.answer('get', '/v1/webhooks/default', await gw.api('/v1/webhooks/default', { key: key.key }));
    await api.answer('delete', '/v1/webhooks/default', await gw.api('/v1/webhooks/default', { method: 'DELETE', key: key.key }));
    await api.answer('delete', '/v1/admin/keys/{id}', await gw.api(`/v1/admin/keys/${key.id}`, { method: 'DELETE' }));
    await api.answer('delete', '/v1/admin/keys/{id}', await gw.api(`/v1/admin/keys/${key.id}`, { method: 'DELETE' }));
  });

  it('operations routes and pages', async () => {
    await api.answer('get', '/healthz', await gw.api('/healthz', { key: null }));
    const metrics = await gw.api('/metrics');
    assert.equal(metrics.status, 200);
    api.check('get', '/metrics', 200, await metrics.text());
    await api.answer('get', '/metrics', await gw.api('/metrics', { key: null }));
    for (const page of ['/', '/docs']) {
      const res = await gw.api(page, { key: null });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      const html = await res.text();
      // Self-contained: every script and stylesheet comes from this gateway.
      for (const m of html.matchAll(/\b(?:src|href)="([^"]+)"/g)) assert.ok(m[1].startsWith('/') || m[1].startsWith('#'), `${page} loads ${m[1]}`);
    }
  });
});
