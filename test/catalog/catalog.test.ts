import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_MODELS, Catalog, defaultCatalog, resolveForModel } from '../../src/catalog/index.js';
import { makeRequest } from './request.js';

describe('Catalog lookups', () => {
  const c = defaultCatalog();
  it('lists every enabled model and gets by id', () => {
    assert.equal(c.list().length, BUILTIN_MODELS.length);
    assert.equal(c.get('veo3.1')?.id, 'veo3.1');
    assert.equal(c.get('no-such-model'), undefined);
  });
  it('suggests the closest id for typos', () => {
    assert.equal(c.suggest('veo-3.1'), 'veo3.1');
    assert.equal(c.suggest('veo31-fast'), 'veo3.1-fast');
    assert.equal(c.suggest('seedance2.0'), 'seedance-2.0');
    assert.equal(c.suggest('kling-3.0-vide'), 'kling-3.0-video');
    assert.equal(c.suggest('totally-unrelated-name'), undefined);
  });
});

describe('Catalog overrides', () => {
  it('disables a model: hidden from list/get/suggest, still in all()', () => {
    const c = defaultCatalog({ 'sora-2': { enabled: false } });
    assert.equal(c.get('sora-2'), undefined);
    assert.ok(!c.list().some((m) => m.id === 'sora-2'));
    assert.ok(c.all().some((m) => m.id === 'sora-2' && !m.enabled));
    assert.notEqual(c.suggest('sora-2'), 'sora-2');
  });
  it('adds aliases that resolve to the model', () => {
    const c = defaultCatalog({ 'veo3.1-fast': { aliases: ['veo-fast'] } });
    assert.equal(c.get('veo-fast')?.id, 'veo3.1-fast');
    assert.deepEqual(c.get('veo3.1-fast')?.aliases, ['veo-fast']);
  });
  it('changes a price and marks it as operator-set', () => {
    const c = defaultCatalog({ 'veo3.1': { pricing: { base: 0.5, by_resolution: { '720p': 0.5, '1080p': 0.5, '4k': 0.75 } } } });
    const p = c.get('veo3.1')!.pricing;
    assert.equal(p.by_resolution?.['4k'], 0.75);
    assert.equal(p.estimate, false);
    assert.match(p.source, /override/i);
    assert.equal(defaultCatalog().get('veo3.1')!.pricing.by_resolution?.['4k'], 0.4, 'built-in data is not mutated (silent 4k)');
    assert.equal(defaultCatalog().get('veo3.1')!.pricing.with_audio_by_resolution?.['4k'], 0.6, 'built-in data is not mutated (4k with audio)');
  });
  it('changes upstream_model for every operation, or per operation', () => {
    const all = defaultCatalog({ 'wan-2.6': { upstream_model: 'wan2.6-t2v-us' } }).get('wan-2.6')!;
    assert.equal(resolveForModel(makeRequest(all, { image_url: 'https://e.com/a.jpg' }), all).upstream_model, 'wan2.6-t2v-us');
    const one = defaultCatalog({ 'wan-2.6': { upstream_model_by_operation: { 'image-to-video': 'wan2.6-i2v-flash' } } }).get('wan-2.6')!;
    assert.equal(resolveForModel(makeRequest(one, { image_url: 'https://e.com/a.jpg' }), one).upstream_model, 'wan2.6-i2v-flash');
    assert.equal(resolveForModel(makeRequest(one, { prompt: 'x' }), one).upstream_model, 'wan2.6-t2v');
  });
  it('changes the timing knobs: max_runtime_seconds and typical_seconds', () => {
    const c = defaultCatalog({ 'kling-v2.6-std': { max_runtime_seconds: 30, typical_seconds: 5 } });
    assert.equal(c.get('kling-v2.6-std')!.max_runtime_seconds, 30);
    assert.equal(c.get('kling-v2.6-std')!.typical_seconds, 5);
    assert.equal(defaultCatalog().get('kling-v2.6-std')!.max_runtime_seconds, 1800, 'built-in data is not mutated');
    assert.throws(() => defaultCatalog({ 'veo3.1': { max_runtime_seconds: 0 } }), /max_runtime_seconds must be a whole number/);
    assert.throws(() => defaultCatalog({ 'veo3.1': { typical_seconds: 2.5 } }), /typical_seconds must be a whole number/);
  });
  it('rejects bad overrides with a clear message', () => {
    assert.throws(() => defaultCatalog({ veo9: { enabled: false } }), /Catalog override for 'veo9': unknown model/);
    assert.throws(() => defaultCatalog({ 'veo3.1': { enabled: 'no' as unknown as boolean } }), /enabled must be true or false/);
    assert.throws(() => defaultCatalog({ 'veo3.1': { aliases: ['veo3.1-fast'] } }), /used by both/);
    assert.throws(() => defaultCatalog({ 'veo3.1': { pricing: { base: -1 } } }), /pricing.base/);
    assert.throws(() => defaultCatalog({ 'veo3.1': { pricing: { by_resolution: { '8k': 1 } as never } } }), /'8k'/);
    assert.throws(() => defaultCatalog({ 'veo3.1': { upstream_model_by_operation: { 'video-to-video': 'x' } } }), /operations are/);
    assert.throws(() => defaultCatalog({ 'veo3.1': { colour: 'red' } as never }), /unknown field 'colour'/);
  });
  it('refuses duplicate ids in the inventory', () => {
    assert.throws(() => new Catalog([BUILTIN_MODELS[0], BUILTIN_MODELS[0]]), /duplicate/);
  });
});
