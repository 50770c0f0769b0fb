import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

async function errorOf(res: Response): Promise<Record<string, any>> {
  const body = (await res.json()) as Record<string, any>;
  assert.deepEqual(validateAgainst('ApiError', body), [], JSON.stringify(body));
  return body.error;
}

describe('API keys, ownership and admin routes', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  it('answers 401 with the TokenLab envelope for a missing, malformed or unknown key', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Basic abc' }, { authorization: 'Bearer sk-nope' }, { authorization: `Bearer sk-${'a'.repeat(300)}` }]) {
      const res = await fetch(`${gw.url}/v1/tasks/ldtask_${'0'.repeat(32)}`, { headers });
      assert.equal(res.status, 401);
      const err = await errorOf(res);
      assert.equal(err.type, 'invalid_api_key');
      assert.ok(err.message.includes('Bearer'), err.message);
    }
  });

  it('creates, lists (without secrets) and revokes keys; only admins may', async () => {
    const created = await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'app one' } });
    assert.equal(created.status, 201);
    const key = (await created.json()) as Record<string, any>;
    assert.match(key.key, /^sk-[0-9a-f]{48}$/);
    assert.equal(key.admin, false);

    const list = (await (await gw.api('/v1/admin/keys')).json()) as Record<string, any>;
    const text = JSON.stringify(list);
    assert.ok(list.data.some((k: any) => k.id === key.id && k.name === 'app one'));
    assert.ok(!text.includes(key.key), 'the secret never appears in lists');
    assert.ok(!text.includes(gw.adminKey));

    // A non-admin key is refused on admin routes.
    const denied = await gw.api('/v1/admin/keys', { key: key.key });
    assert.equal(denied.status, 403);
    assert.equal((await errorOf(denied)).type, 'permission_error');

    // It works on public routes until revoked, then gets 401.
    assert.equal((await gw.api(`/v1/tasks/ldtask_${'1'.repeat(32)}`, { key: key.key })).status, 404);
    const revoked = await gw.api(`/v1/admin/keys/${key.id}`, { method: 'DELETE' });
    assert.equal(revoked.status, 200);
    assert.equal((await gw.api(`/v1/tasks/ldtask_${'1'.repeat(32)}`, { key: key.key })).status, 401);
    assert.equal((await gw.api(`/v1/admin/keys/${key.id}`, { method: 'DELETE' })).status, 404);
  });

  it("answers another key's task exactly like a missing one", async () => {
    const other = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'other' } })).json()) as Record<string, any>;
    const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3-fast', prompt: 'mine', duration: 8 } })).json()) as Record<string, any>;
    const theirs = await gw.api(`/v1/tasks/${created.id}`, { key: other.key });
    const missing = await gw.api(`/v1/tasks/ldtask_${'2'.repeat(32)}`, { key: other.key });
    assert.equal(theirs.status, 404);
    assert.equal(missing.status, 404);
    const a = await errorOf(theirs);
    const b = await errorOf(missing);
    assert.deepEqual(a, b);
    assert.equal(a.code, 'async_task_not_found');
    assert.equal((await gw.api(`/v1/videos/generations/${created.id}`, { key: other.key })).status, 404);
    assert.equal((await gw.api(`/v1/tasks/${created.id}`, { key: other.key, method: 'DELETE' })).status, 404);
  });

  it('never writes a key into the logs', async () => {
    await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'log check' } });
    const all = gw.logs.join('\n');
    assert.ok(!all.includes(gw.adminKey), 'admin key leaked into logs');
    assert.ok(!/sk-[0-9a-f]{48}/.test(all), 'an API key leaked into logs');
  });
});
