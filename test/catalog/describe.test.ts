import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compactModelItem, defaultCatalog, matchesFilters, modelDetail, modelListItem, modelPricing, pricingEntry } from '../../src/catalog/index.js';
import { validateAgainst } from '../helpers/openapi.js';
import { validateForModel } from '../../src/catalog/index.js';
import { makeRequest } from './request.js';

const catalog = defaultCatalog();

describe('describe outputs validate against the official OpenAPI schemas', () => {
  for (const m of catalog.all()) {
    it(m.id, () => {
      assert.deepEqual(validateAgainst('ModelListItem', modelListItem(m)), []);
      assert.deepEqual(validateAgainst('CompactModelListItem', compactModelItem(m)), []);
      assert.deepEqual(validateAgainst('Model', modelDetail(m)), []);
      assert.deepEqual(validateAgainst('ModelPricingResponse', modelPricing(m)), []);
      assert.deepEqual(validateAgainst('PricingEntry', pricingEntry(m)), []);
    });
  }

  it('whole list bodies validate (full and compact views of the oneOf)', () => {
    const full = { object: 'list', data: catalog.list().map(modelListItem) };
    const compact = { object: 'list', view: 'compact', count: catalog.list().length, data: catalog.list().map(compactModelItem) };
    assert.deepEqual(validateAgainst('ModelsListResponse', full), []);
    assert.deepEqual(validateAgainst('ModelsListResponse', compact), []);
    assert.deepEqual(validateAgainst('ModelsResponse', full), []);
    assert.deepEqual(validateAgainst('CompactModelsResponse', compact), []);
    const pricing = { object: 'pricing', updated_at: '2026-07-25T00:00:00Z', currency: 'USD', data: catalog.list().map(pricingEntry) };
    assert.deepEqual(validateAgainst('PricingResponse', pricing), []);
  });

  it('the validator really rejects: extra properties, wrong null, bad enum', () => {
    const item = modelListItem(catalog.get('veo3.1')!);
    assert.ok(validateAgainst('ModelListItem', { ...item, extra: 1 }).some((e) => e.includes("'extra'")));
    assert.notDeepEqual(validateAgainst('ModelListItem', { ...item, tokenlab: { ...item.tokenlab, lifecycle: { ...item.tokenlab.lifecycle, stage: 'gone' } } }), []);
    assert.notDeepEqual(validateAgainst('ModelListItem', { ...item, tokenlab: { ...item.tokenlab, category: null } }), []);
    assert.notDeepEqual(validateAgainst('ModelsListResponse', { object: 'list', view: 'compact', count: 1, data: [item] }), []);
    assert.throws(() => validateAgainst('NoSuchSchema', {}), /No schema/);
  });
});

describe('describe content', () => {
  it('every recommended_request passes the model rules', () => {
    for (const m of catalog.list()) {
      const { model: _model, ...body } = modelDetail(m).tokenlab.request_format_details.recommended_request as Record<string, unknown>;
      validateForModel(makeRequest(m, body), m);
    }
  });
  it('detail carries per-operation constraints as strings', () => {
    const d = modelDetail(catalog.get('grok-imagine-video')!);
    const summary = d.tokenlab.request_format_summary;
    assert.equal(summary.request_endpoint, '/v1/videos/generations');
    assert.deepEqual(summary.public_operations, ['text-to-video', 'image-to-video', 'reference-to-video', 'video-to-video']);
    const ref = summary.operation_constraints.find((c) => c.operation === 'reference-to-video')!;
    assert.deepEqual(ref.allowed_durations, ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    assert.deepEqual(ref.required_selectors, ['model', 'reference_images | image_urls']);
    const v2v = summary.operation_constraints.find((c) => c.operation === 'video-to-video')!;
    assert.deepEqual(v2v.allowed_durations, []);
    assert.deepEqual(v2v.allowed_resolutions, ['480p', '720p']);
    assert.ok(!v2v.supported_parameters.includes('duration'));
    assert.ok(
      v2v.notes.some((n: string) => /at most 8\.7 s long; the task is priced by its length/.test(n)),
      'the maximum source length is documented',
    );
    assert.deepEqual(d.tokenlab.accepted_request_formats, []);
  });
  it('compact pricing uses strings; pricing entry explains per-second units', () => {
    const c = compactModelItem(catalog.get('sora-2-pro')!);
    assert.deepEqual([c.pricing.min_price, c.pricing.max_price], ['0.30', '0.50']);
    const e = pricingEntry(catalog.get('sora-2-pro')!);
    assert.equal(e.is_lock_price, false);
    assert.equal(e.lock_price_per_request, null);
    assert.match(String(e.pricing_summary.description), /per second/);
    assert.deepEqual(e.pricing_summary.per_resolution, { '720p': '0.30', '1080p': '0.50' });
  });
  it('deprecated models carry lifecycle details and a badge; past the sunset they are retired', () => {
    const before = modelListItem(catalog.get('sora-2')!, Date.parse('2026-08-01T00:00:00Z'));
    assert.equal(before.tokenlab.lifecycle.stage, 'deprecated');
    assert.equal(before.tokenlab.lifecycle.sunset_at, '2026-09-24T00:00:00Z');
    assert.equal(before.tokenlab.lifecycle.retired_at, null);
    assert.equal(before.tokenlab.badges[0].key, 'deprecated');
    const after = modelListItem(catalog.get('sora-2')!, Date.parse('2026-10-01T00:00:00Z'));
    assert.equal(after.tokenlab.lifecycle.stage, 'retired');
    assert.equal(after.tokenlab.lifecycle.retired_at, '2026-09-24T00:00:00Z');
    assert.equal(after.tokenlab.badges[0].key, 'retired');
    assert.deepEqual(validateAgainst('ModelListItem', after), []);
    const seedance = modelListItem(catalog.get('seedance-1.5-pro')!, Date.parse('2026-12-01T00:00:00Z')).tokenlab.lifecycle;
    assert.deepEqual([seedance.stage, seedance.replacement_model, seedance.sunset_at], ['retired', 'seedance-2.0', '2026-11-11T09:00:00Z']);
    assert.equal(modelListItem(catalog.get('veo3')!).tokenlab.lifecycle.replacement_model, 'veo3.1');
  });
  it('filters by category, provider (public or ours) and tag', () => {
    const kling = catalog.get('kling-3.0-video')!;
    assert.ok(matchesFilters(kling, { category: 'video', provider: 'kuaishou' }));
    assert.ok(matchesFilters(kling, { provider: 'kling' }));
    assert.ok(!matchesFilters(kling, { provider: 'google' }));
    assert.ok(!matchesFilters(kling, { category: 'image' }));
    assert.ok(matchesFilters(kling, { tag: 'elements' }));
    assert.ok(!matchesFilters(kling, { tag: 'upscale' }));
    assert.equal(catalog.list().filter((m) => matchesFilters(m, { provider: 'alibaba' })).length, 3);
  });
});
