/**
 * Every JSON read answers revalidation as a task read does: an ETag, and If-None-Match with it (or
 * `*`) → 304 without a body, still carrying x-request-id and the key's X-RateLimit-*.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

describe('ETag and If-None-Match on every JSON read', { timeout: 120_000 }, () => {
  let gw: TestGateway;
  let user: { id: string; key: string };
  let task: string;
  before(async () => {
    gw = await startTestGateway();
    user = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'revalidating' } })).json()) as { id: string; key: string };
    // Cancelled before it was submitted: finished, with no signed link, so every body below stays the same between reads.
    const res = await gw.api('/v1/videos/generations', { method: 'POST', key: user.key, json: { model: 'veo3.1-fast', prompt: 'never submitted [sim:429]', duration: 4 } });
    task = ((await res.json()) as { id: string }).id;
    assert.equal((await gw.api(`/v1/tasks/${task}`, { method: 'DELETE', key: user.key })).status, 200);
  });
  after(() => gw.close());

  it('models, pricing, task and video lists, usage, the OpenAI video: a tag, then 304 for it or *, 200 for another', async () => {
    const paths = ['/v1/models', '/v1/models/veo3.1-fast', '/v1/pricing', '/v1/tasks', `/v1/videos/${task}`, '/v1/videos', '/v1/usage'];
    for (const path of paths) {
      const keyed = path !== '/v1/pricing' && !path.startsWith('/v1/models');
      const first = await gw.api(path, { key: user.key });
      assert.equal(first.status, 200, path);
      const body = await first.text();
      const etag = first.headers.get('etag') ?? '';
      assert.match(etag, /^"[!#-~]+"$/, `${path}: a strong tag`);
      for (const inm of [etag, '*', `W/${etag}`]) {
        const again = await gw.api(path, { key: user.key, headers: { 'if-none-match': inm } });
        assert.equal(again.status, 304, `${path} with ${inm}`);
        assert.equal(again.headers.get('etag'), etag, path);
        assert.equal((await again.arrayBuffer()).byteLength, 0, `${path}: no body`);
        assert.match(again.headers.get('x-request-id') ?? '', /^req_/, path);
        if (keyed) assert.match(again.headers.get('x-ratelimit-remaining') ?? '', /^\d+$/, path);
      }
      // HEAD revalidates the same way (Fastify's own HEAD handler runs after the tag hook).
      for (const inm of [etag, '*']) {
        const head = await gw.api(path, { method: 'HEAD', key: user.key, headers: { 'if-none-match': inm } });
        assert.equal(head.status, 304, `HEAD ${path} with ${inm}`);
        assert.equal(head.headers.get('etag'), etag, `HEAD ${path}`);
      }
      const head = await gw.api(path, { method: 'HEAD', key: user.key });
      assert.equal(head.status, 200, `HEAD ${path}`);
      assert.equal(head.headers.get('etag'), etag, `HEAD ${path}`);
      const stale = await gw.api(path, { key: user.key, headers: { 'if-none-match': '"stale"' } });
      assert.equal(stale.status, 200, path);
      assert.equal(await stale.text(), body, path);
    }
    // An error is never revalidated: a 404 stays a 404 whatever tag is sent.
    assert.equal((await gw.api('/v1/models/no-such-model', { headers: { 'if-none-match': '*' } })).status, 404);
  });

  it('the OpenAI video carries the task read headers (X-Task-ID)', async () => {
    const res = await gw.api(`/v1/videos/${task}`, { key: user.key });
    await res.arrayBuffer();
    assert.equal(res.headers.get('x-task-id'), task);
  });
});
