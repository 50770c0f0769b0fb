import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

const IMG = 'https://example.com/a.png';
const imgs = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/ref-${i}.png`);
const ELEMENT = { name: 'hero', element_input_urls: ['https://example.com/e1.png', 'https://example.com/e2.png'] };

/** Every rule the seed documents, sent over HTTP: [what, body, code, param]. */
const VIOLATIONS: [string, Record<string, unknown>, string, string][] = [
  ['an operation the model does not list', { model: 'veo3', prompt: 'x', operation: 'reference-to-video', reference_images: [IMG] }, 'unsupported_operation', 'operation'],
  ['kling_elements on another model', { model: 'kling-v2.6-pro', prompt: '@hero', image_url: IMG, kling_elements: [ELEMENT] }, 'unsupported_parameter', 'kling_elements'],
  ['kling_elements on a text-only request', { model: 'kling-3.0-video', prompt: '@hero', kling_elements: [ELEMENT] }, 'invalid_kling_elements', 'kling_elements'],
  ['kling_elements with output_audio=true', { model: 'kling-3.0-video', prompt: '@hero', image_url: IMG, output_audio: true, kling_elements: [ELEMENT] }, 'invalid_kling_elements', 'kling_elements'],
  ['more than 3 kling elements', { model: 'kling-3.0-video', prompt: '@hero', image_url: IMG, kling_elements: [ELEMENT, ELEMENT, ELEMENT, ELEMENT] }, 'invalid_value', 'kling_elements'],
  ['a kling element with one image', { model: 'kling-3.0-video', prompt: '@hero', image_url: IMG, kling_elements: [{ name: 'hero', element_input_urls: [IMG] }] }, 'invalid_value', 'kling_elements[0].element_input_urls'],
  [
    'a kling element with five images',
    { model: 'kling-3.0-video', prompt: '@hero', image_url: IMG, kling_elements: [{ name: 'hero', element_input_urls: imgs(5) }] },
    'invalid_value',
    'kling_elements[0].element_input_urls',
  ],
  ['grok reference-to-video with 8 images', { model: 'grok-imagine-video', prompt: 'x', operation: 'reference-to-video', reference_images: imgs(8) }, 'too_many_references', 'reference_images'],
  ['grok reference-to-video longer than 10 s', { model: 'grok-imagine-video', prompt: 'x', operation: 'reference-to-video', reference_images: imgs(2), duration: 12 }, 'invalid_duration', 'duration'],
  ['grok reference images with image_url', { model: 'grok-imagine-video', prompt: 'x', operation: 'reference-to-video', reference_images: imgs(2), image_url: IMG }, 'conflicting_parameters', 'image_url'],
  ['grok video-to-video with a non-.mp4 URL', { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: 'https://example.com/clip.mov' }, 'invalid_video_url', 'video_url'],
  ['grok video-to-video with duration', { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: 'https://example.com/clip.mp4', duration: 6 }, 'unsupported_parameter', 'duration'],
  [
    'grok video-to-video with aspect_ratio',
    { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: 'https://example.com/clip.mp4', aspect_ratio: '16:9' },
    'unsupported_parameter',
    'aspect_ratio',
  ],
  ['grok video-to-video at 1080p', { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: 'https://example.com/clip.mp4', resolution: '1080p' }, 'invalid_resolution', 'resolution'],
  ['grok 1.5 preview text-to-video', { model: 'grok-imagine-video-1.5-preview', prompt: 'x', operation: 'text-to-video' }, 'unsupported_operation', 'operation'],
  [
    'seedance-2.0 with 10 reference images',
    { model: 'seedance-2.0', prompt: 'x', operation: 'reference-to-video', reference_images: imgs(9), material_asset_ids: ['asset-20260101000000-aaaaa'] },
    'too_many_references',
    'reference_images',
  ],
  ['seedance-2.0-fast at 1080p', { model: 'seedance-2.0-fast', prompt: 'x', resolution: '1080p' }, 'invalid_resolution', 'resolution'],
  ['seedance-2.0-fast at 4k', { model: 'seedance-2.0-fast', prompt: 'x', resolution: '4k' }, 'invalid_resolution', 'resolution'],
  ['veo 1080p at 4 s', { model: 'veo3.1', prompt: 'x', resolution: '1080p', duration: 4 }, 'invalid_duration', 'duration'],
  ['kling omni reference-to-video without a prompt', { model: 'kling-video-o1-pro', operation: 'reference-to-video', reference_images: imgs(2) }, 'missing_required_parameter', 'prompt'],
  ['kling 3.0 image-to-video without a prompt', { model: 'kling-v3.0-std', image_url: IMG }, 'missing_required_parameter', 'prompt'],
  ['vidu reference-to-video without a prompt', { model: 'viduq2', operation: 'reference-to-video', reference_images: imgs(2) }, 'missing_required_parameter', 'prompt'],
  ['sora with output_audio=false (always sound, never removed)', { model: 'sora-2', prompt: 'x', output_audio: false }, 'unsupported_output_audio', 'output_audio'],
  ['veo3 at 4k (4k arrived with Veo 3.1)', { model: 'veo3', prompt: 'x', resolution: '4k', duration: 8 }, 'invalid_resolution', 'resolution'],
  ['veo reference-to-video without a prompt', { model: 'veo3.1', operation: 'reference-to-video', reference_images: [IMG], duration: 8 }, 'missing_required_parameter', 'prompt'],
];

describe('every seed rule is enforced over HTTP with a 400 that names the param and what is allowed', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  for (const [what, body, code, param] of VIOLATIONS) {
    it(what, async () => {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      const json = (await res.json()) as Record<string, any>;
      assert.equal(res.status, 400, JSON.stringify(json));
      assert.deepEqual(validateAgainst('ApiError', json), []);
      assert.equal(json.error.type, 'invalid_request_error');
      assert.equal(json.error.code, code, JSON.stringify(json));
      assert.equal(json.error.param, param, JSON.stringify(json));
      assert.ok(json.error.message.length > 20);
    });
  }

  it('a rule error lists what is allowed', async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1', prompt: 'x', aspect_ratio: '21:9' } });
    const err = ((await res.json()) as any).error;
    assert.equal(err.code, 'invalid_aspect_ratio');
    assert.deepEqual(err.allowed_aspect_ratios, ['16:9', '9:16']);
    const op = ((await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'hailuo-2.3-fast', prompt: 'x', operation: 'text-to-video' } })).json()) as any).error;
    assert.deepEqual(op.supported_operations, ['image-to-video']);
  });

  it('Veo 3 defaults to audio on and kling-3.0-video to silent when output_audio is omitted (model detail says so)', async () => {
    const veo = (await (await gw.api('/v1/models/veo3', { key: null })).json()) as any;
    const kling = (await (await gw.api('/v1/models/kling-3.0-video', { key: null })).json()) as any;
    const text = (m: any) => JSON.stringify(m.tokenlab.request_format_details);
    assert.match(text(veo), /[Aa]udio/);
    assert.match(text(kling), /silent|sound/i);
  });
});
