import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

describe('Models and Pricing APIs', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_CATALOG_OVERRIDES: JSON.stringify({ 'veo3-pro': { enabled: false }, 'veo3.1-fast': { aliases: ['veo-fast'] } }) });
  });
  after(async () => gw.close());

  const get = async (p: string) => {
    const res = await gw.api(p, { key: null }); // these routes answer without a key
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('lists every model (full view) in the ModelsResponse shape', async () => {
    const { status, body } = await get('/v1/models');
    assert.equal(status, 200);
    assert.deepEqual(validateAgainst('ModelsResponse', body), []);
    const ids = body.data.map((m: any) => m.id);
    for (const id of ['veo3.1', 'sora-2', 'kling-3.0-video', 'seedance-1.5-pro', 'hailuo-2.3-fast', 'wan-2.6', 'viduq2-pro', 'grok-imagine-video', 'topaz-video-upscale']) assert.ok(ids.includes(id), id);
    assert.ok(!ids.includes('veo3-pro'), 'an operator-disabled model is not listed');
  });

  it('compact view and filters', async () => {
    const { body } = await get('/v1/models?view=compact&provider=google');
    assert.deepEqual(validateAgainst('CompactModelsResponse', body), []);
    assert.equal(body.count, body.data.length);
    assert.ok(body.data.length >= 4);
    assert.ok(body.data.every((m: any) => m.provider === 'google'));
    const video = await get('/v1/models?category=video');
    assert.ok(video.body.data.length > 30);
    const chat = await get('/v1/models?category=chat');
    assert.equal(chat.body.data.length, 0);
    assert.equal((await get('/v1/models?view=tiny')).status, 400);
    assert.equal((await get('/v1/models?category=cars')).status, 400);
  });

  it("the lists show each model's lifecycle as its detail does: a model past its sunset is retired in every view", async () => {
    const full = (await get('/v1/models')).body.data as { id: string; tokenlab: { lifecycle: { stage: string; retired_at: string | null }; badges: { key: string }[] } }[];
    const compact = new Map(((await get('/v1/models?view=compact')).body.data as { id: string; status: string }[]).map((m) => [m.id, m.status]));
    for (const m of full) {
      const detail = (await get(`/v1/models/${m.id}`)).body as { tokenlab: { lifecycle: { stage: string; retired_at: string | null } } };
      assert.equal(m.tokenlab.lifecycle.stage, detail.tokenlab.lifecycle.stage, m.id);
      assert.equal(m.tokenlab.lifecycle.retired_at, detail.tokenlab.lifecycle.retired_at, m.id);
      assert.equal(compact.get(m.id), detail.tokenlab.lifecycle.stage, m.id);
      if (m.tokenlab.lifecycle.stage === 'retired')
        assert.ok(
          m.tokenlab.badges.some((b) => b.key === 'retired'),
          m.id,
        );
    }
    // Sora 2's sunset (2026-09-24) has passed: the case the lists got wrong.
    if (Date.now() >= Date.parse('2026-09-24T00:00:00Z')) assert.equal(compact.get('sora-2'), 'retired');
  });

  it('a provider or tag no model here has is an empty list, as on TokenLab (its catalog spans providers we do not serve)', async () => {
    for (const q of ['provider=anthropic', 'provider=gogle', 'tag=no-such-tag']) {
      for (const path of [`/v1/models?${q}`, `/v1/models?view=compact&${q}`, `/v1/pricing?${q}`]) {
        const { status, body } = await get(path);
        assert.equal(status, 200, path);
        assert.deepEqual(body.data, [], path);
      }
    }
  });

  it('model detail carries the request format summary with per-operation constraints', async () => {
    const { status, body } = await get('/v1/models/veo3.1');
    assert.equal(status, 200);
    assert.deepEqual(validateAgainst('Model', body), []);
    const summary = body.tokenlab.request_format_summary;
    assert.deepEqual([...summary.public_operations].sort(), ['image-to-video', 'reference-to-video', 'start-end-to-video', 'text-to-video']);
    for (const k of ['supported_parameters', 'durations', 'resolutions', 'aspect_ratios', 'operation_constraints']) assert.ok(Array.isArray(summary[k]) && summary[k].length > 0, k);
    const ref = summary.operation_constraints.find((c: any) => c.operation === 'reference-to-video');
    assert.deepEqual(ref.allowed_durations, ['8']);
  });

  it('aliases resolve; unknown models are 404 model_not_found with a suggestion', async () => {
    assert.equal((await get('/v1/models/veo-fast')).body.id, 'veo3.1-fast');
    const missing = await get('/v1/models/veo3.2');
    assert.equal(missing.status, 404);
    assert.deepEqual(validateAgainst('ApiError', missing.body), []);
    assert.equal(missing.body.error.code, 'model_not_found');
    assert.equal((await get('/v1/models/veo3-pro')).status, 404, 'disabled model');
    assert.equal((await get('/v1/models/nope/pricing')).status, 404);
  });

  it('pricing: per model and the whole list', async () => {
    const one = await get('/v1/models/veo3.1/pricing');
    assert.equal(one.status, 200);
    assert.deepEqual(validateAgainst('ModelPricingResponse', one.body), []);
    assert.equal(one.body.model, 'veo3.1');
    const all = await get('/v1/pricing');
    assert.deepEqual(validateAgainst('PricingResponse', all.body), []);
    assert.ok(all.body.data.length > 30);
    const xai = await get('/v1/pricing?provider=xai');
    assert.ok(xai.body.data.length >= 4);
    assert.ok(xai.body.data.every((e: any) => e.model.startsWith('grok')));
  });
});
