/** MiniMax mapping, built from the example bodies of spec providers-2 §2. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { checkBaseResp, downloadUrlFromRetrieve, fileIdFromOutputUrl, fromQuery, mapHttpError, taskIdFromCreate, toCreateRequest } from '../../src/providers/minimax/index.js';
import { UpstreamError } from '../../src/providers/types.js';

function request(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'hailuo-2.3-standard',
    operation: 'text-to-video',
    operation_explicit: true,
    sent: [],
    duration: 6,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: false,
    upstream_model: 'MiniMax-Hailuo-2.3',
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

describe('MiniMax request mapping', () => {
  it('reproduces the documented I2V example (2.3, 10 s at 768P)', () => {
    const body = toCreateRequest(
      request({ operation: 'image-to-video', prompt: 'The lantern flickers and the cat slowly turns toward camera [Push in]', image_url: 'data:image/png;base64,iVBORw0KGgo...', duration: 10, aspect_ratio: 'adaptive' }),
    );
    assert.deepEqual(body, {
      model: 'MiniMax-Hailuo-2.3',
      prompt: 'The lantern flickers and the cat slowly turns toward camera [Push in]',
      first_frame_image: 'data:image/png;base64,iVBORw0KGgo...',
      duration: 10,
      resolution: '768P',
    });
  });

  it('text-to-video: 1080p is 1080P, integers for duration, public URLs pass through', () => {
    assert.deepEqual(toCreateRequest(request({ prompt: 'a fox', resolution: '1080p' })), { model: 'MiniMax-Hailuo-2.3', prompt: 'a fox', duration: 6, resolution: '1080P' });
    const i2v = toCreateRequest(request({ operation: 'image-to-video', image_urls: ['https://example.com/a.jpg'], upstream_model: 'MiniMax-Hailuo-2.3-Fast' }));
    assert.equal(i2v.first_frame_image, 'https://example.com/a.jpg');
    assert.equal(i2v.prompt, undefined, 'the prompt is optional for image-to-video');
  });

  it('refuses what MiniMax refuses, before any call', () => {
    assert.equal(thrown(() => toCreateRequest(request({ prompt: 'x', duration: 10, resolution: '1080p' }))).kind, 'invalid_input');
    assert.match(thrown(() => toCreateRequest(request({ prompt: 'x', upstream_model: 'MiniMax-Hailuo-2.3-Fast' }))).message, /image-to-video only/);
    assert.equal(thrown(() => toCreateRequest(request({ prompt: 'x', duration: 8 }))).kind, 'invalid_input');
    assert.equal(thrown(() => toCreateRequest(request({ prompt: 'x', resolution: '480p' }))).kind, 'invalid_input');
    assert.match(thrown(() => toCreateRequest(request({ operation: 'start-end-to-video', start_image: 'https://e.com/a.png', end_image: 'https://e.com/b.png' }))).message, /Hailuo-02/);
    const fl2v = toCreateRequest(request({ operation: 'start-end-to-video', start_image: 'https://e.com/a.png', end_image: 'https://e.com/b.png', upstream_model: 'MiniMax-Hailuo-02' }));
    assert.equal(fl2v.last_frame_image, 'https://e.com/b.png');
  });

  it('01-series models (operator overrides): public 720p is their 720P, 6 s only, one mode each (t2v/i2v API reference: "Other models")', () => {
    assert.deepEqual(toCreateRequest(request({ prompt: 'a fox', upstream_model: 'T2V-01' })), { model: 'T2V-01', prompt: 'a fox', duration: 6, resolution: '720P' });
    const i2v = toCreateRequest(request({ operation: 'image-to-video', image_url: 'https://e.com/a.png', upstream_model: 'I2V-01-Director' }));
    assert.deepEqual([i2v.resolution, i2v.duration], ['720P', 6]);
    assert.match(thrown(() => toCreateRequest(request({ prompt: 'x', upstream_model: 'T2V-01-Director', duration: 10 }))).message, /6 second/);
    assert.match(thrown(() => toCreateRequest(request({ prompt: 'x', upstream_model: 'T2V-01', resolution: '1080p' }))).message, /720p/);
    assert.match(thrown(() => toCreateRequest(request({ prompt: 'x', upstream_model: 'I2V-01-live' }))).message, /image-to-video only/);
    assert.match(thrown(() => toCreateRequest(request({ operation: 'image-to-video', image_url: 'https://e.com/a.png', upstream_model: 'T2V-01' }))).message, /text-to-video only/);
  });
});

describe('MiniMax answers', () => {
  it('create success (documented example) gives the task id', () => {
    assert.equal(taskIdFromCreate({ task_id: '106916112212032', base_resp: { status_code: 0, status_msg: 'success' } }), '106916112212032');
  });

  it('create error on HTTP 200 (documented example) is invalid input with the upstream text', () => {
    const err = thrown(() => taskIdFromCreate({ task_id: '', base_resp: { status_code: 2013, status_msg: 'invalid params, duration 10 not supported at 1080P' } }));
    assert.equal(err.kind, 'invalid_input');
    assert.equal(err.upstreamCode, '2013');
    assert.match(err.message, /duration 10 not supported at 1080P/);
  });

  it('maps every documented base_resp code to the right kind', () => {
    const table: [number, string][] = [
      [1000, 'unavailable'],
      [1001, 'unavailable'],
      [1002, 'rate_limited'],
      [1004, 'auth'],
      [1008, 'quota'],
      [1024, 'unavailable'],
      [1026, 'content_policy'],
      [1027, 'content_policy'],
      [1033, 'unavailable'],
      [1039, 'rate_limited'],
      [1042, 'invalid_input'],
      [2013, 'invalid_input'],
      [2049, 'auth'],
    ];
    for (const [code, kind] of table) {
      const err = thrown(() => checkBaseResp({ base_resp: { status_code: code, status_msg: 'x' } }, 'create'));
      assert.equal(err.kind, kind, `code ${code}`);
    }
    assert.match(thrown(() => checkBaseResp({ base_resp: { status_code: 1004, status_msg: 'login fail' } }, 'create')).message, /MINIMAX_API_KEY/);
    assert.match(thrown(() => checkBaseResp({ base_resp: { status_code: 1008, status_msg: 'insufficient balance' } }, 'create')).message, /Top up/);
    assert.equal(thrown(() => checkBaseResp({ base_resp: { status_code: 2013, status_msg: 'task not found' } }, 'query')).kind, 'not_found');
    assert.equal(thrown(() => checkBaseResp({ task_id: '1' }, 'create')).kind, 'unavailable', 'no base_resp at all');
  });

  it('edge HTTP errors: 429 with Retry-After, 5xx, 401', () => {
    const rate = mapHttpError(429, { base_resp: { status_code: 1002, status_msg: 'rate limit' } }, { 'retry-after': '7' }, 'create');
    assert.deepEqual([rate.kind, rate.retryAfterSeconds], ['rate_limited', 7]);
    assert.equal(mapHttpError(503, '<html>bad gateway</html>', {}, 'create').kind, 'unavailable');
    assert.equal(mapHttpError(401, {}, {}, 'query').kind, 'auth');
    assert.equal(mapHttpError(400, { base_resp: { status_code: 1026, status_msg: 'input sensitive' } }, {}, 'create').kind, 'content_policy');
  });

  it('query: capitalised statuses; Success (documented example) references the file id', () => {
    const ok = { status_code: 0, status_msg: 'success' };
    assert.deepEqual(fromQuery({ task_id: '1', status: 'Preparing', base_resp: ok }), { state: 'queued' });
    assert.deepEqual(fromQuery({ task_id: '1', status: 'Queueing', base_resp: ok }), { state: 'queued' });
    assert.deepEqual(fromQuery({ task_id: '1', status: 'Processing', base_resp: ok }), { state: 'running' });
    assert.deepEqual(fromQuery({ task_id: '1', status: 'SomethingNew', base_resp: ok }), { state: 'running' }, 'unknown = still running');
    const done = fromQuery({ task_id: '106916112212032', status: 'Success', file_id: '205258526306433', video_width: 1366, video_height: 768, base_resp: ok });
    assert.equal(done.state, 'succeeded');
    assert.equal(fileIdFromOutputUrl(done.state === 'succeeded' ? done.outputs[0].url : undefined), '205258526306433');
  });

  it('query: Fail with 1026/1027 is a content-policy refusal; other codes an upstream error', () => {
    const f1027 = fromQuery({ task_id: '1', status: 'Fail', error_message: 'output sensitive', base_resp: { status_code: 1027, status_msg: 'output new_sensitive' } });
    assert.deepEqual(f1027.state === 'failed' && f1027.error.code, 'content_policy_violation');
    const f1026 = fromQuery({ task_id: '1', status: 'Fail', base_resp: { status_code: 1026, status_msg: 'input new_sensitive' } });
    assert.deepEqual(f1026.state === 'failed' && f1026.error.code, 'content_policy_violation');
    const other = fromQuery({ task_id: '1', status: 'Fail', base_resp: { status_code: 1000, status_msg: 'unknown error' } });
    assert.equal(other.state === 'failed' && other.error.code, 'upstream_error');
    assert.match(other.state === 'failed' ? other.error.message : '', /unknown error/);
  });

  it('retrieve (documented example): the download_url; file ids compare as strings', () => {
    const body = {
      file: { file_id: 205258526306433, bytes: 5896337, created_at: 1700469398, filename: 'output_aigc.mp4', purpose: 'video_generation', download_url: 'https://cdn.minimax.io/x.mp4?signature=abc' },
      base_resp: { status_code: 0, status_msg: 'success' },
    };
    assert.equal(downloadUrlFromRetrieve(body), 'https://cdn.minimax.io/x.mp4?signature=abc');
    assert.equal(String(body.file.file_id), '205258526306433');
    assert.equal(thrown(() => downloadUrlFromRetrieve({ file: {}, base_resp: { status_code: 0 } })).kind, 'unavailable');
    assert.equal(fileIdFromOutputUrl('minimax-file:12a'), undefined, 'only digits reach the query string');
  });
});
