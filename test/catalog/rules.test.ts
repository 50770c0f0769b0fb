import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constraintsForOperation, defaultCatalog, resolveForModel, validateForModel } from '../../src/catalog/index.js';
import { IMG, IMG2, MP4, apiError, makeRequest, model } from './request.js';
import { validateAgainst } from '../helpers/openapi.js';
import { promotionOfDraft } from '../../src/catalog/drafts.js';

const catalog = defaultCatalog();

/** Validates a body against a model; returns the request so callers can resolve it. */
function ok(id: string, body: Record<string, unknown>) {
  const spec = model(catalog, id);
  const req = makeRequest(spec, body);
  validateForModel(req, spec);
  return { spec, req };
}

/** Asserts the body is refused with 400 and this code/param; returns the error for further checks. */
function refused(id: string, body: Record<string, unknown>, code: string, param: string) {
  const spec = model(catalog, id);
  const err = apiError(() => validateForModel(makeRequest(spec, body), spec));
  assert.equal(err.status, 400, err.message);
  assert.equal(err.type, 'invalid_request_error');
  assert.equal(err.code, code, err.message);
  assert.equal(err.param, param, err.message);
  assert.deepEqual(validateAgainst('ApiError', err.toBody()), [], 'error body matches the ApiError schema');
  return err;
}

const ELEMENT = (name: string, n = 2) => ({ name, element_input_urls: Array.from({ length: n }, (_, i) => `https://example.com/${name}-${i}.jpg`) });

describe('one input, one name', () => {
  it('a first frame under two of its names (image, image_url, image_urls) is refused naming both, on every image-to-video model', () => {
    const DATA = 'data:image/png;base64,AAAA';
    const pairs: [Record<string, unknown>, string][] = [
      [{ image: DATA, image_url: IMG }, 'image,image_url'],
      [{ image_url: IMG, image: DATA }, 'image_url,image'],
      [{ image_url: IMG, image_urls: [IMG2] }, 'image_url,image_urls'],
      [{ image: DATA, image_urls: [IMG2] }, 'image,image_urls'],
      [{ image_url: IMG, image: IMG }, 'image_url,image'], // the same value twice is still two names for one input
    ];
    const i2v = catalog.list().filter((m) => m.operations.some((o) => o.operation === 'image-to-video') && m.supported_parameters.includes('image'));
    assert.ok(i2v.length > 5);
    for (const spec of i2v) {
      for (const [inputs, param] of pairs) {
        const err = refused(spec.id, { prompt: 'x', operation: 'image-to-video', ...inputs }, 'conflicting_parameters', param);
        const [a, b] = param.split(',');
        assert.match(err.message, new RegExp(`'${a}' and '${b}' both give the first frame`));
        assert.match(err.message, /Send only one of image_url, image, image_urls/);
        assert.deepEqual(err.extras.conflicting_parameters, [a, b]);
      }
      ok(spec.id, { prompt: 'x', operation: 'image-to-video', image_url: IMG });
    }
  });
});

describe('seed and OpenAPI examples pass', () => {
  it('veo3.1 text-to-video, 5 s, 16:9', () => void ok('veo3.1', { prompt: 'A golden retriever running', duration: 5, aspect_ratio: '16:9' }));
  it('veo3.1 accepts 4 and 8 s too', () => {
    ok('veo3.1', { prompt: 'x', duration: 4 });
    ok('veo3.1', { prompt: 'x', duration: 8 });
  });
  it('hailuo-2.3-standard image-to-video, 6 s', () => void ok('hailuo-2.3-standard', { prompt: 'Make it move', operation: 'image-to-video', image_url: IMG, duration: 6 }));
  it('veo3.1 reference-to-video, 1 image, 8 s, 9:16, 720p', () =>
    void ok('veo3.1', { prompt: 'Same subject', operation: 'reference-to-video', reference_images: [IMG], duration: 8, aspect_ratio: '9:16', resolution: '720p' }));
  it('kling-3.0-video element references with image_url, 5 s', () => {
    ok('kling-3.0-video', { prompt: '@hero walks in', image_url: IMG, kling_elements: [ELEMENT('hero')], duration: 5 });
    ok('kling-3.0-video', { prompt: '@hero', operation: 'image-to-video', image_url: IMG, kling_elements: [ELEMENT('hero', 4), ELEMENT('cat', 3)], duration: 5, output_audio: false });
  });
  it('viduq2-pro start-end, 5 s', () => void ok('viduq2-pro', { prompt: 'fly', operation: 'start-end-to-video', start_image: IMG, end_image: IMG2, duration: 5 }));
  it('seedance 5 and 6 s', () => {
    for (const id of ['seedance-1.5-pro', 'seedance-2.0', 'seedance-2.0-fast']) {
      ok(id, { prompt: 'x', duration: 5 });
      ok(id, { prompt: 'x', duration: 6 });
    }
  });
  it('seedance-2.0 reference-to-video with 9 images + 3 videos + 3 audios; duration -1', () => {
    ok('seedance-2.0', {
      prompt: 'x',
      reference_images: Array(6).fill(IMG),
      material_asset_ids: ['asset-1', 'asset-2', 'asset-3'],
      video_urls: [MP4, MP4, MP4],
      audio_urls: ['https://e.com/a.mp3', 'https://e.com/b.mp3', 'https://e.com/c.mp3'],
      duration: -1,
    });
    ok('seedance-2.0', { prompt: 'x', resolution: '4k', operation: 'reference-to-video', reference_images: [IMG] });
  });
  it('kling-3.0-motion-control with image_url + video_url', () => void ok('kling-3.0-motion-control', { image_url: IMG, video_url: MP4, prompt: 'dance' }));
  it('topaz-video-upscale with video_url and a target resolution', () => void ok('topaz-video-upscale', { video_url: MP4, resolution: '4k' }));
  it('grok-imagine-video video-to-video with an https .mp4 and query string, 480p', () => void ok('grok-imagine-video', { prompt: 'red scarf', video_url: 'https://cdn.example.com/in.mp4?sig=abc', resolution: '480p' }));
});

describe('generic per-model rules', () => {
  it('operation not listed → unsupported_operation with supported_operations', () => {
    const err = refused('hailuo-2.3-fast', { prompt: 'x', operation: 'text-to-video' }, 'unsupported_operation', 'operation');
    assert.deepEqual(err.extras.supported_operations, ['image-to-video']);
    assert.match(err.message, /image-to-video/);
  });
  it('duration not allowed → invalid_duration with allowed_durations as strings', () => {
    const err = refused('veo3.1', { prompt: 'x', duration: 7 }, 'invalid_duration', 'duration');
    assert.deepEqual(err.extras.allowed_durations, ['4', '5', '6', '8']);
    assert.match(err.message, /4, 5, 6, 8/);
  });
  it('resolution not allowed → invalid_resolution', () => {
    const err = refused('sora-2', { prompt: 'x', resolution: '1080p' }, 'invalid_resolution', 'resolution');
    assert.deepEqual(err.extras.allowed_resolutions, ['720p']);
  });
  it('aspect ratio not allowed → invalid_aspect_ratio', () => {
    const err = refused('veo3.1', { prompt: 'x', aspect_ratio: '1:1' }, 'invalid_aspect_ratio', 'aspect_ratio');
    assert.deepEqual(err.extras.allowed_aspect_ratios, ['16:9', '9:16']);
  });
  it('image-conditioned Kling output follows the image: ratios accepted for compatibility, adaptive by default', () => {
    const { spec, req } = ok('kling-v2.6-pro', { image_url: IMG, aspect_ratio: '16:9' });
    assert.equal(resolveForModel(req, spec).aspect_ratio, '16:9');
    const unsent = ok('kling-v2.6-pro', { image_url: IMG });
    assert.equal(resolveForModel(unsent.req, unsent.spec).aspect_ratio, 'adaptive');
    const detail = constraintsForOperation(spec, 'image-to-video');
    assert.ok(detail!.notes.some((n) => n.includes('the image decides')));
  });
  it('parameter the model does not support → unsupported_parameter with supported_parameters', () => {
    const err = refused('sora-2', { prompt: 'x', seed: 3 }, 'unsupported_parameter', 'seed');
    assert.ok(Array.isArray(err.extras.supported_parameters));
    assert.ok((err.extras.supported_parameters as string[]).includes('size'));
  });
  it('missing inputs → missing_required_parameter', () => {
    refused('hailuo-2.3-standard', { prompt: 'x', operation: 'image-to-video' }, 'missing_required_parameter', 'image_url');
    refused('viduq2-pro', { prompt: 'x', operation: 'start-end-to-video', start_image: IMG }, 'missing_required_parameter', 'end_image');
    refused('viduq2-pro', { prompt: 'x', operation: 'start-end-to-video', end_image: IMG }, 'missing_required_parameter', 'start_image');
    refused('kling-3.0-motion-control', { operation: 'motion-control', image_url: IMG }, 'missing_required_parameter', 'video_url');
    refused('kling-3.0-motion-control', { operation: 'motion-control', video_url: MP4 }, 'missing_required_parameter', 'image_url');
    refused('topaz-video-upscale', { operation: 'video-to-video' }, 'missing_required_parameter', 'video_url');
    refused('veo3.1', { prompt: 'x', operation: 'reference-to-video' }, 'missing_required_parameter', 'reference_images');
    refused('veo3.1', { operation: 'text-to-video' }, 'missing_required_parameter', 'prompt');
  });
  it('image_urls satisfies image-to-video and reference-to-video', () => {
    ok('hailuo-2.3-standard', { prompt: 'x', operation: 'image-to-video', image_urls: [IMG] });
    ok('veo3.1', { prompt: 'x', operation: 'reference-to-video', image_urls: [IMG, IMG2], duration: 8 });
  });
  it('reference limit → too_many_references', () => {
    const err = refused('veo3.1', { prompt: 'x', reference_images: [IMG, IMG, IMG, IMG], duration: 8 }, 'too_many_references', 'reference_images');
    assert.equal(err.extras.max_reference_images, 3);
  });
  it('Veo 3.0 renders no 4k (it arrived with 3.1): 400 naming resolution with the allowed list', () => {
    for (const id of ['veo3', 'veo3-fast', 'veo3-pro']) {
      const err = refused(id, { prompt: 'x', resolution: '4k', duration: 8 }, 'invalid_resolution', 'resolution');
      assert.deepEqual(err.extras.allowed_resolutions, ['720p', '1080p']);
    }
    ok('veo3.1', { prompt: 'x', resolution: '4k', duration: 8 });
  });
  it('Veo reference-to-video needs a prompt', () => {
    refused('veo3.1', { operation: 'reference-to-video', reference_images: [IMG], duration: 8 }, 'missing_required_parameter', 'prompt');
    ok('veo3.1', { prompt: 'the two of them dance', operation: 'reference-to-video', reference_images: [IMG], duration: 8 });
  });
  it('output_audio against a fixed default → 400 on output_audio', () => {
    const err = refused('sora-2', { prompt: 'x', output_audio: false }, 'unsupported_output_audio', 'output_audio');
    assert.match(err.message, /omit output_audio or set it to true/);
    // Veo 3 and Grok always render sound upstream, but the gateway removes the track: false is honoured.
    ok('veo3.1', { prompt: 'x', output_audio: false });
    ok('grok-imagine-video', { prompt: 'x', output_audio: false });
    refused('hailuo-2.3-standard', { prompt: 'x', output_audio: true }, 'unsupported_output_audio', 'output_audio');
    ok('veo3.1', { prompt: 'x', output_audio: true });
    ok('kling-v2.6-pro', { prompt: 'x', output_audio: true });
  });
  it('viduq2-pro reference-to-video is the non-subject mode: output_audio is not accepted at all', () => {
    refused('viduq2-pro', { prompt: 'x', operation: 'reference-to-video', reference_images: [IMG], output_audio: false }, 'unsupported_parameter', 'output_audio');
    refused('viduq2-pro', { prompt: 'x', operation: 'reference-to-video', reference_images: [IMG], output_audio: true }, 'unsupported_parameter', 'output_audio');
    ok('viduq2-pro', { prompt: 'x', operation: 'reference-to-video', reference_images: [IMG] });
    ok('viduq2', { prompt: 'x', operation: 'reference-to-video', reference_images: [IMG], output_audio: true });
  });
  it('wan-2.6 reference-to-video renders audio always (wan2.6-r2v): output_audio=false is a 400', () => {
    refused('wan-2.6', { prompt: 'character1 waves', operation: 'reference-to-video', video_urls: [MP4], output_audio: false }, 'unsupported_output_audio', 'output_audio');
    ok('wan-2.6', { prompt: 'x', output_audio: false });
  });
  it('kling-v2.6-pro cannot add sound to start+end videos', () => {
    refused('kling-v2.6-pro', { start_image: IMG, end_image: IMG2, output_audio: true }, 'unsupported_output_audio', 'output_audio');
  });
  it('first-frame inputs are not mixed into other flows', () => {
    refused('veo3.1', { prompt: 'x', operation: 'image-to-video', image_url: IMG, reference_images: [IMG] }, 'conflicting_parameters', 'reference_images');
  });
  it('prompt longer than the model limit → prompt_too_long', () => {
    refused('kling-v2.6-std', { prompt: 'x'.repeat(2501) }, 'prompt_too_long', 'prompt');
  });
  it('Veo: 1080p, 4k and references need 8 s', () => {
    const err = refused('veo3.1', { prompt: 'x', resolution: '1080p', duration: 6 }, 'invalid_duration', 'duration');
    assert.deepEqual(err.extras.allowed_durations, ['8']);
    refused('veo3.1-fast', { prompt: 'x', resolution: '4k', duration: 4 }, 'invalid_duration', 'duration');
    refused('veo3.1', { prompt: 'x', reference_images: [IMG], duration: 6 }, 'invalid_duration', 'duration');
    ok('veo3.1', { prompt: 'x', resolution: '4k', duration: 8 });
  });
  it('Hailuo: 10 s only below 1080p', () => {
    refused('hailuo-2.3-fast', { image_url: IMG, resolution: '1080p', duration: 10 }, 'invalid_duration', 'duration');
    ok('hailuo-2.3-fast', { image_url: IMG, resolution: '720p', duration: 10 });
  });
  it('Sora size must be one of the model sizes and agree with aspect_ratio', () => {
    refused('sora-2', { prompt: 'x', size: '1920x1080' }, 'invalid_size', 'size');
    refused('sora-2-pro', { prompt: 'x', size: '1920x1080', aspect_ratio: '9:16' }, 'conflicting_parameters', 'size');
    ok('sora-2-pro', { prompt: 'x', size: '1080x1920' });
  });
});

describe('kling_elements rules', () => {
  it('only kling-3.0-video accepts kling_elements', () => {
    const err = refused('kling-v3.0-pro', { image_url: IMG, kling_elements: [ELEMENT('a')] }, 'unsupported_parameter', 'kling_elements');
    assert.match(err.message, /only supported by kling-3.0-video/);
  });
  it('needs an image-conditioned request', () => {
    refused('kling-3.0-video', { prompt: '@a', kling_elements: [ELEMENT('a')] }, 'invalid_kling_elements', 'kling_elements');
  });
  it('works with start_image/end_image and image_urls', () => {
    ok('kling-3.0-video', { prompt: '@a', start_image: IMG, end_image: IMG2, kling_elements: [ELEMENT('a')] });
    ok('kling-3.0-video', { prompt: '@a', image_urls: [IMG], kling_elements: [ELEMENT('a')] });
  });
  it('never with output_audio=true', () => {
    const err = refused('kling-3.0-video', { image_url: IMG, kling_elements: [ELEMENT('a')], output_audio: true }, 'invalid_kling_elements', 'kling_elements');
    assert.match(err.message, /output_audio/);
  });
  it('1–3 elements of 2–4 images', () => {
    refused('kling-3.0-video', { image_url: IMG, kling_elements: [ELEMENT('a'), ELEMENT('b'), ELEMENT('c'), ELEMENT('d')] }, 'invalid_kling_elements', 'kling_elements');
    refused('kling-3.0-video', { image_url: IMG, kling_elements: [] }, 'invalid_kling_elements', 'kling_elements');
    refused('kling-3.0-video', { image_url: IMG, kling_elements: [ELEMENT('a', 1)] }, 'invalid_kling_elements', 'kling_elements');
    refused('kling-3.0-video', { image_url: IMG, kling_elements: [ELEMENT('a', 5)] }, 'invalid_kling_elements', 'kling_elements');
  });
  it('kling-3.0-video sound is configurable and off by default', () => {
    const { spec, req } = ok('kling-3.0-video', { prompt: 'x', output_audio: true });
    assert.equal(resolveForModel(req, spec).output_audio, true);
    const d = ok('kling-3.0-video', { prompt: 'x' });
    assert.equal(resolveForModel(d.req, d.spec).output_audio, false);
  });
});

describe('grok rules', () => {
  it('reference-to-video: at most 7 images across reference_images and image_urls', () => {
    ok('grok-imagine-video', { prompt: 'x', reference_images: Array(7).fill(IMG) });
    refused('grok-imagine-video', { prompt: 'x', reference_images: Array(8).fill(IMG) }, 'too_many_references', 'reference_images');
    refused('grok-imagine-video', { prompt: 'x', operation: 'reference-to-video', image_urls: Array(8).fill(IMG) }, 'too_many_references', 'image_urls');
  });
  it('reference-to-video: duration capped at 10 s', () => {
    ok('grok-imagine-video', { prompt: 'x', reference_images: [IMG], duration: 10 });
    const err = refused('grok-imagine-video', { prompt: 'x', reference_images: [IMG], duration: 12 }, 'invalid_duration', 'duration');
    assert.ok(!(err.extras.allowed_durations as string[]).includes('11'));
    ok('grok-imagine-video', { prompt: 'x', duration: 15 });
  });
  it('reference images never with image_url / image', () => {
    refused('grok-imagine-video', { prompt: 'x', reference_images: [IMG], image_url: IMG2 }, 'conflicting_parameters', 'image_url');
    refused('grok-imagine-video', { prompt: 'x', reference_images: [IMG], image: 'data:image/png;base64,AAAA' }, 'conflicting_parameters', 'image');
  });
  it('video-to-video needs an https .mp4 video_url', () => {
    refused('grok-imagine-video', { prompt: 'x', video_url: 'http://cdn.example.com/in.mp4' }, 'invalid_video_url', 'video_url');
    refused('grok-imagine-video', { prompt: 'x', video_url: 'https://cdn.example.com/in.mov' }, 'invalid_video_url', 'video_url');
    refused('grok-imagine-video', { prompt: 'x', video_url: 'https://cdn.example.com/in.mp4.html?x=.mp4' }, 'invalid_video_url', 'video_url');
    refused('grok-imagine-upscale', { video_url: 'https://cdn.example.com/in.webm' }, 'invalid_video_url', 'video_url');
  });
  it('video-to-video rejects duration and aspect_ratio, allows 480p/720p only', () => {
    refused('grok-imagine-video', { prompt: 'x', video_url: MP4, duration: 5 }, 'unsupported_parameter', 'duration');
    refused('grok-imagine-video', { prompt: 'x', video_url: MP4, aspect_ratio: '16:9' }, 'unsupported_parameter', 'aspect_ratio');
    const err = refused('grok-imagine-video', { prompt: 'x', video_url: MP4, resolution: '1080p' }, 'invalid_resolution', 'resolution');
    assert.deepEqual(err.extras.allowed_resolutions, ['480p', '720p']);
  });
  it('grok-imagine-video-1.5-preview is image-to-video only', () => {
    refused('grok-imagine-video-1.5-preview', { prompt: 'x' }, 'unsupported_operation', 'operation');
    refused('grok-imagine-video-1.5-preview', { prompt: 'x', reference_images: [IMG] }, 'unsupported_operation', 'operation');
    ok('grok-imagine-video-1.5-preview', { prompt: 'x', image_url: IMG });
  });
});

describe('seedance rules', () => {
  it('≤9 images across reference_images + material_asset_ids', () => {
    refused('seedance-2.0', { prompt: 'x', reference_images: Array(10).fill(IMG) }, 'too_many_references', 'reference_images');
    refused('seedance-2.0-fast', { prompt: 'x', reference_images: Array(5).fill(IMG), material_asset_ids: Array(5).fill('asset-1') }, 'too_many_references', 'reference_images');
  });
  it('≤3 reference videos and ≤3 reference audios', () => {
    refused('seedance-2.0', { prompt: 'x', reference_images: [IMG], video_urls: Array(4).fill(MP4) }, 'too_many_references', 'video_urls');
    refused('seedance-2.0', { prompt: 'x', reference_images: [IMG], audio_urls: Array(4).fill('https://e.com/a.mp3') }, 'too_many_references', 'audio_urls');
  });
  it('audio-only references are refused', () => {
    refused('seedance-2.0', { prompt: 'x', operation: 'reference-to-video', audio_urls: ['https://e.com/a.mp3'] }, 'missing_required_parameter', 'reference_images');
    ok('seedance-2.0', { prompt: 'x', operation: 'reference-to-video', video_urls: [MP4], audio_urls: ['https://e.com/a.mp3'] });
  });
  it('seedance-2.0-fast refuses 1080p and 4k', () => {
    refused('seedance-2.0-fast', { prompt: 'x', resolution: '1080p' }, 'invalid_resolution', 'resolution');
    refused('seedance-2.0-fast', { prompt: 'x', resolution: '4k' }, 'invalid_resolution', 'resolution');
  });
  it('frames is not supported; camera_fixed not on 2.0', () => {
    refused('seedance-2.0', { prompt: 'x', frames: 121 }, 'unsupported_parameter', 'frames');
    refused('seedance-1.5-pro', { prompt: 'x', frames: 121 }, 'unsupported_parameter', 'frames');
    refused('seedance-2.0', { prompt: 'x', camera_fixed: true }, 'unsupported_parameter', 'camera_fixed');
    refused('seedance-2.0-fast', { prompt: 'x', camera_fixed: true }, 'unsupported_parameter', 'camera_fixed');
    ok('seedance-1.5-pro', { prompt: 'x', camera_fixed: true });
  });
  it('service_tier and execution_expires_after are refused on 2.x (BytePlus strips them there), accepted on 1.5 Pro', () => {
    refused('seedance-2.0', { prompt: 'x', service_tier: 'flex' }, 'unsupported_parameter', 'service_tier');
    refused('seedance-2.0', { prompt: 'x', service_tier: 'default' }, 'unsupported_parameter', 'service_tier');
    refused('seedance-2.0-fast', { prompt: 'x', execution_expires_after: 3600 }, 'unsupported_parameter', 'execution_expires_after');
    ok('seedance-1.5-pro', { prompt: 'x', service_tier: 'flex', execution_expires_after: 3600 });
  });
  it('priority is allowed with service_tier=flex', () => {
    ok('seedance-1.5-pro', { prompt: 'x', service_tier: 'flex', priority: 3 });
    ok('seedance-2.0', { prompt: 'x', priority: 3 });
  });
  it('a draft renders 480p: other resolutions are refused, an omitted one resolves to 480p', () => {
    refused('seedance-1.5-pro', { prompt: 'x', draft: true, resolution: '720p' }, 'invalid_resolution', 'resolution');
    ok('seedance-1.5-pro', { prompt: 'x', draft: true, resolution: '480p' });
    const { spec, req } = ok('seedance-1.5-pro', { prompt: 'x', draft: true });
    assert.equal(resolveForModel(req, spec).resolution, '480p');
  });
  it('first-frame, start-end and reference modes are never mixed', () => {
    refused('seedance-2.0', { prompt: 'x', reference_images: [IMG], image_url: IMG }, 'conflicting_parameters', 'image_url');
    refused('seedance-2.0', { prompt: 'x', start_image: IMG, end_image: IMG2, image_url: IMG }, 'conflicting_parameters', 'image_url');
    refused('seedance-2.0', { prompt: 'x', start_image: IMG, end_image: IMG2, reference_images: [IMG] }, 'conflicting_parameters', 'reference_images');
    refused('seedance-2.0', { prompt: 'x', operation: 'image-to-video', image_url: IMG, video_urls: [MP4] }, 'conflicting_parameters', 'video_urls');
  });
  it('a promotion (draft_task_id) may repeat what the draft fixes, never change it, and needs no prompt of its own', () => {
    const ID = 'ldtask_0123456789abcdef0123456789abcdef';
    ok('seedance-1.5-pro', { draft_task_id: ID, resolution: '1080p', watermark: true });
    const { spec, req } = ok('seedance-1.5-pro', { prompt: 'x', draft: true, duration: 4, aspect_ratio: '1:1', output_audio: false, seed: 1, camera_fixed: false, image_url: IMG });
    const draft = resolveForModel(req, spec);
    const promote = (extra: Record<string, unknown>) => () => {
      const p = ok('seedance-1.5-pro', { draft_task_id: ID, ...extra });
      return promotionOfDraft(resolveForModel(p.req, p.spec), draft, spec);
    };
    const same = { prompt: 'x', duration: 4, aspect_ratio: '1:1', output_audio: false, seed: 1, camera_fixed: false, image_url: IMG };
    assert.equal(promote(same)().duration, 4, "the draft's own values are accepted");
    for (const [param, extra] of [
      ['duration', { duration: 8 }],
      ['prompt', { prompt: 'y' }],
      ['aspect_ratio', { aspect_ratio: '16:9' }],
      ['output_audio', { output_audio: true }],
      ['seed', { seed: 2 }],
      ['camera_fixed', { camera_fixed: true }],
      ['image_url', { image_url: IMG2 }],
    ] as const) {
      const err = apiError(promote({ ...same, ...extra }));
      assert.deepEqual([err.code, err.param], ['fixed_by_draft', param], err.message);
      assert.match(err.message, new RegExp(`The draft fixes ${param}`));
    }
  });
  it('draft workflow only on 1.5 pro', () => {
    ok('seedance-1.5-pro', { prompt: 'x', draft: true });
    refused('seedance-2.0', { prompt: 'x', draft: true }, 'unsupported_parameter', 'draft');
  });
});

describe('resolveForModel', () => {
  it('applies Veo defaults: 8 s, 720p, 16:9, audio on, the Gemini model id', () => {
    const { spec, req } = ok('veo3.1', { prompt: 'x' });
    const r = resolveForModel(req, spec);
    assert.deepEqual([r.duration, r.resolution, r.aspect_ratio, r.output_audio, r.upstream_model], [8, '720p', '16:9', true, 'veo-3.1-generate-preview']);
  });
  it('veo3.1-pro defaults to 1080p at 8 s, but falls back to 720p for shorter durations', () => {
    const a = ok('veo3.1-pro', { prompt: 'x' });
    assert.deepEqual([resolveForModel(a.req, a.spec).resolution, resolveForModel(a.req, a.spec).duration], ['1080p', 8]);
    const b = ok('veo3.1-pro', { prompt: 'x', duration: 4 });
    assert.equal(resolveForModel(b.req, b.spec).resolution, '720p');
  });
  it('applies Seedance defaults: 5 s, 720p, adaptive, audio on', () => {
    const { spec, req } = ok('seedance-2.0', { prompt: 'x' });
    const r = resolveForModel(req, spec);
    assert.deepEqual([r.duration, r.resolution, r.aspect_ratio, r.output_audio, r.upstream_model], [5, '720p', 'adaptive', true, 'dreamina-seedance-2-0-260128']);
  });
  it('picks the per-operation upstream id and the operation aspect ratio (Wan image-to-video)', () => {
    const { spec, req } = ok('wan-2.6', { image_url: IMG, prompt: 'x' });
    const r = resolveForModel(req, spec);
    assert.equal(r.upstream_model, 'wan2.6-i2v');
    assert.equal(r.aspect_ratio, 'adaptive');
    assert.equal(r.output_audio, true);
  });
  it('derives Sora aspect ratio and resolution from size', () => {
    const { spec, req } = ok('sora-2-pro', { prompt: 'x', size: '1024x1792' });
    const r = resolveForModel(req, spec);
    assert.deepEqual([r.aspect_ratio, r.resolution, r.duration], ['9:16', '1080p', 4]);
  });
  it('keeps sent values and the rest of the request', () => {
    const { spec, req } = ok('viduq3-pro', { prompt: 'x', duration: 12, resolution: '1080p', aspect_ratio: '9:16', output_audio: false, seed: 7 });
    const r = resolveForModel(req, spec);
    assert.deepEqual([r.duration, r.resolution, r.aspect_ratio, r.output_audio, r.seed, r.prompt], [12, '1080p', '9:16', false, 7, 'x']);
  });
  it('Kling o1 reference mode uses 5 s by default', () => {
    const { spec, req } = ok('kling-video-o1-pro', { prompt: 'x', reference_images: [IMG] });
    assert.equal(resolveForModel(req, spec).duration, 5);
  });
});
