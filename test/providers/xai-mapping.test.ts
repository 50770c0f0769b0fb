/** Pure mapping of the xAI adapter, from the spec's example bodies (providers-1 §3.4–3.7). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { DEFAULT_PROMPTS, fromVideoStatus, mapHttpError, toXaiCall } from '../../src/providers/xai/index.js';
import { UpstreamError } from '../../src/providers/types.js';

function req(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'grok-imagine-video',
    upstream_model: 'grok-imagine-video',
    operation: 'text-to-video',
    operation_explicit: true,
    duration: 8,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: true,
    sent: [],
    ...over,
  };
}

describe('toXaiCall', () => {
  it('text-to-video → /videos/generations with duration, aspect_ratio, resolution', () => {
    assert.deepEqual(toXaiCall(req({ prompt: 'A cat', duration: 5, aspect_ratio: '9:16', resolution: '480p' })), {
      endpoint: 'generations',
      body: { model: 'grok-imagine-video', prompt: 'A cat', duration: 5, resolution: '480p', aspect_ratio: '9:16' },
    });
  });

  it('image-to-video: the spec example (data URI passes through as image.url)', () => {
    const dataUri = 'data:image/jpeg;base64,/9j/4AAQSk';
    const call = toXaiCall(req({ operation: 'image-to-video', prompt: 'The statue slowly turns its head toward the camera as dust falls', image: dataUri, duration: 6, aspect_ratio: '16:9', resolution: '720p' }));
    assert.deepEqual(call, {
      endpoint: 'generations',
      body: { model: 'grok-imagine-video', prompt: 'The statue slowly turns its head toward the camera as dust falls', image: { url: dataUri }, duration: 6, aspect_ratio: '16:9', resolution: '720p' },
    });
  });

  it('image-to-video takes image_url first, then image, then image_urls[0]; a missing prompt gets a default', () => {
    const call = toXaiCall(req({ operation: 'image-to-video', image_url: 'https://cdn.example.com/a.png', image_urls: ['https://cdn.example.com/b.png'] }));
    assert.deepEqual((call.body as { image: unknown }).image, { url: 'https://cdn.example.com/a.png' });
    assert.equal(call.body.prompt, DEFAULT_PROMPTS.image);
    const fromList = toXaiCall(req({ operation: 'image-to-video', prompt: 'go', image_urls: ['https://cdn.example.com/b.png'] }));
    assert.deepEqual((fromList.body as { image: unknown }).image, { url: 'https://cdn.example.com/b.png' });
  });

  it('the 1.5 preview and the split t2v/i2v models go to their upstream model ids', () => {
    const preview = toXaiCall(req({ model: 'grok-imagine-video-1.5-preview', upstream_model: 'grok-imagine-video-1.5-preview', operation: 'image-to-video', prompt: 'p', image_url: 'https://x.example/a.png' }));
    assert.equal(preview.body.model, 'grok-imagine-video-1.5-preview');
    const t2v = toXaiCall(req({ model: 'grok-imagine-text-to-video', upstream_model: 'grok-imagine-video', prompt: 'p' }));
    assert.equal(t2v.body.model, 'grok-imagine-video');
  });

  it('reference-to-video: reference_images and image_urls together are all sent (the catalog counts both), neither dropped', () => {
    const call = toXaiCall(req({ operation: 'reference-to-video', prompt: 'x', reference_images: ['https://cdn.example.com/1.png'], image_urls: ['https://cdn.example.com/2.png'], duration: 5 }));
    assert.deepEqual((call.body as { reference_images: unknown }).reference_images, [{ url: 'https://cdn.example.com/1.png' }, { url: 'https://cdn.example.com/2.png' }]);
  });

  it('reference-to-video: reference_images (or image_urls) → reference_images [{url}]', () => {
    const refs = ['https://cdn.example.com/1.png', 'data:image/png;base64,iVBORw0KGgo='];
    const call = toXaiCall(req({ operation: 'reference-to-video', prompt: 'together', reference_images: refs, duration: 10 }));
    assert.equal(call.endpoint, 'generations');
    assert.deepEqual(
      (call.body as { reference_images: unknown }).reference_images,
      refs.map((url) => ({ url })),
    );
    assert.equal((call.body as { image?: unknown }).image, undefined);
    const viaList = toXaiCall(req({ operation: 'reference-to-video', prompt: 'x', image_urls: refs }));
    assert.deepEqual(
      (viaList.body as { reference_images: unknown }).reference_images,
      refs.map((url) => ({ url })),
    );
  });

  it('reference-to-video refuses 8 images, > 10 s and a first frame', () => {
    const eight = Array.from({ length: 8 }, (_, i) => `https://cdn.example.com/${i}.png`);
    assert.throws(
      () => toXaiCall(req({ operation: 'reference-to-video', reference_images: eight })),
      (e: UpstreamError) => e.kind === 'invalid_input' && /at most 7/.test(e.message),
    );
    assert.throws(() => toXaiCall(req({ operation: 'reference-to-video', reference_images: eight.slice(0, 2), duration: 11 })), /1 to 10/);
    assert.throws(() => toXaiCall(req({ operation: 'reference-to-video', reference_images: eight.slice(0, 2), image_url: 'https://cdn.example.com/f.png' })), /cannot combine/);
  });

  it('video-to-video: the spec edit example → /videos/edits {model, prompt, video:{url}} without duration/ratio/resolution', () => {
    const call = toXaiCall(req({ operation: 'video-to-video', prompt: 'Give the man a red scarf', video_url: 'https://cdn.example.com/in.mp4', aspect_ratio: 'adaptive', resolution: '480p' }));
    assert.deepEqual(call, { endpoint: 'edits', body: { model: 'grok-imagine-video', prompt: 'Give the man a red scarf', video: { url: 'https://cdn.example.com/in.mp4' } } });
  });

  it('grok-imagine-upscale is an edit of grok-imagine-video with an upscale prompt by default', () => {
    const call = toXaiCall(req({ model: 'grok-imagine-upscale', operation: 'video-to-video', video_url: 'https://cdn.example.com/in.mp4', aspect_ratio: 'adaptive' }));
    assert.deepEqual(call, { endpoint: 'edits', body: { model: 'grok-imagine-video', prompt: DEFAULT_PROMPTS.upscale, video: { url: 'https://cdn.example.com/in.mp4' } } });
    const own = toXaiCall(req({ model: 'grok-imagine-upscale', operation: 'video-to-video', prompt: 'Upscale, keep grain', video_url: 'https://cdn.example.com/in.mp4' }));
    assert.equal(own.body.prompt, 'Upscale, keep grain');
  });

  it('refuses what xAI cannot do', () => {
    assert.throws(() => toXaiCall(req({ operation: 'start-end-to-video', start_image: 'a', end_image: 'b' })), /not supported/);
    assert.throws(() => toXaiCall(req({ prompt: 'x', resolution: '1080p' })), /480p or 720p/);
    assert.throws(() => toXaiCall(req({ prompt: 'x', aspect_ratio: '21:9' })), /aspect_ratio/);
    assert.throws(() => toXaiCall(req({ prompt: 'x', duration: 16 })), /1 to 15/);
    assert.throws(() => toXaiCall(req({ operation: 'video-to-video', prompt: 'x' })), /video_url/);
    assert.throws(() => toXaiCall(req({ operation: 'image-to-video', prompt: 'x' })), /first frame/);
  });

  it("aspect_ratio 'adaptive' is left to the upstream default", () => {
    const call = toXaiCall(req({ operation: 'image-to-video', prompt: 'x', image_url: 'https://cdn.example.com/a.png', aspect_ratio: 'adaptive' }));
    assert.equal((call.body as { aspect_ratio?: string }).aspect_ratio, undefined);
  });
});

describe('fromVideoStatus', () => {
  it('pending carries progress', () => {
    assert.deepEqual(fromVideoStatus({ status: 'pending', model: 'grok-imagine-video', progress: 35 }), { state: 'running', progress: 35 });
    assert.deepEqual(fromVideoStatus({ status: 'pending' }), { state: 'running' });
    assert.deepEqual(fromVideoStatus({ status: 'pending', progress: 140 }), { state: 'running', progress: 100 });
  });

  it('done with a video is success (the spec example)', () => {
    const r = fromVideoStatus({
      status: 'done',
      model: 'grok-imagine-video',
      video: { url: 'https://vidgen.x.ai/abc.mp4', duration: 6, respect_moderation: true },
      usage: { cost_in_usd_ticks: 3000000000 },
    });
    assert.deepEqual(r, { state: 'succeeded', outputs: [{ kind: 'video', url: 'https://vidgen.x.ai/abc.mp4', mimeType: 'video/mp4' }] });
  });

  it('a status-less answer with a video is done (older responses)', () => {
    assert.equal(fromVideoStatus({ video: { url: 'https://vidgen.x.ai/abc.mp4' } }).state, 'succeeded');
  });

  it('done but respect_moderation false → failed content_policy_violation, even with a URL', () => {
    const r = fromVideoStatus({ status: 'done', video: { url: 'https://vidgen.x.ai/abc.mp4', duration: 6, respect_moderation: false } });
    assert.equal(r.state, 'failed');
    assert.equal(r.state === 'failed' && r.error.code, 'content_policy_violation');
  });

  it('done without a URL, expired and failed are failures with clear codes', () => {
    const noUrl = fromVideoStatus({ status: 'done' });
    assert.equal(noUrl.state === 'failed' && noUrl.error.code, 'upstream_error');
    const expired = fromVideoStatus({ status: 'expired' });
    assert.equal(expired.state === 'failed' && expired.error.code, 'upstream_expired');
    const failed = fromVideoStatus({ status: 'failed', error: { code: 'internal_error', message: 'Video generation failed.' } });
    assert.deepEqual(failed, { state: 'failed', error: { code: 'upstream_error', message: 'Video generation failed.' } });
    const blocked = fromVideoStatus({ status: 'failed', error: { code: 'moderation', message: 'Generated video rejected by content moderation' } });
    assert.equal(blocked.state === 'failed' && blocked.error.code, 'content_policy_violation');
    const bare = fromVideoStatus({ status: 'failed' });
    assert.ok(bare.state === 'failed' && bare.error.message.length > 10);
  });
});

describe('mapHttpError', () => {
  const h = (o: Record<string, string> = {}) => new Headers(o);

  it('native 400 invalid argument → invalid_input with the message', () => {
    const e = mapHttpError(400, { code: 'Client specified an invalid argument', error: 'upload_url is required' }, h());
    assert.equal(e.kind, 'invalid_input');
    assert.match(e.message, /upload_url is required/);
    assert.equal(e.upstreamCode, 'Client specified an invalid argument');
  });

  it('a wrong key (xAI answers 400) and 401 → auth; 403 entitlement → auth', () => {
    assert.equal(mapHttpError(400, { code: 'Client specified an invalid argument', error: 'Incorrect API key provided: xa***Q1. You can obtain an API key from https://console.x.ai.' }, h()).kind, 'auth');
    assert.equal(mapHttpError(401, { code: 'The request does not have valid authentication credentials', error: 'No API key' }, h()).kind, 'auth');
    assert.equal(mapHttpError(403, { code: 'The caller does not have permission to execute the specified operation', error: 'Your team is not entitled to this model' }, h()).kind, 'auth');
  });

  it('429 rate limit → rate_limited with Retry-After; 429 out of credits → quota', () => {
    const rl = mapHttpError(429, { code: 'Some resource has been exhausted', error: 'The service is temporarily at capacity. Please retry your request shortly.' }, h({ 'retry-after': '7' }));
    assert.equal(rl.kind, 'rate_limited');
    assert.equal(rl.retryAfterSeconds, 7);
    const q = mapHttpError(429, { code: 'Some resource has been exhausted', error: 'Your team abc has either used all available credits or reached its monthly spending limit.' }, h());
    assert.equal(q.kind, 'quota');
  });

  it('content moderation at create → content_policy', () => {
    assert.equal(mapHttpError(400, { code: 'Client specified an invalid argument', error: 'Generated image rejected by content moderation' }, h()).kind, 'content_policy');
  });

  it('OpenAI-style bodies, 5xx, 404 and HTML', () => {
    const o = mapHttpError(400, { error: { message: 'Invalid duration', type: 'invalid_request_error', code: 'invalid_value' } }, h());
    assert.equal(o.kind, 'invalid_input');
    assert.match(o.message, /Invalid duration/);
    assert.equal(mapHttpError(503, '<html><body>Service Unavailable</body></html>', h()).kind, 'unavailable');
    assert.equal(mapHttpError(404, { code: 'Some requested entity was not found', error: 'The model x does not exist' }, h()).kind, 'model_retired');
    assert.equal(mapHttpError(404, { code: 'Some requested entity was not found', error: 'Request not found' }, h()).kind, 'not_found');
    assert.match(mapHttpError(502, '', h()).message, /HTTP 502/);
  });

  it('messages are truncated', () => {
    const e = mapHttpError(400, { code: 'Client specified an invalid argument', error: 'x'.repeat(5000) }, h());
    assert.ok(e.message.length <= 500);
    assert.ok(e instanceof UpstreamError);
  });
});
