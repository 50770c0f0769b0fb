/**
 * Model lifecycle and availability through the whole gateway (sandbox):
 * - a deprecated or retired model still takes tasks, but the create answer and task reads carry
 *   Deprecation (RFC 9745), Sunset (RFC 8594) and a Link to the replacement;
 * - when the upstream refuses the model as retired, the task fails with model_retired naming the
 *   replacement;
 * - a model the upstream's model list no longer names is unavailable: creates answer 503
 *   all_channels_failed at once, with the reason, and the Models API says so;
 * - output_audio=false on an upstream that always renders sound (Grok)
 *   produces a silent video, priced as produced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { probeTaskVideo } from '../helpers/e2e-provider.js';
import type { ProviderName } from '../../src/catalog/types.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => gw.close());

const create = (json: Record<string, unknown>) => gw.api('/v1/videos/generations', { method: 'POST', json });
type Faults = { retireModel(id: string): void; reset(): void };
const faultsOf = (provider: ProviderName) => gw.sandbox![provider]!.faults as Faults;

describe('deprecated and retired models', () => {
  it('seedance-1.5-pro (shut down 2026-11-11) still takes tasks; every answer carries Deprecation, Sunset and a Link to seedance-2.0', async () => {
    const res = await create({ model: 'seedance-1.5-pro', prompt: 'a kite', duration: 4, resolution: '480p' });
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(res.headers.get('deprecation') ?? '', /^@\d+$/);
    assert.equal(res.headers.get('sunset'), new Date('2026-11-11T09:00:00Z').toUTCString());
    assert.match(res.headers.get('link') ?? '', /<\/v1\/models\/seedance-2\.0>; rel="successor-version"/);
    const { id } = (await res.json()) as { id: string };
    const read = await gw.api(`/v1/tasks/${id}`);
    assert.equal(read.headers.get('sunset'), res.headers.get('sunset'));
    assert.match(read.headers.get('link') ?? '', /successor-version/);
    // An active model carries none of them.
    const active = await create({ model: 'seedance-2.0-fast', prompt: 'a kite', duration: 4, resolution: '480p' });
    assert.equal(active.headers.get('deprecation'), null);
    assert.equal(active.headers.get('sunset'), null);
    // The Models API says retired, with the dates and the replacement.
    const detail = (await (await gw.api('/v1/models/seedance-1.5-pro', { key: null })).json()) as any;
    assert.deepEqual([detail.tokenlab.lifecycle.stage, detail.tokenlab.lifecycle.replacement_model, detail.tokenlab.lifecycle.retired_at], ['retired', 'seedance-2.0', '2026-11-11T09:00:00Z']);
  });

  it('when the upstream refuses the retired model, the task fails with model_retired naming the replacement', async () => {
    faultsOf('seedance').retireModel('seedance-1-5-pro-251215');
    try {
      const res = await create({ model: 'seedance-1.5-pro', prompt: 'a kite', duration: 4, resolution: '480p' });
      assert.equal(res.status, 200);
      const done = await waitForTask(gw, ((await res.json()) as { id: string }).id);
      assert.equal(done.status, 'failed');
      assert.equal(done.error.code, 'model_retired');
      assert.match(done.error.message, /seedance-2\.0/);
    } finally {
      faultsOf('seedance').reset();
    }
  });
});

describe('every provider: an upstream that no longer serves the model fails the task with model_retired', () => {
  // [provider, public model, upstream id the simulator stops serving, request]
  const cases: [ProviderName, string, string, Record<string, unknown>][] = [
    ['google', 'veo3.1-fast', 'veo-3.1-fast-generate-preview', { duration: 4 }],
    ['openai', 'sora-2', 'sora-2', { duration: 4 }],
    ['kling', 'kling-v2.5-turbo-std', 'kling-v2-5-turbo', { duration: 5 }],
    ['seedance', 'seedance-2.0-fast', 'dreamina-seedance-2-0-fast-260128', { duration: 4, resolution: '480p' }],
    ['minimax', 'hailuo-2.3-standard', 'MiniMax-Hailuo-2.3', { duration: 6 }],
    ['dashscope', 'wan-2.6', 'wan2.6-t2v', { duration: 5 }],
    ['vidu', 'viduq3-turbo', 'viduq3-turbo', { duration: 4 }],
    ['xai', 'grok-imagine-text-to-video', 'grok-imagine-video', { duration: 1, resolution: '480p' }],
    ['topaz', 'topaz-video-upscale', 'prob-4', { video_url: 'https://example.com/source.mp4' }],
  ];
  for (const [provider, model, upstream, body] of cases) {
    it(`${provider}: ${model}`, async () => {
      faultsOf(provider).retireModel(upstream);
      try {
        const res = await create({ model, prompt: 'a kite over the sea', ...body });
        assert.equal(res.status, 200, await res.clone().text());
        const done = await waitForTask(gw, ((await res.json()) as { id: string }).id);
        assert.equal(done.status, 'failed');
        assert.equal(done.error.code, 'model_retired', done.error.message);
        assert.match(done.error.message, new RegExp(`'${model.replace(/\./g, '\\.')}'`));
      } finally {
        faultsOf(provider).reset();
      }
    });
  }
});

describe('availability from the upstream model lists', () => {
  it('a model the upstream no longer lists is refused at once (503 all_channels_failed with the reason) and shown unavailable', async () => {
    await gw.availability.checkNow();
    const before = (await (await gw.api('/v1/models/grok-imagine-text-to-video', { key: null })).json()) as any;
    assert.equal(before.tokenlab.availability.status, 'available');
    faultsOf('xai').retireModel('grok-imagine-video');
    try {
      await gw.availability.checkNow();
      const res = await create({ model: 'grok-imagine-text-to-video', prompt: 'a kite', duration: 1, resolution: '480p' });
      assert.equal(res.status, 503);
      const err = ((await res.json()) as any).error;
      assert.equal(err.code, 'all_channels_failed');
      assert.match(err.message, /no longer lists 'grok-imagine-video'/);
      const detail = (await (await gw.api('/v1/models/grok-imagine-text-to-video', { key: null })).json()) as any;
      assert.equal(detail.tokenlab.availability.status, 'unavailable');
      assert.match(detail.tokenlab.availability.reason, /grok-imagine-video/);
      // The 1.5 model is listed under the id the gateway now calls (grok-imagine-video-1.5), so it stays available.
      const v15 = (await (await gw.api('/v1/models/grok-imagine-video-1.5-preview', { key: null })).json()) as any;
      assert.equal(v15.tokenlab.availability.status, 'available');
    } finally {
      faultsOf('xai').reset();
      await gw.availability.checkNow();
    }
    const again = await create({ model: 'grok-imagine-text-to-video', prompt: 'a kite', duration: 1, resolution: '480p' });
    assert.equal(again.status, 200, 'listed again: accepted again');
  });
});

describe('output_audio=false where the upstream always renders sound', () => {
  // Veo 3 without audio is rendered silent by Vertex AI instead (test/e2e/vertex-gateway.test.ts).
  for (const body of [{ model: 'grok-imagine-video', prompt: 'waves on rocks', duration: 1, resolution: '480p', output_audio: false }]) {
    it(`${body.model}: the stored video has no audio track, and is priced as produced`, async () => {
      const res = await create(body);
      assert.equal(res.status, 200, await res.clone().text());
      const done = await waitForTask(gw, ((await res.json()) as { id: string }).id);
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      const probe = await probeTaskVideo(gw, done, `silent-${body.model}`);
      assert.equal(probe.hasAudio, false, 'the audio track was removed');
      assert.ok(probe.duration > 0.5, 'the video itself is intact');
    });
  }
});
