/** Pure Vidu mapping, checked against the example bodies of spec providers-2 §4.4–§4.7. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { endpointFor, errorReason, fromTaskResponse, imageInputsFor, mapHttpError, taskErrorFromErrCode, toCreateBody, toDataUrl, checkBodySize } from '../../src/providers/vidu/index.js';
import { UpstreamError } from '../../src/providers/types.js';

function req(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'viduq2-pro',
    operation: 'image-to-video',
    operation_explicit: true,
    duration: 5,
    resolution: '720p',
    aspect_ratio: 'adaptive',
    output_audio: false,
    upstream_model: 'viduq2-pro',
    sent: [],
    ...over,
  };
}

const bodyFor = (r: ResolvedVideoRequest, taskId?: string) => toCreateBody(r, imageInputsFor(r), taskId);

describe('Vidu request mapping (§4.4 examples)', () => {
  it('img2video: the viduq2-pro example (movement_amplitude auto is the default and left out)', () => {
    const r = req({ prompt: 'The astronaut waves as the camera tilts up', image_url: 'https://cdn.example.com/astronaut.png', resolution: '1080p' });
    assert.equal(endpointFor(r.operation), 'img2video');
    assert.deepEqual(bodyFor(r, 'gw-91b2'), {
      model: 'viduq2-pro',
      images: ['https://cdn.example.com/astronaut.png'],
      prompt: 'The astronaut waves as the camera tilts up',
      duration: 5,
      resolution: '1080p',
      audio: false,
      payload: 'gw-91b2',
    });
  });

  it('start-end2video: the viduq2-turbo example, [first, last] in order, no aspect_ratio (bgm false is the default)', () => {
    const r = req({
      model: 'viduq2-turbo',
      upstream_model: 'viduq2-turbo',
      operation: 'start-end-to-video',
      prompt: 'The bird takes off and soars right',
      start_image: 'https://cdn.example.com/first.jpg',
      end_image: 'https://cdn.example.com/last.jpg',
      aspect_ratio: '16:9',
    });
    assert.equal(endpointFor(r.operation), 'start-end2video');
    assert.deepEqual(bodyFor(r), {
      model: 'viduq2-turbo',
      images: ['https://cdn.example.com/first.jpg', 'https://cdn.example.com/last.jpg'],
      prompt: 'The bird takes off and soars right',
      duration: 5,
      resolution: '720p',
    });
  });

  it('text2video: the viduq2 example shape (4:3, int duration, lower-case resolution)', () => {
    const r = req({ model: 'viduq2', upstream_model: 'viduq2', operation: 'text-to-video', prompt: 'An astronaut walks through golden fog, minimalist', duration: 8, aspect_ratio: '4:3' });
    assert.equal(endpointFor(r.operation), 'text2video');
    assert.deepEqual(bodyFor(r), { model: 'viduq2', prompt: 'An astronaut walks through golden fog, minimalist', duration: 8, aspect_ratio: '4:3', resolution: '720p' });
  });

  it('reference2video: the viduq2 example, verbatim', () => {
    const r = req({
      model: 'viduq2',
      upstream_model: 'viduq2',
      operation: 'reference-to-video',
      prompt: 'Santa Claus and the bear hug by the lake',
      reference_images: ['https://cdn.example.com/santa.png', 'https://cdn.example.com/bear.png'],
      aspect_ratio: '16:9',
    });
    assert.equal(endpointFor(r.operation), 'reference2video');
    assert.deepEqual(bodyFor(r), {
      model: 'viduq2',
      images: ['https://cdn.example.com/santa.png', 'https://cdn.example.com/bear.png'],
      prompt: 'Santa Claus and the bear hug by the lake',
      duration: 5,
      aspect_ratio: '16:9',
      resolution: '720p',
    });
  });

  it('reference2video with audio uses the subjects (audio-video) mode, one subject per image', () => {
    const r = req({
      model: 'viduq2',
      upstream_model: 'viduq2',
      operation: 'reference-to-video',
      prompt: '@1 and @2 talk',
      reference_images: ['https://a.example.com/1.png'],
      image_urls: ['https://a.example.com/2.png'],
      aspect_ratio: '9:16',
      output_audio: true,
    });
    const body = bodyFor(r);
    assert.equal(body.images, undefined);
    assert.deepEqual(body.subjects, [
      { id: '1', images: ['https://a.example.com/1.png'] },
      { id: '2', images: ['https://a.example.com/2.png'] },
    ]);
    assert.equal(body.audio, true);
    assert.equal(body.aspect_ratio, '9:16');
  });

  it('Q3 always states audio (default true upstream), on every endpoint', () => {
    const t2v = bodyFor(req({ model: 'viduq3-pro', upstream_model: 'viduq3-pro', operation: 'text-to-video', prompt: 'x', output_audio: true, aspect_ratio: '9:16', duration: 12, resolution: '1080p', seed: 7 }));
    assert.deepEqual(t2v, { model: 'viduq3-pro', prompt: 'x', duration: 12, seed: 7, aspect_ratio: '9:16', resolution: '1080p', audio: true });
    const se = bodyFor(
      req({ model: 'viduq3-turbo', upstream_model: 'viduq3-turbo', operation: 'start-end-to-video', start_image: 'https://x.example.com/a.png', end_image: 'https://x.example.com/b.png', output_audio: false }),
    );
    assert.equal(se.audio, false);
    assert.equal(se.aspect_ratio, undefined);
  });

  it('Q2 text2video and start-end have no audio: refused rather than silently dropped', () => {
    assert.throws(
      () => bodyFor(req({ model: 'viduq2', upstream_model: 'viduq2', operation: 'text-to-video', prompt: 'x', aspect_ratio: '16:9', output_audio: true })),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'invalid_input',
    );
  });

  it('image inputs: image_url, image or image_urls[0] for the first frame; refs from reference_images + image_urls', () => {
    assert.deepEqual(imageInputsFor(req({ image: 'data:image/png;base64,AAAA' })), ['data:image/png;base64,AAAA']);
    assert.deepEqual(imageInputsFor(req({ image_urls: ['https://x.example.com/a.png'] })), ['https://x.example.com/a.png']);
    assert.throws(() => imageInputsFor(req({})), /first frame/);
    assert.throws(() => imageInputsFor(req({ operation: 'start-end-to-video', start_image: 'https://x.example.com/a.png' })), /end_image/);
    const eight = Array.from({ length: 8 }, (_, i) => `https://x.example.com/${i}.png`);
    assert.throws(() => imageInputsFor(req({ operation: 'reference-to-video', reference_images: eight })), /at most 7/);
  });

  it('prompt is required upstream for text2video and reference2video', () => {
    assert.throws(() => bodyFor(req({ model: 'viduq2', upstream_model: 'viduq2', operation: 'reference-to-video', reference_images: ['https://x.example.com/a.png'], aspect_ratio: '16:9' })), /needs a prompt/);
  });

  it('unsupported operations are refused', () => {
    assert.throws(
      () => endpointFor('video-to-video'),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'invalid_input',
    );
  });

  it('inline images get the data: prefix Vidu requires; only png/jpeg/webp', () => {
    // The type is the media loader's, already under its registered name (vidu-adapter.test.ts sends image/jpg through it).
    assert.equal(toDataUrl(Buffer.from([1, 2, 3]), 'image/jpeg'), 'data:image/jpeg;base64,AQID');
    assert.equal(toDataUrl(Buffer.from([1]), 'image/webp'), 'data:image/webp;base64,AQ==');
    assert.throws(() => toDataUrl(Buffer.from([1]), 'image/gif'), /png, jpeg or webp/);
  });

  it('bodies over 20 MB are refused before sending', () => {
    const big = `data:image/png;base64,${'A'.repeat(21 * 1024 * 1024)}`;
    assert.throws(() => checkBodySize({ model: 'viduq2-pro', images: [big] }), /20 MB/);
    assert.doesNotThrow(() => checkBodySize({ model: 'viduq2-pro', images: ['https://x.example.com/a.png'] }));
  });
});

describe('Vidu task mapping (§4.6)', () => {
  it('created/queueing → queued, processing → running, unknown → running; no invented progress', () => {
    assert.deepEqual(fromTaskResponse({ id: '1', state: 'created' }), { state: 'queued' });
    assert.deepEqual(fromTaskResponse({ id: '1', state: 'queueing' }), { state: 'queued' });
    assert.deepEqual(fromTaskResponse({ id: '1', state: 'processing', creations: [] }), { state: 'running' });
    assert.deepEqual(fromTaskResponse({ id: '1', state: 'scheduling' }), { state: 'running' });
  });

  it('success → creations[0].url (the spec example)', () => {
    const example = {
      id: '916205061116293120',
      state: 'success',
      err_code: '',
      credits: 40,
      payload: 'gw-91b2',
      bgm: false,
      off_peak: false,
      creations: [{ id: '916205099999999999', url: 'https://cdn.vidu.example/video.mp4?sig=1', cover_url: 'https://cdn.vidu.example/cover.jpg', watermarked_url: '' }],
    };
    assert.deepEqual(fromTaskResponse(example), { state: 'succeeded', outputs: [{ kind: 'video', url: 'https://cdn.vidu.example/video.mp4?sig=1', mimeType: 'video/mp4' }] });
    // Asked-for watermark: watermarked_url when present, else the plain url.
    assert.equal((fromTaskResponse(example, { preferWatermarked: true }) as any).outputs[0].url, 'https://cdn.vidu.example/video.mp4?sig=1');
    const wm = { ...example, creations: [{ ...example.creations[0], watermarked_url: 'https://cdn.vidu.example/wm.mp4' }] };
    assert.equal((fromTaskResponse(wm, { preferWatermarked: true }) as any).outputs[0].url, 'https://cdn.vidu.example/wm.mp4');
  });

  it('success without a URL is a failure, not a hang', () => {
    const r = fromTaskResponse({ id: '1', state: 'success', creations: [] });
    assert.equal(r.state, 'failed');
  });

  it('failed err_codes: moderation → content_policy_violation, cancelled → cancelled, others by class', () => {
    for (const code of ['CreationPolicyViolation', 'TaskPromptPolicyViolation', 'AuditSubmitIllegal']) {
      const r = fromTaskResponse({ id: '1', state: 'failed', err_code: code });
      assert.equal(r.state === 'failed' && r.error.code, 'content_policy_violation', code);
    }
    assert.deepEqual(fromTaskResponse({ id: '1', state: 'failed', err_code: 'UserCancelled' }), { state: 'cancelled' });
    assert.equal(taskErrorFromErrCode('ImageDownloadFailure').code, 'invalid_request');
    assert.equal(taskErrorFromErrCode('CreditInsufficient').code, 'upstream_quota_exceeded');
    assert.equal(taskErrorFromErrCode('ModelUnavailable').code, 'upstream_unavailable');
    const generic = taskErrorFromErrCode('InternalServiceFailure');
    assert.equal(generic.code, 'upstream_error');
    assert.match(generic.message, /InternalServiceFailure/);
    assert.equal(taskErrorFromErrCode(undefined).code, 'upstream_error');
  });
});

describe('Vidu HTTP errors (§4.7)', () => {
  it('the documented fixture: CreditInsufficient (HTTP 402 seen, 400 in the table) → quota', () => {
    const body = { code: 'CreditInsufficient', reason: 'CreditInsufficient', message: 'insufficient credits', metadata: { trace_id: 'af80f3aa9ff1d74e9a0d6aa2af923ffe' } };
    for (const status of [400, 402]) {
      const e = mapHttpError(status, body);
      assert.equal(e.kind, 'quota');
      assert.equal(e.upstreamCode, 'CreditInsufficient');
      assert.match(e.message, /insufficient credits/);
    }
  });

  it('reason first, string code as fallback, numeric code ignored', () => {
    assert.equal(errorReason({ code: 'FieldInvalid', message: 'x' }), 'FieldInvalid');
    assert.equal(errorReason({ code: 400, reason: 'FieldLacking' }), 'FieldLacking');
    assert.equal(errorReason({ code: 400, message: 'x' }), undefined);
  });

  it('429 QuotaExceeded → rate_limited with Retry-After', () => {
    const e = mapHttpError(429, { reason: 'QuotaExceeded', message: 'concurrency' }, { 'Retry-After': '7' });
    assert.equal(e.kind, 'rate_limited');
    assert.equal(e.retryAfterSeconds, 7);
    assert.equal(e.transient, true);
    assert.equal(mapHttpError(400, { reason: 'SystemThrottling' }).kind, 'rate_limited');
  });

  it('validation → invalid_input; moderation → content_policy; auth, not found, outages', () => {
    const v = mapHttpError(400, { code: 'FieldInvalid', reason: 'FieldInvalid', message: 'invalid field: duration' });
    assert.equal(v.kind, 'invalid_input');
    assert.match(v.message, /invalid field: duration/);
    assert.equal(mapHttpError(400, { reason: 'TaskPromptPolicyViolation' }).kind, 'content_policy');
    assert.equal(mapHttpError(400, { reason: 'AuditSubmitIllegal' }).kind, 'content_policy');
    assert.equal(mapHttpError(400, { reason: 'ImageDownloadFailure' }).kind, 'invalid_input');
    const auth = mapHttpError(401, { reason: 'Unauthorized' });
    assert.equal(auth.kind, 'auth');
    assert.match(auth.message, /VIDU_API_KEY/);
    assert.equal(mapHttpError(403, { reason: 'Forbidden' }).kind, 'auth');
    assert.equal(mapHttpError(404, { reason: 'TaskNotFound' }).kind, 'not_found');
    assert.equal(mapHttpError(500, { reason: 'InternalServiceFailure' }).kind, 'unavailable');
    assert.equal(mapHttpError(502, '<html>Bad gateway</html>').kind, 'unavailable');
    assert.equal(mapHttpError(400, { reason: 'ModelUnavailable' }).kind, 'unavailable');
  });

  it('messages are redacted and bounded', () => {
    const e = mapHttpError(400, { reason: 'BadRequest', message: `see https://api.vidu.com/x?token=SECRETSECRET ${'y'.repeat(900)}` });
    assert.ok(!e.message.includes('SECRETSECRET'));
    assert.ok(e.message.length <= 500);
  });
});
