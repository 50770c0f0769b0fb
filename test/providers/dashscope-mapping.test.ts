/** DashScope (Wan) mapping, built from the example bodies of spec providers-2 §3. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createPathFor, fromTask, IMAGE2VIDEO_SYNTHESIS_PATH, mapHttpError, taskIdFromCreate, toCreateRequest, VIDEO_SYNTHESIS_PATH } from '../../src/providers/dashscope/index.js';
import { UpstreamError } from '../../src/providers/types.js';

function request(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'wan-2.6',
    operation: 'text-to-video',
    operation_explicit: true,
    sent: [],
    prompt: 'x',
    duration: 5,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: true,
    upstream_model: 'wan2.6-t2v',
    ...over,
  };
}

function thrown(fn: () => unknown): UpstreamError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UpstreamError, String(err));
    return err;
  }
  assert.fail('expected an UpstreamError');
}

describe('DashScope request mapping', () => {
  it('T2V (documented wan2.6 example): size "1280*720", integer duration, seed, negative prompt', () => {
    const prompt = 'Shot 1 [0-4s]: wide shot of a lighthouse in a storm. Shot 2 [4-10s]: close-up of the keeper lighting the lamp.';
    const body = toCreateRequest(request({ prompt, negative_prompt: 'low resolution, text', duration: 10, seed: 42, watermark: false }));
    assert.deepEqual(body, {
      model: 'wan2.6-t2v',
      input: { prompt, negative_prompt: 'low resolution, text' },
      parameters: { size: '1280*720', duration: 10, seed: 42, watermark: false, audio: true },
    });
    assert.equal(createPathFor(body.model), VIDEO_SYNTHESIS_PATH);
  });

  it('I2V (documented wan2.5 example): img_url + audio_url, resolution "720P", no size, no audio switch on 2.5', () => {
    const body = toCreateRequest(
      request({
        operation: 'image-to-video',
        upstream_model: 'wan2.5-i2v-preview',
        prompt: 'The singer sways gently to the music',
        image_url: 'https://cdn.example.com/singer.jpg',
        audio_url: 'https://cdn.example.com/song.mp3',
        duration: 10,
        aspect_ratio: 'adaptive',
      }),
    );
    assert.deepEqual(body, {
      model: 'wan2.5-i2v-preview',
      input: { prompt: 'The singer sways gently to the music', img_url: 'https://cdn.example.com/singer.jpg', audio_url: 'https://cdn.example.com/song.mp3' },
      parameters: { resolution: '720P', duration: 10 },
    });
  });

  it('first+last frame (documented kf2v example) goes to the image2video endpoint', () => {
    const body = toCreateRequest(
      request({
        operation: 'start-end-to-video',
        upstream_model: 'wan2.2-kf2v-flash',
        prompt: 'The kitten looks up as the camera rises overhead',
        start_image: 'https://cdn.example.com/a.png',
        end_image: 'https://cdn.example.com/b.png',
        output_audio: false,
      }),
    );
    assert.deepEqual(body.input, { prompt: 'The kitten looks up as the camera rises overhead', first_frame_url: 'https://cdn.example.com/a.png', last_frame_url: 'https://cdn.example.com/b.png' });
    assert.equal(body.parameters.resolution, '720P');
    assert.equal(createPathFor(body.model), IMAGE2VIDEO_SYNTHESIS_PATH);
  });

  it('R2V: reference_urls (images then videos) and a size; wan2.6-r2v takes no audio switch (video with audio only)', () => {
    const body = toCreateRequest(
      request({
        operation: 'reference-to-video',
        upstream_model: 'wan2.6-r2v',
        prompt: 'character1 waves',
        reference_images: ['https://e.com/a.png'],
        video_urls: ['https://e.com/b.mp4'],
        aspect_ratio: '9:16',
        resolution: '1080p',
        output_audio: true,
      }),
    );
    assert.deepEqual(body.input.reference_urls, ['https://e.com/a.png', 'https://e.com/b.mp4']);
    assert.deepEqual([body.parameters.size, body.parameters.audio, body.parameters.resolution], ['1080*1920', undefined, undefined]);
  });

  it('R2V: reference_images and image_urls are sent together (the catalog counts both), neither dropped', () => {
    const body = toCreateRequest(
      request({
        operation: 'reference-to-video',
        upstream_model: 'wan2.6-r2v',
        prompt: 'character1 and character2',
        reference_images: ['https://e.com/a.png'],
        image_urls: ['https://e.com/b.png'],
        aspect_ratio: '16:9',
        resolution: '720p',
      }),
    );
    assert.deepEqual(body.input.reference_urls, ['https://e.com/a.png', 'https://e.com/b.png']);
  });

  it('the mode comes from the operation, not the id (operators may set -us ids)', () => {
    const body = toCreateRequest(request({ operation: 'image-to-video', upstream_model: 'wan2.6-t2v-us', image_url: 'https://e.com/a.png', aspect_ratio: 'adaptive' }));
    assert.deepEqual([body.input.img_url, body.parameters.resolution, body.parameters.size], ['https://e.com/a.png', '720P', undefined]);
  });

  it('refuses combinations DashScope refuses', () => {
    assert.match(thrown(() => toCreateRequest(request({ upstream_model: 'wan2.5-t2v-preview', resolution: '480p', aspect_ratio: '4:3' }))).message, /no 4:3 size at 480p/);
    assert.equal(thrown(() => toCreateRequest(request({ aspect_ratio: 'adaptive' }))).kind, 'invalid_input');
    assert.match(thrown(() => toCreateRequest(request({ audio_url: 'https://e.com/a.mp3', output_audio: false }))).message, /audio_url/);
    assert.match(thrown(() => toCreateRequest(request({ upstream_model: 'wan2.2-t2v-plus', audio_url: 'https://e.com/a.mp3' }))).message, /does not take audio_url/);
    const six = Array.from({ length: 6 }, (_, i) => `https://e.com/${i}.png`);
    assert.match(thrown(() => toCreateRequest(request({ operation: 'reference-to-video', upstream_model: 'wan2.6-r2v', reference_images: six }))).message, /at most 5/);
    assert.equal(thrown(() => toCreateRequest(request({ seed: -1 }))).kind, 'invalid_input');
  });
});

describe('DashScope answers', () => {
  it('create response (documented example) gives output.task_id', () => {
    assert.equal(taskIdFromCreate({ request_id: '4909100c-7b5a-9f92-bfe5-2a1c0e9d3f11', output: { task_id: '0385dc79-5ff8-4d82-bcb6-5d0a6c1e2b77', task_status: 'PENDING' } }), '0385dc79-5ff8-4d82-bcb6-5d0a6c1e2b77');
    // A 2xx without a task id may still have created the job: never resent blindly.
    assert.equal(thrown(() => taskIdFromCreate({ request_id: 'x' })).kind, 'ambiguous');
  });

  it('task statuses: PENDING queued, RUNNING running, SUCCEEDED (documented example) the video_url', () => {
    assert.deepEqual(fromTask({ output: { task_id: 'a', task_status: 'PENDING' } }), { state: 'queued' });
    assert.deepEqual(fromTask({ output: { task_id: 'a', task_status: 'RUNNING' } }), { state: 'running' });
    assert.deepEqual(fromTask({ output: { task_id: 'a', task_status: 'SOMETHING_NEW' } }), { state: 'running' });
    const url = 'https://dashscope-result-sh.oss-accelerate.aliyuncs.com/x.mp4?Expires=1&Signature=abc';
    const done = fromTask({
      request_id: 'c1209113-8437-424f-a386-4c1f0e2a9b10',
      output: {
        task_id: '0385dc79',
        task_status: 'SUCCEEDED',
        submit_time: '2025-10-11 18:55:56.952',
        scheduled_time: '2025-10-11 18:55:57.908',
        end_time: '2025-10-11 19:02:27.297',
        orig_prompt: '...',
        actual_prompt: '...',
        video_url: url,
      },
      usage: { video_duration: 10, video_count: 1, video_ratio: '1280*720', SR: 720 },
    });
    assert.deepEqual(done, { state: 'succeeded', outputs: [{ kind: 'video', url, mimeType: 'video/mp4' }] });
  });

  it('FAILED (documented example) is a content-policy refusal; CANCELED cancelled; UNKNOWN not found', () => {
    const failed = fromTask({ output: { task_id: 'a', task_status: 'FAILED', code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' } });
    assert.deepEqual(failed.state === 'failed' && failed.error.code, 'content_policy_violation');
    const other = fromTask({ output: { task_id: 'a', task_status: 'FAILED', code: 'InternalError', message: 'boom' } });
    assert.deepEqual(other.state === 'failed' && other.error.code, 'upstream_error');
    assert.deepEqual(fromTask({ output: { task_id: 'a', task_status: 'CANCELED' } }), { state: 'cancelled' });
    assert.equal(thrown(() => fromTask({ output: { task_id: 'a', task_status: 'UNKNOWN' } })).kind, 'not_found');
  });

  it('SUSPENDED (official SDK TaskStatus, which its wait() keeps polling) is still running, not terminal', () => {
    assert.deepEqual(fromTask({ output: { task_id: 'a', task_status: 'SUSPENDED' } }), { state: 'running' });
  });

  it('synchronous errors (documented table) map to kinds', () => {
    const table: [number, string, string][] = [
      [400, 'InvalidParameter', 'invalid_input'],
      [400, 'DataInspectionFailed', 'content_policy'],
      [400, 'Arrearage', 'quota'],
      [403, 'Arrearage', 'quota'],
      [401, 'InvalidApiKey', 'auth'],
      [403, 'AccessDenied', 'auth'],
      [404, 'ModelNotFound', 'model_retired'],
      [404, 'TaskNotFound', 'not_found'],
      [429, 'Throttling', 'rate_limited'],
      [429, 'Throttling.RateQuota', 'rate_limited'],
      [429, 'Throttling.AllocationQuota', 'rate_limited'],
      [500, 'InternalError', 'unavailable'],
      [500, 'InternalError.Timeout', 'unavailable'],
    ];
    for (const [status, code, kind] of table) {
      const e = mapHttpError(status, { request_id: 'r', code, message: 'm' });
      assert.equal(e.kind, kind, `${status} ${code}`);
      assert.equal(e.upstreamCode, code);
    }
    assert.equal(mapHttpError(429, { code: 'Throttling' }, { 'retry-after': '3' }).retryAfterSeconds, 3);
    assert.match(mapHttpError(401, { code: 'InvalidApiKey', message: 'Invalid API-key provided.' }).message, /DASHSCOPE_API_KEY/);
    assert.equal(mapHttpError(502, '<html>Bad Gateway</html>').kind, 'unavailable');
  });
});
