/** Balance rules on PATCH /v1/admin/keys/{id} and the 2,048-character cap on webhook URLs. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

// veo3.1-fast: $0.15 per second of 720p output, so a 4 s clip reserves $0.60.
const CLIP = { model: 'veo3.1-fast', prompt: 'balance rules', duration: 6 }; // $0.60 at $0.10/s

describe('admin balance rules and webhook URL length', () => {
  let gw: TestGateway;
  // No engine (role api): created tasks stay pending, holding their reservation.
  before(async () => {
    gw = await startTestGateway({ VIDGATE_ROLE: 'api' });
  });
  after(async () => gw.close());

  const newKey = async (limits: Record<string, unknown>) => {
    const created = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'balance' } })).json()) as { id: string; key: string };
    assert.equal((await gw.api(`/v1/admin/keys/${created.id}`, { method: 'PATCH', json: limits })).status, 200);
    return created;
  };
  const patch = (id: string, json: unknown) => gw.api(`/v1/admin/keys/${id}`, { method: 'PATCH', json });

  it('refuses to lower balance_usd below what tasks in flight have reserved, with a 400 that says how much', async () => {
    const k = await newKey({ balance_usd: 2 });
    for (let i = 0; i < 2; i++) assert.equal((await gw.api('/v1/videos/generations', { method: 'POST', json: CLIP, key: k.key })).status, 200);
    const res = await patch(k.id, { balance_usd: 1 });
    assert.equal(res.status, 400);
    const body = (await res.json()) as any;
    assert.deepEqual(validateAgainst('ApiError', body), []);
    assert.equal(body.error.code, 'balance_below_reserved');
    assert.equal(body.error.param, 'balance_usd');
    assert.equal(body.error.reserved_usd, 1.2);
    assert.match(body.error.message, /\$1\.2\b/);
    // Nothing changed, and no ledger adjustment was written.
    const key = ((await (await gw.api('/v1/admin/keys')).json()) as any).data.find((x: any) => x.id === k.id);
    assert.deepEqual([key.balance_usd, key.reserved_usd], [2, 1.2]);
    // Exactly the reserved amount, more, or postpaid (null) are fine.
    assert.equal((await patch(k.id, { balance_usd: 1.2 })).status, 200);
    assert.equal((await patch(k.id, { balance_usd: null })).status, 200);
  });

  it('caps add_balance_usd like balance_usd: the resulting balance may not pass $1e9', async () => {
    const k = await newKey({ balance_usd: 999_999_999 });
    const res = await patch(k.id, { add_balance_usd: 2 });
    assert.equal(res.status, 400);
    const body = (await res.json()) as any;
    assert.equal(body.error.code, 'balance_above_cap');
    assert.equal(body.error.param, 'add_balance_usd');
    assert.equal((await patch(k.id, { add_balance_usd: 1 })).status, 200);
    assert.equal(((await (await patch(k.id, { add_balance_usd: 0 })).json()) as any).balance_usd, 1e9);
  });

  it('a balance_usd or add_balance_usd above $1e9 by itself is balance_above_cap too, naming it, like a top-up that passes the cap', async () => {
    const k = await newKey({ balance_usd: 5 });
    for (const param of ['balance_usd', 'add_balance_usd']) {
      const res = await patch(k.id, { [param]: 1_000_000_001 });
      assert.equal(res.status, 400);
      const body = (await res.json()) as any;
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.deepEqual([body.error.code, body.error.param, body.error.max_balance_usd], ['balance_above_cap', param, 1e9]);
      assert.match(body.error.message, new RegExp(`smaller '${param}'`));
    }
    // A limit above the cap is no balance: still invalid_value.
    assert.equal(((await (await patch(k.id, { spend_limit_usd: 1_000_000_001 })).json()) as any).error.code, 'invalid_value');
    assert.equal(((await (await gw.api('/v1/admin/keys')).json()) as any).data.find((x: any) => x.id === k.id).balance_usd, 5);
  });

  it('balance_usd with add_balance_usd is a 400 conflicting_parameters naming both (not set-then-add); nothing changes', async () => {
    const k = await newKey({ balance_usd: 5 });
    for (const both of [
      { balance_usd: 10, add_balance_usd: 1 },
      { balance_usd: null, add_balance_usd: 1 },
    ]) {
      const res = await patch(k.id, both);
      assert.equal(res.status, 400);
      const body = (await res.json()) as any;
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.deepEqual([body.error.code, body.error.param, body.error.conflicting_parameters], ['conflicting_parameters', 'balance_usd,add_balance_usd', ['balance_usd', 'add_balance_usd']]);
      assert.match(body.error.message, /send only one/i);
    }
    assert.equal(((await (await gw.api('/v1/admin/keys')).json()) as any).data.find((x: any) => x.id === k.id).balance_usd, 5);
  });

  it('a key given twice in an admin body is 400 duplicate_parameter, and nothing changes (the same JSON parser as creates)', async () => {
    const k = await newKey({ balance_usd: 5 });
    const res = await gw.api(`/v1/admin/keys/${k.id}`, { method: 'PATCH', body: '{"balance_usd":100,"balance_usd":1}', headers: { 'content-type': 'application/json' } });
    const body = (await res.json()) as any;
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.deepEqual(validateAgainst('ApiError', body), []);
    assert.deepEqual([body.error.code, body.error.param], ['duplicate_parameter', 'balance_usd']);
    const key = ((await (await gw.api('/v1/admin/keys')).json()) as any).data.find((x: any) => x.id === k.id);
    assert.equal(key.balance_usd, 5);
  });

  it('limits callback_url and webhook URLs to 2,048 characters', async () => {
    const long = `https://hooks.example.com/${'a'.repeat(2048)}`;
    const ok = `https://hooks.example.com/${'a'.repeat(2000)}`;
    const create = await gw.api('/v1/videos/generations', { method: 'POST', json: { ...CLIP, callback_url: long } });
    assert.equal(create.status, 400);
    const err = (await create.json()) as any;
    assert.deepEqual([err.error.param, err.error.code], ['callback_url', 'invalid_url']);
    assert.match(err.error.message, /at most 2048 characters/);
    assert.equal((await gw.api('/v1/videos/generations', { method: 'POST', json: { ...CLIP, callback_url: ok } })).status, 200);

    const k = await newKey({});
    const admin = await patch(k.id, { webhook_url: long });
    assert.equal(admin.status, 400);
    assert.equal(((await admin.json()) as any).error.param, 'webhook_url');
    assert.equal((await patch(k.id, { webhook_url: ok })).status, 200);

    const own = await gw.api('/v1/webhooks/default', { method: 'PUT', json: { url: long }, key: k.key });
    assert.equal(own.status, 400);
    assert.equal(((await own.json()) as any).error.param, 'url');
  });
});
