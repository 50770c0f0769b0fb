import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_MODELS, renderedDuration } from '../../src/catalog/index.js';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { fromOperation, mapHttpError, mediaInputsFor, retryDelayFromDetails, toPredictRequest, upstreamDuration } from '../../src/providers/google/mapping.js';
import { UpstreamError, type MediaBytes } from '../../src/providers/types.js';

function req(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'veo3.1',
    operation: 'text-to-video',
    operation_explicit: true,
    prompt: 'a lighthouse at dusk',
    duration: 8,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: true,
    upstream_model: 'veo-3.1-generate-preview',
    sent: [],
    ...over,
  };
}

const png = (tag: string): MediaBytes => ({ bytes: Buffer.from(`png-${tag}`), mimeType: 'image/png' });
const jpeg = (tag: string): MediaBytes => ({ bytes: Buffer.from(`jpeg-${tag}`), mimeType: 'image/jpeg' });
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('toPredictRequest', () => {
  it('builds the §2.3 image + lastFrame 1080p example (SDK wire image form) at the 8 s 1080p needs', () => {
    const r = req({
      operation: 'start-end-to-video',
      prompt: 'The lantern flickers on, then the camera slowly pulls back to reveal a snowy harbor',
      start_image: 'https://example.com/a.png',
      end_image: 'https://example.com/b.jpg',
      resolution: '1080p',
      duration: 8,
      negative_prompt: 'text overlays, watermark',
      seed: 42,
      output_audio: true,
    });
    assert.deepEqual(mediaInputsFor(r), { image: 'https://example.com/a.png', lastFrame: 'https://example.com/b.jpg' });
    const body = toPredictRequest(r, { image: png('first'), lastFrame: jpeg('last') });
    assert.deepEqual(body, {
      instances: [
        {
          prompt: 'The lantern flickers on, then the camera slowly pulls back to reveal a snowy harbor',
          image: { bytesBase64Encoded: b64('png-first'), mimeType: 'image/png' },
          lastFrame: { bytesBase64Encoded: b64('jpeg-last'), mimeType: 'image/jpeg' },
        },
      ],
      parameters: {
        aspectRatio: '16:9',
        resolution: '1080p',
        durationSeconds: 8,
        personGeneration: 'allow_adult',
        negativePrompt: 'text overlays, watermark',
        sampleCount: 1,
      },
    });
    const text = JSON.stringify(body);
    assert.ok(!text.includes('generateAudio') && !text.includes('seed'), 'generateAudio/seed must never reach the Gemini API');
  });

  it('builds the §2.3 reference-images example: asset references, 9:16, at the 8 s references need', () => {
    const r = req({
      operation: 'reference-to-video',
      prompt: 'The knight from the first image rides the horse from the second image across a dune',
      reference_images: ['https://example.com/knight.png', 'https://example.com/horse.png'],
      aspect_ratio: '9:16',
      duration: 8,
    });
    assert.deepEqual(mediaInputsFor(r), { references: ['https://example.com/knight.png', 'https://example.com/horse.png'] });
    const body = toPredictRequest(r, { references: [png('knight'), png('horse')] });
    assert.deepEqual(body.instances[0].referenceImages, [
      { image: { bytesBase64Encoded: b64('png-knight'), mimeType: 'image/png' }, referenceType: 'asset' },
      { image: { bytesBase64Encoded: b64('png-horse'), mimeType: 'image/png' }, referenceType: 'asset' },
    ]);
    assert.equal(body.parameters.durationSeconds, 8);
    assert.equal(body.parameters.aspectRatio, '9:16');
    assert.equal(body.parameters.personGeneration, 'allow_adult');
  });

  it('text-to-video omits personGeneration (allow_all is refused in some regions) and sends one sample', () => {
    const body = toPredictRequest(req({ duration: 6, output_audio: false }), {});
    assert.deepEqual(body, {
      instances: [{ prompt: 'a lighthouse at dusk' }],
      parameters: { aspectRatio: '16:9', resolution: '720p', durationSeconds: 6, sampleCount: 1 },
    });
  });

  it('image-to-video takes the first frame from image_url, then image, then image_urls[0]', () => {
    assert.deepEqual(mediaInputsFor(req({ operation: 'image-to-video', image_url: 'u1', image: 'u2', image_urls: ['u3'] })), { image: 'u1' });
    assert.deepEqual(mediaInputsFor(req({ operation: 'image-to-video', image: 'data:image/png;base64,AAAA', image_urls: ['u3'] })), {
      image: 'data:image/png;base64,AAAA',
    });
    assert.deepEqual(mediaInputsFor(req({ operation: 'image-to-video', image_urls: ['u3', 'u4'] })), { image: 'u3' });
    assert.throws(
      () => mediaInputsFor(req({ operation: 'image-to-video' })),
      (e: UpstreamError) => e.kind === 'invalid_input' && /image_url/.test(e.message),
    );
  });

  it('reference-to-video falls back to image_urls and refuses more than 3 or style references', () => {
    assert.deepEqual(mediaInputsFor(req({ operation: 'reference-to-video', image_urls: ['a', 'b'] })), { references: ['a', 'b'] });
    assert.throws(() => mediaInputsFor(req({ operation: 'reference-to-video', reference_images: ['a', 'b', 'c', 'd'] })), /at most 3/);
    // Both lists are references (the catalog counts them together): neither is dropped.
    assert.deepEqual(mediaInputsFor(req({ operation: 'reference-to-video', reference_images: ['a'], image_urls: ['b'] })), { references: ['a', 'b'] });
    assert.throws(() => mediaInputsFor(req({ operation: 'reference-to-video', reference_images: ['a'], reference_image_type: 'style' })), /asset/);
    assert.throws(() => toPredictRequest(req({}), { references: [png('1'), png('2'), png('3'), png('4')] }), /at most 3/);
  });

  it('refuses what Veo cannot express', () => {
    assert.throws(() => mediaInputsFor(req({ operation: 'video-to-video' })), /not supported/);
    assert.throws(() => mediaInputsFor(req({ operation: 'start-end-to-video', start_image: 'a' })), /end_image/);
    assert.throws(() => toPredictRequest(req({}), { lastFrame: png('x') }), /first frame/);
    assert.throws(() => toPredictRequest(req({ aspect_ratio: '1:1' }), {}), /16:9/);
    assert.throws(() => toPredictRequest(req({ resolution: '480p' }), {}), /720p/);
  });

  it("omits aspectRatio for 'adaptive' and resolution for Veo 2", () => {
    const body = toPredictRequest(req({ aspect_ratio: 'adaptive', upstream_model: 'veo-2.0-generate-001', duration: 5 }), {});
    assert.equal(body.parameters.aspectRatio, undefined);
    assert.equal(body.parameters.resolution, undefined);
    assert.equal(body.parameters.durationSeconds, 5);
    assert.equal(body.parameters.personGeneration, undefined);
  });
});

describe('upstreamDuration', () => {
  it("sends what the model renders; anything else is refused, never rounded (the engine, not the adapter, sends Veo 3.1's 5 as 6)", () => {
    const m = 'veo-3.1-fast-generate-preview';
    assert.deepEqual(
      [4, 6, 8].map((d) => upstreamDuration(d, m, false)),
      [4, 6, 8],
    );
    for (const d of [1, 3, 5, 7, 10, 15])
      assert.throws(
        () => upstreamDuration(d, m, false),
        (e: UpstreamError) => e.kind === 'invalid_input' && /4, 6 or 8/.test(e.message),
      );
    assert.deepEqual(
      [5, 6, 8].map((d) => upstreamDuration(d, 'veo-2.0-generate-001', false)),
      [5, 6, 8],
    );
    assert.throws(() => upstreamDuration(4, 'veo-2.0-generate-001', false), /5, 6 or 8/);
    // Veo 3.0 renders 8 s only: 4, 5 and 6 were once sent as 8 and billed as asked.
    assert.equal(upstreamDuration(8, 'veo-3.0-generate-001', false), 8);
    for (const d of [4, 5, 6])
      assert.throws(
        () => upstreamDuration(d, 'veo-3.0-fast-generate-001', false),
        (e: UpstreamError) => e.kind === 'invalid_input' && /Set duration to 8\./.test(e.message),
      );
  });
  it('takes, for every duration a Gemini Veo model of the catalog offers, the length the engine sends (the catalog rendered length) as is', () => {
    const veo = BUILTIN_MODELS.filter((m) => m.provider === 'google');
    assert.ok(
      veo.some((m) => Object.keys(m.duration_rendered_as ?? {}).length > 0),
      'some Veo model renders a duration as another',
    );
    for (const m of veo) {
      for (const d of m.durations) {
        const sent = renderedDuration(m, d);
        assert.equal(upstreamDuration(sent, m.upstream_model, false), sent, `${m.id} ${d} s, sent as ${sent} s`);
      }
    }
  });
  it('needs 8 with references, 1080p and 4k, and says so rather than rendering 8 s for a shorter request', () => {
    assert.equal(upstreamDuration(8, 'veo-3.1-generate-preview', true), 8);
    assert.throws(
      () => toPredictRequest(req({ resolution: '4k', duration: 4 }), {}),
      (e: UpstreamError) => e.kind === 'invalid_input' && /4k/.test(e.message),
    );
    assert.equal(toPredictRequest(req({ resolution: '4k', duration: 8 }), {}).parameters.durationSeconds, 8);
  });
});

describe('fromOperation (§2.4 shapes)', () => {
  const name = 'models/veo-3.1-generate-preview/operations/k3j9x2abc';

  it('running: done missing or false, no invented progress', () => {
    assert.deepEqual(fromOperation({ name }), { state: 'running' });
    assert.deepEqual(fromOperation({ name, done: false, metadata: { anything: 1 } }), { state: 'running' });
  });

  it('succeeded: generatedSamples[].video.uri', () => {
    const uri = 'https://generativelanguage.googleapis.com/v1beta/files/abc123xyz:download?alt=media';
    const op = {
      name,
      done: true,
      response: {
        '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
        generateVideoResponse: { generatedSamples: [{ video: { uri } }] },
      },
    };
    assert.deepEqual(fromOperation(op), { state: 'succeeded', outputs: [{ kind: 'video', url: uri, mimeType: 'video/mp4' }] });
  });

  it('succeeded: inline encodedVideo becomes base64', () => {
    const op = { name, done: true, response: { generateVideoResponse: { generatedSamples: [{ video: { encodedVideo: 'AAAA', encoding: 'video/mp4' } }] } } };
    assert.deepEqual(fromOperation(op), { state: 'succeeded', outputs: [{ kind: 'video', base64: 'AAAA', mimeType: 'video/mp4' }] });
  });

  it('failed: google.rpc.Status mapped to our codes', () => {
    const failed = (error: object) => fromOperation({ name, done: true, error });
    assert.deepEqual(failed({ code: 3, message: 'The prompt could not be submitted. ...', status: 'INVALID_ARGUMENT' }), {
      state: 'failed',
      error: { code: 'invalid_request', message: 'The prompt could not be submitted. ...' },
    });
    assert.equal(pickCode(failed({ code: 3, message: 'bad enum' })), 'invalid_request');
    assert.equal(pickCode(failed({ code: 8, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' })), 'upstream_rate_limited');
    assert.equal(pickCode(failed({ code: 3, message: 'Your prompt was blocked because it violates our usage guidelines (safety).', status: 'INVALID_ARGUMENT' })), 'content_policy_violation');
    assert.equal(pickCode(failed({ code: 13, message: 'Internal error', status: 'INTERNAL' })), 'upstream_error');
    assert.equal(pickCode(failed({})), 'upstream_error');
  });

  it('done with raiMediaFilteredCount and no samples is a content policy failure naming the reasons', () => {
    const r = fromOperation({
      name,
      done: true,
      response: { generateVideoResponse: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ['Video blocked: it may depict a real person.'] } },
    });
    assert.equal(r.state, 'failed');
    assert.equal(pickCode(r), 'content_policy_violation');
    assert.match((r as { error: { message: string } }).error.message, /may depict a real person/);
  });

  it('done with nothing at all is an upstream error, not a success', () => {
    assert.equal(pickCode(fromOperation({ name, done: true, response: {} })), 'upstream_error');
  });
});

function pickCode(r: ReturnType<typeof fromOperation>): string | undefined {
  return r.state === 'failed' ? r.error.code : undefined;
}

describe('mapHttpError', () => {
  it('429 RESOURCE_EXHAUSTED with RetryInfo → rate_limited, retry from retryDelay', () => {
    const body = {
      error: {
        code: 429,
        message: 'You exceeded your current quota.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'PredictLongRunningRequestsPerMinute' }] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' },
        ],
      },
    };
    const e = mapHttpError(429, body, {});
    assert.equal(e.kind, 'rate_limited');
    assert.equal(e.retryAfterSeconds, 30);
    assert.equal(e.transient, true);
    assert.equal(e.upstreamCode, 'RESOURCE_EXHAUSTED');
    assert.equal(mapHttpError(429, body, { 'Retry-After': '12' }).retryAfterSeconds, 12, 'the header wins');
    assert.equal(retryDelayFromDetails([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }]), 2);
  });

  it('5xx / UNAVAILABLE / INTERNAL → unavailable', () => {
    for (const s of [500, 502, 503, 504]) assert.equal(mapHttpError(s, '<html>Bad gateway</html>').kind, 'unavailable');
    assert.equal(mapHttpError(503, { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }).kind, 'unavailable');
  });

  it('400 INVALID_ARGUMENT → invalid_input, message passed through without keys or ?key= URLs', () => {
    const key = 'AIzaSyA1234567890abcdefghijklmnopqrstuv';
    const body = {
      error: {
        code: 400,
        message: `durationSeconds must be 8 when resolution is 1080p (request https://generativelanguage.googleapis.com/v1beta/models/x:predictLongRunning?key=${key})`,
        status: 'INVALID_ARGUMENT',
      },
    };
    const e = mapHttpError(400, body);
    assert.equal(e.kind, 'invalid_input');
    assert.match(e.message, /durationSeconds must be 8/);
    assert.ok(!e.message.includes(key));
    assert.ok(!/key=AIza/.test(e.message));
  });

  it('bad API key, permission denied → auth; safety wording → content_policy; 404 → not_found', () => {
    const badKey = {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
      },
    };
    assert.equal(mapHttpError(400, badKey).kind, 'auth');
    assert.equal(mapHttpError(403, { error: { code: 403, message: 'Permission denied.', status: 'PERMISSION_DENIED' } }).kind, 'auth');
    assert.equal(mapHttpError(401, '').kind, 'auth');
    assert.equal(mapHttpError(400, { error: { code: 400, message: 'The input image was blocked by our safety filters.', status: 'INVALID_ARGUMENT' } }).kind, 'content_policy');
    // A model the Gemini API does not serve (unknown or shut down) is the upstream refusing the model itself.
    assert.equal(mapHttpError(404, { error: { code: 404, message: 'models/veo-9 is not found for API version v1beta', status: 'NOT_FOUND' } }).kind, 'model_retired');
    // How Google answers a model it has shut down.
    assert.equal(mapHttpError(404, { error: { code: 404, message: 'models/veo-3.1-generate-preview is no longer available. Please migrate to a newer model.', status: 'NOT_FOUND' } }).kind, 'model_retired');
    assert.equal(mapHttpError(404, { error: { code: 404, message: 'Operation not found.', status: 'NOT_FOUND' } }).kind, 'not_found');
  });

  it('an unparseable body still yields a clear message', () => {
    const e = mapHttpError(502, '');
    assert.ok(e instanceof UpstreamError);
    assert.match(e.message, /HTTP 502/);
  });
});
