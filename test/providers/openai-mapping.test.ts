/** Pure Sora mapping, checked against the examples of spec providers-1 §1 (request fields, Video object, errors). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { referenceFitTarget, fromVideo, imagePixelSize, mapHttpError, pollAfterSeconds, referenceImageOf, taskErrorFromVideoError, toCreateFields } from '../../src/providers/openai/index.js';
import { UpstreamError } from '../../src/providers/types.js';
import { ffmpegPath } from '../../src/sandbox/render.js';
import { solidImage, tempDir } from '../sandbox/media-helpers.js';

const run = promisify(execFile);

function request(over: Partial<ResolvedVideoRequest> = {}): ResolvedVideoRequest {
  return {
    model: 'sora-2',
    operation: 'text-to-video',
    operation_explicit: true,
    prompt: 'A paper boat drifting down a rain-soaked street at dusk',
    duration: 4,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: true,
    upstream_model: 'sora-2',
    sent: ['model', 'prompt'],
    ...over,
  };
}

function invalidInput(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UpstreamError);
    assert.equal(err.kind, 'invalid_input');
    assert.match(err.message, pattern);
    return true;
  });
}

describe('request → POST /videos fields', () => {
  it('the §1.3 JSON example: sora-2, 4 s, portrait 720p → seconds "4", size "720x1280"', () => {
    assert.deepEqual(toCreateFields(request({ aspect_ratio: '9:16' })), {
      model: 'sora-2',
      prompt: 'A paper boat drifting down a rain-soaked street at dusk',
      seconds: '4',
      size: '720x1280',
    });
  });

  it('the §1.3 multipart example: sora-2-pro, 8 s, 1280x720', () => {
    const f = toCreateFields(request({ model: 'sora-2-pro', upstream_model: 'sora-2-pro', duration: 8 }));
    assert.deepEqual([f.model, f.seconds, f.size], ['sora-2-pro', '8', '1280x720']);
  });

  it('1080p maps to 1920x1080 / 1080x1920 on pro (§1.10); a caller size wins', () => {
    const pro = { model: 'sora-2-pro', upstream_model: 'sora-2-pro', resolution: '1080p' as const };
    assert.equal(toCreateFields(request(pro)).size, '1920x1080');
    assert.equal(toCreateFields(request({ ...pro, aspect_ratio: '9:16' })).size, '1080x1920');
    assert.equal(toCreateFields(request({ ...pro, size: '1792x1024' })).size, '1792x1024');
  });

  it('durations 4/8/12/16/20 are sent as strings; others are refused', () => {
    for (const d of [4, 8, 12, 16, 20]) assert.equal(toCreateFields(request({ duration: d })).seconds, String(d));
    invalidInput(() => toCreateFields(request({ duration: 5 })), /4, 8, 12, 16, 20/);
  });

  it('refuses what Sora cannot render, saying what is allowed', () => {
    invalidInput(() => toCreateFields(request({ resolution: '1080p' })), /sora-2 does not render 1920x1080.*1280x720, 720x1280/);
    invalidInput(() => toCreateFields(request({ aspect_ratio: '1:1' })), /16:9 or 9:16/);
    invalidInput(() => toCreateFields(request({ prompt: '  ' })), /prompt/);
  });

  it('the storyboard model is a sora-2-pro render with the image as input_reference', () => {
    const req = request({ model: 'sora-2-pro-storyboard', upstream_model: 'sora-2-pro', operation: 'image-to-video', image_url: 'https://example.com/board.png' });
    assert.equal(toCreateFields(req).model, 'sora-2-pro');
    assert.equal(referenceImageOf(req), 'https://example.com/board.png');
  });

  it('image-to-video needs a first frame; text-to-video sends none; other operations are refused', () => {
    assert.equal(referenceImageOf(request()), undefined);
    assert.equal(referenceImageOf(request({ operation: 'image-to-video', image_urls: ['data:image/png;base64,AA'] })), 'data:image/png;base64,AA');
    invalidInput(() => referenceImageOf(request({ operation: 'image-to-video' })), /image_url/);
    invalidInput(() => referenceImageOf(request({ operation: 'video-to-video' })), /not supported by Sora/);
  });
});

describe('reference image size', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir('vidgate-openai-img-')));
  after(async () => cleanup());

  it('reads width/height of PNG, JPEG, lossy and lossless WebP headers', async () => {
    assert.deepEqual(imagePixelSize(await solidImage(dir, 'red', 'a.png', '1280x720')), { width: 1280, height: 720 });
    assert.deepEqual(imagePixelSize(await solidImage(dir, 'red', 'a.jpg', '720x1280')), { width: 720, height: 1280 });
    assert.deepEqual(imagePixelSize(await solidImage(dir, 'red', 'a.webp', '1792x1024')), { width: 1792, height: 1024 });
    const lossless = join(dir, 'l.webp');
    await run(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=blue:s=1024x1792', '-frames:v', '1', '-lossless', '1', lossless]);
    assert.deepEqual(imagePixelSize(await readFile(lossless)), { width: 1024, height: 1792 });
    assert.equal(imagePixelSize(Buffer.from('not an image')), undefined);
    assert.equal(imagePixelSize((await solidImage(dir, 'red', 'b.png', '64x64')).subarray(0, 20)), undefined);
  });

  it('an exact match needs no fitting; another size is fitted to the output size; non-images are refused', async () => {
    const png = await solidImage(dir, 'red', 'c.png', '1280x720');
    assert.equal(referenceFitTarget({ bytes: png, mimeType: 'image/png' }, '1280x720'), null);
    assert.deepEqual(referenceFitTarget({ bytes: png, mimeType: 'image/png' }, '720x1280'), { width: 720, height: 1280 });
    invalidInput(() => referenceFitTarget({ bytes: Buffer.from('GIF89a....'), mimeType: 'image/gif' }, '1280x720'), /JPEG, PNG or WebP/);
  });
});

describe('Video → PollResult', () => {
  const url = 'https://api.openai.com/v1/videos/video_68f0c1a2b3c4d5e6/content';
  // §1.4's example Video object.
  const example = {
    id: 'video_68f0c1a2b3c4d5e6',
    object: 'video' as const,
    model: 'sora-2-pro',
    status: 'in_progress' as const,
    progress: 42,
    created_at: 1760000000,
    completed_at: null,
    expires_at: null,
    prompt: 'A paper boat drifting down a rain-soaked street at dusk',
    seconds: '8',
    size: '1280x720',
    remixed_from_video_id: null,
    error: null,
  };

  it('in_progress carries the real progress and the openai-poll-after-ms hint', () => {
    assert.deepEqual(fromVideo(example, url, { 'openai-poll-after-ms': '2500' }), { state: 'running', progress: 42, retryAfterSeconds: 2.5 });
    assert.deepEqual(fromVideo({ ...example, status: 'queued', progress: 0 }, url), { state: 'queued', progress: 0 });
  });

  it('completed points at the authenticated content endpoint', () => {
    assert.deepEqual(fromVideo({ ...example, status: 'completed', progress: 100, completed_at: 1760000100 }, url), {
      state: 'succeeded',
      outputs: [{ kind: 'video', url, mimeType: 'video/mp4' }],
    });
  });

  it('failed: moderation → content_policy_violation, others keep the upstream message', () => {
    const moderated = fromVideo({ ...example, status: 'failed', error: { code: 'moderation_blocked', message: 'Blocked by our moderation system.' } }, url);
    assert.deepEqual(moderated, { state: 'failed', error: { code: 'content_policy_violation', message: 'Blocked by our moderation system.' } });
    assert.deepEqual(taskErrorFromVideoError({ code: 'internal_error', message: 'Video generation failed.' }), { code: 'upstream_error', message: 'Video generation failed.' });
    assert.equal(taskErrorFromVideoError(null).code, 'upstream_error');
    assert.match(taskErrorFromVideoError({ code: 'x', message: 'Your prompt may violate our content policy.' }).code, /content_policy_violation/);
  });

  it('poll-after hints: absent or junk → none', () => {
    assert.equal(pollAfterSeconds({}), undefined);
    assert.equal(pollAfterSeconds({ 'openai-poll-after-ms': 'soon' }), undefined);
    assert.equal(pollAfterSeconds(new Headers({ 'openai-poll-after-ms': '1000' })), 1);
  });
});

describe('HTTP errors → UpstreamError', () => {
  it('the §1.9 invalid size error is invalid_input naming the param', () => {
    const e = mapHttpError(400, { error: { message: "Invalid value: '1024x1024'.", type: 'invalid_request_error', param: 'size', code: 'invalid_value' } });
    assert.equal(e.kind, 'invalid_input');
    assert.equal(e.message, "Invalid value: '1024x1024'. (param: size)");
    assert.equal(e.upstreamCode, 'invalid_value');
  });

  it('429: rate_limited with retry-after-ms / retry-after; insufficient_quota is a quota error', () => {
    const body = { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
    assert.equal(mapHttpError(429, body, { 'retry-after-ms': '1500' }).retryAfterSeconds, 2);
    const e = mapHttpError(429, body, { 'retry-after': '20' });
    assert.deepEqual([e.kind, e.retryAfterSeconds, e.transient], ['rate_limited', 20, true]);
    const quota = mapHttpError(429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } });
    assert.deepEqual([quota.kind, quota.transient], ['quota', false]);
  });

  it('moderation 400 → content_policy; 401 → auth, never echoing the key; 5xx/409 → unavailable; 404 → not_found', () => {
    assert.equal(mapHttpError(400, { error: { message: 'Your request was blocked by our moderation system.', type: 'invalid_request_error', param: null, code: 'moderation_blocked' } }).kind, 'content_policy');
    // A model OpenAI no longer serves (or never did) is model_retired, whatever the status.
    assert.equal(
      mapHttpError(404, { error: { message: "The model 'sora-2' does not exist or you do not have access to it.", type: 'invalid_request_error', param: null, code: 'model_not_found' } }).kind,
      'model_retired',
    );
    assert.equal(mapHttpError(400, { error: { message: "Invalid value: 'sora-3'.", type: 'invalid_request_error', param: 'model', code: 'invalid_value' } }).kind, 'model_retired');
    const auth = mapHttpError(
      401,
      {
        error: {
          message: 'Incorrect API key provided: sk-proj-****************************abcd. You can find your API key at https://platform.openai.com/account/api-keys.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      },
      {},
      ['sk-proj-secret'],
    );
    assert.equal(auth.kind, 'auth');
    assert.ok(!auth.message.includes('abcd') && auth.message.includes('[redacted]'), auth.message);
    const leaked = mapHttpError(400, { error: { message: 'bad request for key sk-proj-secret-0123', type: 'invalid_request_error', param: null, code: null } }, {}, ['sk-proj-secret-0123']);
    assert.ok(!leaked.message.includes('secret-0123'), leaked.message);
    assert.equal(mapHttpError(503, '<html>Service Unavailable</html>').kind, 'unavailable');
    assert.equal(mapHttpError(409, {}).kind, 'unavailable');
    assert.equal(mapHttpError(404, { error: { message: 'Video not found' } }).kind, 'not_found');
    assert.equal(mapHttpError(408, {}).kind, 'timeout');
  });
});
