import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { costForOutputUsd, defaultCatalog, estimateCostUsd, resolveForModel, usdString } from '../../src/catalog/index.js';
import { estimateForSourceUsd, sourceTooLong, sourceVideoRule } from '../../src/catalog/pricing.js';
import type { ModelSpec } from '../../src/catalog/types.js';
import { makeRequest } from './request.js';

const catalog = defaultCatalog();
const estimate = (id: string, body: Record<string, unknown>) => {
  const spec = catalog.get(id)!;
  return estimateCostUsd(resolveForModel(makeRequest(spec, body), spec), spec);
};

describe('outputs that follow their source video', () => {
  it('every video-to-video and motion-control operation has a documented maximum source length', () => {
    const ruled: string[] = [];
    for (const spec of catalog.all()) {
      for (const o of spec.operations) {
        const follows = o.operation === 'video-to-video' || o.operation === 'motion-control';
        assert.equal(o.source_video !== undefined, follows, `${spec.id} ${o.operation}`);
        if (o.source_video) ruled.push(`${spec.id} ${o.operation} ${o.source_video.max_seconds}`);
      }
    }
    assert.deepEqual(ruled.sort(), [
      'grok-imagine-upscale video-to-video 8.7',
      'grok-imagine-video video-to-video 8.7',
      'kling-3.0-motion-control motion-control 30',
      'kling-video-o1-pro video-to-video 10',
      'kling-video-o1-std video-to-video 10',
      'topaz-video-upscale video-to-video 600',
    ]);
  });
  it('a source is priced by its length at the requested resolution, and measured to a tenth of a second', () => {
    const topaz = catalog.get('topaz-video-upscale')!;
    const req = resolveForModel(makeRequest(topaz, { video_url: 'https://example.com/a.mp4', resolution: '4k' }), topaz);
    assert.equal(estimateForSourceUsd(req, topaz, 120), 9.6);
    const grok = catalog.get('grok-imagine-upscale')!;
    const rule = sourceVideoRule(grok, { operation: 'video-to-video' })!;
    assert.deepEqual([sourceTooLong(rule, 8.74), sourceTooLong(rule, 8.76)], [false, true]);
    assert.equal(sourceVideoRule(catalog.get('veo3.1')!, { operation: 'text-to-video' }), undefined);
  });
});

describe('pricing', () => {
  it('per-second price × requested duration at the resolved resolution', () => {
    assert.equal(estimate('veo3.1', { prompt: 'x', duration: 8 }), 3.2);
    assert.equal(estimate('veo3.1', { prompt: 'x', duration: 8, resolution: '4k' }), 4.8);
    assert.equal(estimate('sora-2-pro', { prompt: 'x', duration: 12, resolution: '1080p' }), 6);
  });
  it('Veo 5 s is reserved as the 6 s it renders', () => {
    assert.equal(estimate('veo3.1-fast', { prompt: 'x', duration: 5 }), 0.6);
  });
  it('audio tiers apply when audio is on', () => {
    assert.equal(estimate('kling-v2.6-pro', { prompt: 'x', duration: 10 }), 0.7);
    assert.equal(estimate('kling-v2.6-pro', { prompt: 'x', duration: 10, output_audio: true }), 1.4);
  });
  it('duration -1 reserves the longest duration', () => {
    assert.equal(estimate('seedance-2.0', { prompt: 'x', duration: -1 }), 2.265);
  });
  it('rounds to 6 decimals', () => {
    assert.equal(estimate('hailuo-2.3-standard', { prompt: 'x', duration: 6 }), 0.282);
    const spec = catalog.get('kling-v3.0-std')!;
    assert.equal(costForOutputUsd(spec, { seconds: 5.0413333, resolution: '720p', audio: false }), 0.423472);
  });
  it('settles from what was produced', () => {
    const spec = catalog.get('seedance-2.0')!;
    assert.equal(costForOutputUsd(spec, { seconds: 7, resolution: '1080p', audio: true }), 2.618);
    assert.equal(costForOutputUsd(spec, { seconds: 0, resolution: '1080p', audio: true }), 0);
  });
  it('per_request prices ignore seconds', () => {
    const spec: ModelSpec = { ...catalog.get('topaz-video-upscale')!, pricing: { unit: 'per_request', base: 0.25, by_resolution: { '4k': 0.5 }, source: 'test' } };
    assert.equal(costForOutputUsd(spec, { seconds: 30, resolution: '4k', audio: false }), 0.5);
    assert.equal(estimateCostUsd(resolveForModel(makeRequest(spec, { video_url: 'https://e.com/a.mp4' }), spec), spec), 0.25);
  });
  it('uses list prices where the provider publishes one; every estimate says where its number comes from', () => {
    for (const id of ['sora-2', 'veo3.1', 'veo3.1-pro']) {
      const p = catalog.get(id)!.pricing;
      assert.equal(p.estimate, false, id);
      assert.match(p.source, /^List price: .*(developers\.openai\.com|ai\.google\.dev)/, id);
    }
    for (const spec of catalog.all()) {
      if (spec.pricing.estimate) assert.match(spec.pricing.source, /^Estimate: .{60,}\. Operators should override/, spec.id);
    }
    // Third-party figures replacing the earlier guesses (spec/prices.md).
    assert.deepEqual(catalog.get('veo3.1-fast')!.pricing.with_audio_by_resolution, { '720p': 0.1, '1080p': 0.12, '4k': 0.3 });
    // Veo 3 without audio is Vertex AI's silent tier (generateAudio:false), lower at every resolution.
    assert.deepEqual(catalog.get('veo3.1-fast')!.pricing.by_resolution, { '720p': 0.08, '1080p': 0.1, '4k': 0.25 });
    assert.equal(estimate('veo3.1-fast', { prompt: 'x', duration: 8, resolution: '720p', output_audio: false }), 0.64);
    assert.equal(estimate('veo3.1-fast', { prompt: 'x', duration: 8, resolution: '720p' }), 0.8);
    assert.equal(estimate('veo3.1', { prompt: 'x', duration: 8, resolution: '4k', output_audio: false }), 3.2);
    assert.equal(estimate('veo3.1', { prompt: 'x', duration: 8, resolution: '4k', output_audio: true }), 4.8);
    assert.deepEqual(catalog.get('grok-imagine-video-1.5-preview')!.pricing.by_resolution, { '480p': 0.08, '720p': 0.14 });
    // Seedance 1.5 Pro is billed lower without audio (ModelArk's token prices).
    assert.equal(estimate('seedance-1.5-pro', { prompt: 'x', duration: 10, resolution: '720p', output_audio: false }), 0.26);
    assert.equal(estimate('seedance-1.5-pro', { prompt: 'x', duration: 10, resolution: '720p', output_audio: true }), 0.52);
  });
  it('formats USD strings with 2–6 decimals', () => {
    assert.equal(usdString(0.4), '0.40');
    assert.equal(usdString(0.0467), '0.0467');
    assert.equal(usdString(1.1 + 2.2), '3.30');
    assert.equal(usdString(12), '12.00');
  });
});
