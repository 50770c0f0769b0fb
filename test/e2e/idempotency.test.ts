import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

describe('Idempotency-Key on POST /v1/videos/generations', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  const create = (body: unknown, idem?: string, key?: string) => gw.api('/v1/videos/generations', { method: 'POST', json: body, key, headers: idem === undefined ? {} : { 'idempotency-key': idem } });
  const googleCreates = () => (gw.sandbox!.google!.stats as { creates: number }).creates;

  it('a retried create with the same key and body returns the original task, created once upstream', async () => {
    const body = { model: 'veo3.1-fast', prompt: 'idempotent clip', duration: 4 };
    const first = await create(body, 'retry-1');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const original = (await first.json()) as Record<string, any>;
    // Same body, other key order: still the same request.
    const again = await create({ duration: 4, prompt: 'idempotent clip', model: 'veo3.1-fast' }, 'retry-1');
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const replay = (await again.json()) as Record<string, any>;
    assert.deepEqual(validateAgainst('VideoGenerationResponse', replay), []);
    assert.equal(replay.id, original.id);
    assert.equal(replay.created, original.created);
  });

  it('the same key with a different body is a 409', async () => {
    await create({ model: 'veo3.1-fast', prompt: 'one', duration: 4 }, 'reuse-1');
    const res = await create({ model: 'veo3.1-fast', prompt: 'two', duration: 4 }, 'reuse-1');
    assert.equal(res.status, 409);
    const body = (await res.json()) as any;
    assert.deepEqual(validateAgainst('ApiError', body), []);
    assert.equal(body.error.code, 'idempotency_key_reused');
  });

  it('concurrent duplicates produce exactly one task and one upstream job', async () => {
    // Earlier tests' tasks are submitted first, so that this count is this test's alone.
    for (let i = 0; i < 200; i++) {
      const pending = (await (await gw.api('/v1/tasks?status=pending')).json()) as { data: unknown[] };
      if (pending.data.length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = googleCreates();
    const body = { model: 'veo3.1-fast', prompt: 'burst of retries', duration: 4 };
    const answers = await Promise.all(Array.from({ length: 12 }, () => create(body, 'burst-1')));
    const ids = new Set<string>();
    for (const a of answers) {
      assert.equal(a.status, 200);
      ids.add(((await a.json()) as any).id);
    }
    assert.equal(ids.size, 1);
    const id = [...ids][0];
    // Wait until it was submitted, then count upstream creates.
    for (let i = 0; i < 200; i++) {
      const t = (await (await gw.api(`/v1/tasks/${id}`)).json()) as any;
      if (t.status !== 'pending') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(googleCreates() - before, 1);
  });

  it('keys are per API key: another key with the same Idempotency-Key gets its own task', async () => {
    const other = ((await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'other' } })).json()) as any).key;
    const body = { model: 'veo3.1-fast', prompt: 'per key', duration: 4 };
    const a = (await (await create(body, 'shared-name')).json()) as any;
    const b = (await (await create(body, 'shared-name', other)).json()) as any;
    assert.notEqual(a.id, b.id);
  });

  it('a malformed Idempotency-Key is a 400', async () => {
    const res = await create({ model: 'veo3.1-fast', prompt: 'x', duration: 4 }, 'has space');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as any).error.code, 'invalid_idempotency_key');
  });
});
