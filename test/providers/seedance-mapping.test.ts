/** Pure Seedance mapping, checked against the spec's example bodies (providers-1 §4.3–4.6). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { fromTask, mapHttpError, taskErrorFromArk, toCreateTaskBody } from '../../src/providers/seedance/index.js';
import { UpstreamError } from '../../src/providers/types.js';

function req(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'seedance-2.0',
    operation: 'text-to-video',
    operation_explicit: true,
    sent: [],
    duration: 5,
    resolution: '720p',
    aspect_ratio: 'adaptive',
    output_audio: true,
    upstream_model: 'dreamina-seedance-2-0-260128',
    ...over,
  };
}

describe('toCreateTaskBody', () => {
  it('text-to-video sends the Seedance defaults explicitly (720p, adaptive, audio on, seed -1, watermark off)', () => {
    assert.deepEqual(toCreateTaskBody(req({ prompt: 'A kite over the sea' })), {
      model: 'dreamina-seedance-2-0-260128',
      content: [{ type: 'text', text: 'A kite over the sea' }],
      ratio: 'adaptive',
      duration: 5,
      resolution: '720p',
      seed: -1,
      watermark: false,
      generate_audio: true,
    });
  });

  it('start-end reproduces the spec example (first_frame + last_frame, seed, last frame, no callback forwarded)', () => {
    const body = toCreateTaskBody(
      req({
        operation: 'start-end-to-video',
        upstream_model: 'seedance-1-0-lite-i2v-250428',
        prompt: 'The kite climbs, then dives toward the lighthouse',
        start_image: 'https://img.example.com/a.jpg',
        end_image: 'https://img.example.com/b.jpg',
        seed: 42,
        return_last_frame: true,
        callback_url: 'https://gateway.example.com/hooks/ark',
      }),
    );
    assert.deepEqual(body, {
      model: 'seedance-1-0-lite-i2v-250428',
      content: [
        { type: 'text', text: 'The kite climbs, then dives toward the lighthouse' },
        { type: 'image_url', image_url: { url: 'https://img.example.com/a.jpg' }, role: 'first_frame' },
        { type: 'image_url', image_url: { url: 'https://img.example.com/b.jpg' }, role: 'last_frame' },
      ],
      ratio: 'adaptive',
      duration: 5,
      resolution: '720p',
      seed: 42,
      watermark: false,
      generate_audio: true,
      return_last_frame: true,
    });
  });

  it('reference-to-video reproduces the 2.0 example (image, video and audio references)', () => {
    const body = toCreateTaskBody(
      req({
        operation: 'reference-to-video',
        prompt: 'Image 1 walks through the alley from Video 1; Audio 1 plays throughout',
        reference_images: ['https://img.example.com/hero.png'],
        video_urls: ['https://vid.example.com/alley.mp4'],
        audio_urls: ['https://aud.example.com/theme.mp3'],
        aspect_ratio: '9:16',
        duration: 8,
        resolution: '1080p',
      }),
    );
    assert.deepEqual(body.content, [
      { type: 'text', text: 'Image 1 walks through the alley from Video 1; Audio 1 plays throughout' },
      { type: 'image_url', image_url: { url: 'https://img.example.com/hero.png' }, role: 'reference_image' },
      { type: 'video_url', video_url: { url: 'https://vid.example.com/alley.mp4' }, role: 'reference_video' },
      { type: 'audio_url', audio_url: { url: 'https://aud.example.com/theme.mp3' }, role: 'reference_audio' },
    ]);
    assert.deepEqual([body.ratio, body.duration, body.resolution, body.generate_audio], ['9:16', 8, '1080p', true]);
  });

  it('image-to-video passes URLs and data: URLs through (Ark fetches them itself)', () => {
    const data = 'data:image/png;base64,iVBORw0KGgo=';
    const body = toCreateTaskBody(req({ operation: 'image-to-video', image_url: data, upstream_model: 'seedance-1-5-pro-251215', output_audio: false, camera_fixed: true }));
    assert.deepEqual(body.content, [{ type: 'image_url', image_url: { url: data }, role: 'first_frame' }]);
    assert.equal(body.generate_audio, false);
    assert.equal(body.camera_fixed, true);
  });

  it('material ids become asset:// reference images; knobs pass through; user is the safety identifier', () => {
    const body = toCreateTaskBody(req({ operation: 'reference-to-video', material_asset_ids: ['asset-20260101000000-abcde'], duration: -1, priority: 3, user: 'u-42', watermark: true }));
    assert.deepEqual(body.content, [{ type: 'image_url', image_url: { url: 'asset://asset-20260101000000-abcde' }, role: 'reference_image' }]);
    assert.deepEqual([body.duration, body.priority, body.safety_identifier, body.watermark], [-1, 3, 'u-42', true]);
  });

  it('service_tier and execution_expires_after go to 1.5 Pro only, never to 2.x; priority goes with flex', () => {
    const v15 = toCreateTaskBody(req({ upstream_model: 'seedance-1-5-pro-251215', prompt: 'x', service_tier: 'flex', priority: 2, execution_expires_after: 3600 }));
    assert.deepEqual([v15.service_tier, v15.priority, v15.execution_expires_after], ['flex', 2, 3600]);
    const v2 = toCreateTaskBody(req({ prompt: 'x', service_tier: 'default', execution_expires_after: 3600 }));
    assert.ok(!('service_tier' in v2) && !('execution_expires_after' in v2), JSON.stringify(v2));
  });

  it('a draft is sent at 480p whatever the resolution', () => {
    assert.equal(toCreateTaskBody(req({ upstream_model: 'seedance-1-5-pro-251215', prompt: 'x', draft: true, resolution: '720p' })).resolution, '480p');
  });

  it('reference audio may be inline (data:audio), reference videos may not', () => {
    const audio = 'data:audio/mpeg;base64,SUQzBAAAAAAA';
    const body = toCreateTaskBody(req({ operation: 'reference-to-video', reference_images: ['https://example.com/a.png'], audio_urls: [audio] }));
    assert.deepEqual(body.content.at(-1), { type: 'audio_url', audio_url: { url: audio }, role: 'reference_audio' });
    assert.throws(
      () => toCreateTaskBody(req({ operation: 'reference-to-video', video_urls: ['data:video/mp4;base64,AAAA'] })),
      (e: UpstreamError) => e.kind === 'invalid_input',
    );
  });

  it('ContentSecurityDetectionError is the moderation service failing: transient, never a policy refusal', () => {
    const body = { error: { code: 'ContentSecurityDetectionError', message: 'The content security detection service encountered an error.' } };
    assert.equal(mapHttpError(400, body).kind, 'unavailable');
    assert.equal(taskErrorFromArk({ code: 'ContentSecurityDetectionError', message: 'x' }).code, 'upstream_error');
    assert.equal(mapHttpError(400, { error: { code: 'InputTextSensitiveContentDetected', message: 'x' } }).kind, 'content_policy');
  });

  it('a draft promotion sends only the draft_task item, and none of what the draft fixes (as the Ark example: content and resolution)', () => {
    const body = toCreateTaskBody(req({ upstream_model: 'seedance-1-5-pro-251215', draft_task_id: 'cgt-20260101000000-abcde', prompt: 'ignored', resolution: '720p', camera_fixed: true }));
    assert.deepEqual(body.content, [{ type: 'draft_task', draft_task: { id: 'cgt-20260101000000-abcde' } }]);
    assert.deepEqual(Object.keys(body).sort(), ['content', 'model', 'resolution', 'watermark']);
  });

  it('refuses what Ark would refuse, as invalid_input with a fix', () => {
    const cases: [Partial<ResolvedVideoRequest>, RegExp][] = [
      [{ operation: 'reference-to-video', reference_images: ['https://e.com/a.png'], video_urls: ['data:video/mp4;base64,AAAA'] }, /video_urls must be public http\(s\) URLs/],
      [{ operation: 'reference-to-video', audio_urls: ['https://e.com/a.mp3'] }, /audio alone is not enough/],
      [{ operation: 'image-to-video' }, /needs a first frame/],
      [{ operation: 'video-to-video', video_url: 'https://e.com/v.mp4' }, /not supported/],
      [{ draft_task_id: 'ldtask_0123456789abcdef0123456789abcdef' }, /upstream Seedance draft task id/],
    ];
    for (const [over, message] of cases) {
      assert.throws(
        () => toCreateTaskBody(req({ prompt: 'x', ...over })),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'invalid_input' && message.test(e.message),
      );
    }
  });
});

describe('fromTask', () => {
  it('maps the spec poll example to a succeeded result with the video URL', () => {
    const task = {
      id: 'cgt-20250331175019-68d9t',
      model: 'seedance-1-0-pro-250528',
      status: 'succeeded',
      content: { video_url: 'https://ark-content.example.com/x.mp4?X-Tos-Expires=86400', last_frame_url: 'https://ark-content.example.com/last.png' },
      seed: 42,
      resolution: '720p',
      ratio: '16:9',
      duration: 5,
      framespersecond: 24,
      usage: { completion_tokens: 108900, total_tokens: 108900 },
      created_at: 1743414619,
      updated_at: 1743414673,
    };
    assert.deepEqual(fromTask(task), {
      state: 'succeeded',
      outputs: [
        { kind: 'video', url: 'https://ark-content.example.com/x.mp4?X-Tos-Expires=86400', mimeType: 'video/mp4' },
        { kind: 'last_frame', url: 'https://ark-content.example.com/last.png', mimeType: 'image/png' },
      ],
    });
  });

  it('maps every status', () => {
    assert.deepEqual(fromTask({ status: 'queued' }), { state: 'queued' });
    assert.deepEqual(fromTask({ status: 'running' }), { state: 'running' });
    assert.deepEqual(fromTask({ status: 'cancelled' }), { state: 'cancelled' });
    const expired = fromTask({ status: 'expired' });
    assert.equal(expired.state === 'failed' && expired.error.code, 'timeout_error');
    assert.deepEqual(fromTask({ status: 'succeeded', content: {} }), { state: 'failed', error: { code: 'upstream_error', message: 'Seedance reported success without a video_url.' } });
    assert.deepEqual(fromTask({ status: 'something_new' }), { state: 'running' });
  });

  it('tells content-policy failures apart from other failures', () => {
    const policy = fromTask({ status: 'failed', error: { code: 'OutputVideoSensitiveContentDetected', message: 'The request failed because the output video may contain sensitive information. Request id: 0217' } });
    assert.equal(policy.state === 'failed' && policy.error.code, 'content_policy_violation');
    assert.equal(taskErrorFromArk({ code: 'InvalidParameter', message: 'bad' }).code, 'invalid_request');
    assert.equal(taskErrorFromArk({ code: 'InternalServiceError', message: 'oops' }).code, 'upstream_error');
    assert.deepEqual(taskErrorFromArk(null, 'legacy failure reason'), { code: 'upstream_error', message: 'legacy failure reason' });
  });
});

describe('mapHttpError', () => {
  const body = (code: string, message = 'm') => ({ error: { code, message, param: 'content', type: 'BadRequest' } });
  it('maps Ark codes and statuses to kinds', () => {
    const kinds: [number, unknown, string][] = [
      [400, body('InvalidParameter', 'One or more parameters specified in the request are not valid. Request ID: 0217'), 'invalid_input'],
      [400, body('InputTextSensitiveContentDetected'), 'content_policy'],
      [400, body('InputImageSensitiveContentDetected'), 'content_policy'],
      [401, body('AuthenticationError'), 'auth'],
      [402, body('AccountOverdueError'), 'quota'],
      [403, body('AccessDenied'), 'auth'],
      [404, body('InvalidEndpointOrModel.NotFound'), 'model_retired'],
      [404, body('ResourceNotFound'), 'not_found'],
      [429, body('RateLimitExceeded.EndpointRPMExceeded'), 'rate_limited'],
      [429, body('QuotaExceeded'), 'rate_limited'],
      [500, body('InternalServiceError'), 'unavailable'],
      [503, body('ServerOverloaded'), 'unavailable'],
      [502, '<html>Bad gateway</html>', 'unavailable'],
    ];
    for (const [status, b, kind] of kinds) assert.equal(mapHttpError(status, b).kind, kind, `${status} ${JSON.stringify(b)}`);
  });

  it('reads Retry-After, keeps the upstream code, and truncates long messages', () => {
    const e = mapHttpError(429, body('RateLimitExceeded.EndpointRPMExceeded'), { 'Retry-After': '7' });
    assert.equal(e.retryAfterSeconds, 7);
    assert.equal(e.upstreamCode, 'RateLimitExceeded.EndpointRPMExceeded');
    assert.ok(mapHttpError(400, body('InvalidParameter', 'x'.repeat(2000))).message.length <= 500);
    assert.match(mapHttpError(418, {}).message, /HTTP 418/);
  });
});
