import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

// veo3.1-fast is estimated at $0.10 per second of 720p output: a 6 s clip reserves $0.60.
const CLIP = { model: 'veo3.1-fast', prompt: 'billing clip', duration: 6 };

describe('billing: reserve at create, settle on completion, release on failure or cancel', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  async function newKey(limits: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const created = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'billing' } })).json()) as any;
    const res = await gw.api(`/v1/admin/keys/${created.id}`, { method: 'PATCH', json: limits });
    assert.equal(res.status, 200, await res.clone().text());
    return { id: created.id, key: created.key };
  }
  const keyState = async (id: string) => ((await (await gw.api('/v1/admin/keys')).json()) as any).data.find((k: any) => k.id === id);
  const create = (key: string, body: Record<string, unknown> = CLIP) => gw.api('/v1/videos/generations', { method: 'POST', json: body, key });

  it('refuses with 402 insufficient_balance what the balance cannot cover, and settles what completes', async () => {
    const k = await newKey({ balance_usd: 1 });
    const first = await create(k.key);
    assert.equal(first.status, 200);
    assert.equal((await keyState(k.id)).reserved_usd, 0.6);

    const second = await create(k.key);
    assert.equal(second.status, 402);
    const err = (await second.json()) as any;
    assert.deepEqual(validateAgainst('ApiError', err), []);
    assert.equal(err.error.type, 'insufficient_balance');
    assert.equal(err.error.balance_usd, 0.4);
    assert.equal(err.error.estimated_cost_usd, 0.6);

    const id = ((await first.json()) as any).id;
    const done = await waitForTask(gw, id, { key: k.key });
    assert.equal(done.status, 'completed');
    assert.match(done.billing_transaction_id, /^txn_[0-9a-f]{24}$/);
    const read = await gw.api(`/v1/tasks/${id}`, { key: k.key });
    assert.equal(read.headers.get('x-billing-transaction-id'), done.billing_transaction_id);
    const after = await keyState(k.id);
    assert.deepEqual([after.reserved_usd, after.spent_usd, after.balance_usd], [0, 0.6, 0.4]);
  });

  it('refuses with 402 quota_exceeded past the spend limit', async () => {
    const k = await newKey({ spend_limit_usd: 1 });
    assert.equal((await create(k.key)).status, 200);
    const over = await create(k.key);
    assert.equal(over.status, 402);
    assert.equal(((await over.json()) as any).error.type, 'quota_exceeded');
  });

  it('releases the reservation of a failed task and of a cancelled one', async () => {
    const k = await newKey({ balance_usd: 2 });
    const failed = await waitForTask(gw, ((await (await create(k.key, { ...CLIP, prompt: 'fails [sim:fail]' })).json()) as any).id, { key: k.key });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.billing_transaction_id, undefined);
    const pending = ((await (await create(k.key, { ...CLIP, prompt: 'stuck [sim:429]' })).json()) as any).id;
    assert.equal((await keyState(k.id)).reserved_usd, 0.6);
    assert.equal((await gw.api(`/v1/tasks/${pending}`, { method: 'DELETE', key: k.key })).status, 200);
    const state = await keyState(k.id);
    assert.deepEqual([state.reserved_usd, state.spent_usd, state.balance_usd], [0, 0, 2]);
  });

  it('/v1/usage gives a key its spend by model and day; admins see all keys', async () => {
    const k = await newKey({ add_balance_usd: 5 });
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push(((await (await create(k.key)).json()) as any).id);
    for (const id of ids) assert.equal((await waitForTask(gw, id, { key: k.key })).status, 'completed');
    const usage = (await (await gw.api('/v1/usage', { key: k.key })).json()) as any;
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(usage.data, [{ date: today, model: 'veo3.1-fast', key_id: k.id, requests: 2, cost_usd: 1.2 }]);
    assert.equal(usage.total_cost_usd, 1.2);
    assert.equal(usage.balance_usd, 3.8);
    assert.equal((await gw.api('/v1/admin/usage', { key: k.key })).status, 403);
    const all = (await (await gw.api(`/v1/admin/usage?key_id=${k.id}`)).json()) as any;
    assert.equal(all.total_cost_usd, 1.2);
    assert.equal((await gw.api('/v1/usage?start_date=yesterday', { key: k.key })).status, 400);
    // Not a calendar day (Date.parse would read it as March 2nd).
    assert.equal((await gw.api('/v1/usage?start_date=2026-02-30', { key: k.key })).status, 400);
  });

  it('admin limit changes are validated', async () => {
    const k = await newKey({});
    for (const body of [{ balance_usd: -1 }, { spend_limit_usd: 'ten' }, { rpm_limit: 1.5 }, { rpm_limit: 0 }, { colour: 'red' }, { webhook_url: 'http://10.0.0.1/hook' }]) {
      const res = await gw.api(`/v1/admin/keys/${k.id}`, { method: 'PATCH', json: body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(validateAgainst('ApiError', await res.json()), []);
    }
    assert.equal((await gw.api('/v1/admin/keys/key_nope', { method: 'PATCH', json: { balance_usd: 1 } })).status, 404);
    // A per-key rpm limit takes effect at once.
    assert.equal((await gw.api(`/v1/admin/keys/${k.id}`, { method: 'PATCH', json: { rpm_limit: 1 } })).status, 200);
    assert.equal((await gw.api('/v1/usage', { key: k.key })).status, 200);
    assert.equal((await gw.api('/v1/usage', { key: k.key })).status, 429);
  });
});
