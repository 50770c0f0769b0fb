import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/contract/errors.js';
import { inferOperation } from '../../src/contract/infer-operation.js';
import { parseVideoRequest } from '../../src/contract/parse-video-request.js';
import type { Operation } from '../../src/contract/operations.js';

const ALL: Operation[] = ['text-to-video', 'image-to-video', 'reference-to-video', 'start-end-to-video', 'video-to-video', 'motion-control'];
const parse = (body: unknown, ops: Operation[] = ALL) => parseVideoRequest(body, (r) => inferOperation(r, ops));

function rejects(body: unknown, code: string, param: string | null): void {
  assert.throws(
    () => parse(body),
    (e: unknown) => e instanceof ApiError && e.status === 400 && e.code === code && e.param === param,
    JSON.stringify(body),
  );
}

describe('parseVideoRequest', () => {
  it('folds every alias into its canonical field', () => {
    const r = parse({ model: 'm', seconds: 8, ratio: '9:16', outputAudio: false, referenceImages: ['https://a.test/x.png'], referenceImageType: 'style' });
    assert.equal(r.duration, 8);
    assert.equal(r.aspect_ratio, '9:16');
    assert.equal(r.output_audio, false);
    assert.deepEqual(r.reference_images, ['https://a.test/x.png']);
    assert.equal(r.reference_image_type, 'style');
    assert.deepEqual([...r.sent].sort(), ['aspect_ratio', 'duration', 'model', 'output_audio', 'reference_image_type', 'reference_images']);
    assert.equal(parse({ model: 'm', generate_audio: true }).output_audio, true);
  });

  it('accepts agreeing aliases and refuses disagreeing ones, naming both', () => {
    assert.equal(parse({ model: 'm', seconds: 4, duration: 4 }).duration, 4);
    rejects({ model: 'm', seconds: 4, duration: 8 }, 'conflicting_parameters', 'duration');
    rejects({ model: 'm', ratio: '1:1', aspect_ratio: '16:9' }, 'conflicting_parameters', 'aspect_ratio');
    rejects({ model: 'm', output_audio: true, outputAudio: true, generate_audio: false }, 'conflicting_parameters', 'generate_audio');
  });

  it('checks types and ranges as the OpenAPI schema does', () => {
    rejects({ model: 'm', duration: '8' }, 'invalid_type', 'duration');
    rejects({ model: 'm', duration: 61 }, 'invalid_value', 'duration');
    rejects({ model: 'm', aspect_ratio: '2:1' }, 'invalid_value', 'aspect_ratio');
    rejects({ model: 'm', resolution: '8k' }, 'invalid_value', 'resolution');
    rejects({ model: 'm', motion_strength: 2 }, 'invalid_value', 'motion_strength');
    rejects({ model: 'm', image_urls: [] }, 'invalid_value', 'image_urls');
    rejects({ model: 'm', video_urls: ['https://a.test/1.mp4', 'https://a.test/2.mp4', 'https://a.test/3.mp4', 'https://a.test/4.mp4'] }, 'invalid_value', 'video_urls');
    rejects({ model: 'm', image_url: 'ftp://x/y.png' }, 'invalid_url', 'image_url');
    rejects({ model: 'm', kling_elements: [{ name: '@hero', element_input_urls: ['https://a.test/1.png', 'https://a.test/2.png'] }] }, 'invalid_value', 'kling_elements[0].name');
    rejects({ model: 'm', kling_elements: [{ name: 'hero', element_input_urls: ['https://a.test/1.png', 'https://a.test/2.png'], extra: 1 }] }, 'unknown_parameter', 'kling_elements[0].extra');
    rejects({ prompt: 'no model' }, 'missing_required_parameter', 'model');
    rejects([], 'invalid_json', null);
  });

  it('refuses unknown fields with a suggestion, and treats null as not sent', () => {
    try {
      parse({ model: 'm', aspectratio: '16:9' });
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 'unknown_parameter');
      assert.equal(e.extras.did_you_mean, 'aspect_ratio');
    }
    const r = parse({ model: 'm', duration: null, prompt: 'p' });
    assert.equal(r.duration, undefined);
    assert.ok(!r.sent.includes('duration'));
  });

  it('infers the operation from the inputs, preferring what the model lists', () => {
    const img = 'https://a.test/i.png';
    assert.equal(parse({ model: 'm', prompt: 'p' }).operation, 'text-to-video');
    assert.equal(parse({ model: 'm', image_url: img }).operation, 'image-to-video');
    assert.equal(parse({ model: 'm', image: 'data:image/png;base64,AAAA' }).operation, 'image-to-video');
    assert.equal(parse({ model: 'm', start_image: img, end_image: img }).operation, 'start-end-to-video');
    assert.equal(parse({ model: 'm', reference_images: [img] }).operation, 'reference-to-video');
    assert.equal(parse({ model: 'm', video_url: 'https://a.test/v.mp4' }).operation, 'video-to-video');
    assert.equal(parse({ model: 'm', video_url: 'https://a.test/v.mp4', image_url: img }).operation, 'motion-control');
    assert.equal(parse({ model: 'm', image_urls: [img, img] }, ['text-to-video', 'reference-to-video']).operation, 'reference-to-video');
    assert.equal(parse({ model: 'm', image_urls: [img] }).operation, 'image-to-video');
    const explicit = parse({ model: 'm', operation: 'image-to-video', image_url: img });
    assert.equal(explicit.operation_explicit, true);
    assert.equal(parse({ model: 'm' }).operation_explicit, false);
  });
});
