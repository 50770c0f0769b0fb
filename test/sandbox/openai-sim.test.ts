/** The Sora simulator over raw HTTP: the spec's request forms (§1.3), validation, auth, faults and markers. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOpenAISimulator, type OpenAISimulator, type VideoJson } from '../../src/sandbox/openai/index.js';
import { solidImage, tempDir } from './media-helpers.js';

const KEY = 'sk-proj-simTestKey_abcdefghij0123456789';

let sim: OpenAISimulator;
let dir: string;
let cleanup: () => Promise<void>;

function api(path: string, init: RequestInit & { json?: unknown; key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('authorization', `Bearer ${init.key ?? KEY}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  return fetch(`${sim.baseUrl}${path}`, { ...init, headers, body });
}

async function errorOf(res: Response, status: number): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  assert.equal(res.status, status);
  const body = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'], 'OpenAI error envelope');
  return body.error;
}

async function waitTerminal(id: string): Promise<VideoJson> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = (await (await api(`/videos/${id}`)).json()) as VideoJson;
    if (v.status === 'completed' || v.status === 'failed') return v;
    if (Date.now() > deadline) throw new Error(`video ${id} stuck: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-openai-sim-'));
  sim = await startOpenAISimulator({ apiKey: KEY, speed: 60, workDir: join(dir, 'work') });
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('Sora simulator: request forms', () => {
  it('the §1.3 JSON example (input_reference.image_url data URL) is accepted and echoed as a Video', async () => {
    const png = await solidImage(dir, 'green', 'p.png', '720x1280');
    const res = await api('/videos', {
      method: 'POST',
      json: { model: 'sora-2', prompt: 'A paper boat drifting down a rain-soaked street at dusk', seconds: '4', size: '720x1280', input_reference: { image_url: `data:image/png;base64,${png.toString('base64')}` } },
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(res.headers.get('x-request-id') ?? '', /^req_[0-9a-f]+$/);
    assert.match(res.headers.get('openai-poll-after-ms') ?? '', /^\d+$/);
    const v = (await res.json()) as VideoJson;
    assert.deepEqual(Object.keys(v).sort(), ['completed_at', 'created_at', 'error', 'expires_at', 'id', 'model', 'object', 'progress', 'prompt', 'remixed_from_video_id', 'seconds', 'size', 'status'].sort());
    assert.deepEqual([v.object, v.model, v.status, v.progress, v.seconds, v.size, v.error], ['video', 'sora-2', 'queued', 0, '4', '720x1280', null]);
    assert.ok(Math.abs(v.created_at - Date.now() / 1000) < 5, 'timestamps are Unix seconds');
  });

  it('the §1.3 multipart example (sora-2-pro, 8 s, a 1280x720 PNG part) is accepted', async () => {
    const png = await solidImage(dir, 'blue', 'first.png', '1280x720');
    const form = new FormData();
    form.append('model', 'sora-2-pro');
    form.append('prompt', 'A paper boat drifting down a rain-soaked street at dusk [sim:fail]');
    form.append('seconds', '8');
    form.append('size', '1280x720');
    form.append('input_reference', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'first.png');
    const res = await api('/videos', { method: 'POST', body: form });
    assert.equal(res.status, 200, await res.clone().text());
    const v = (await res.json()) as VideoJson;
    assert.deepEqual([v.model, v.seconds, v.size], ['sora-2-pro', '8', '1280x720']);
    const end = await waitTerminal(v.id);
    assert.equal(end.status, 'failed');
    assert.deepEqual(end.error, { code: 'internal_error', message: 'Video generation failed due to an internal error. Please try again.' });
  });
});

describe('Sora simulator: validation (400 invalid_request_error naming the param)', () => {
  const cases: Array<[string, unknown, string | null, string | null, RegExp?]> = [
    ['unknown parameter', { prompt: 'x', duration: 4 }, 'duration', 'unknown_parameter', /Unknown parameter: 'duration'/],
    ['missing prompt', { model: 'sora-2' }, 'prompt', 'missing_required_parameter'],
    ['unknown model', { prompt: 'x', model: 'sora-3' }, 'model', 'invalid_value', /'sora-2', 'sora-2-2025-10-06'/],
    ['seconds as a number', { prompt: 'x', seconds: 4 }, 'seconds', 'invalid_type', /got an integer/],
    ['seconds not allowed', { prompt: 'x', seconds: '6' }, 'seconds', 'invalid_value', /'4', '8', '12', '16', and '20'/],
    ['size outside the enum', { prompt: 'x', size: '1024x1024' }, 'size', 'invalid_value'],
    ['pro size on sora-2', { prompt: 'x', model: 'sora-2', size: '1920x1080' }, 'size', 'invalid_value', /for sora-2 are: '720x1280' and '1280x720'/],
    ['file_id (no Files API here)', { prompt: 'x', input_reference: { file_id: 'file-abc' } }, 'input_reference.file_id', 'invalid_value'],
    ['image_url not a URL', { prompt: 'x', input_reference: { image_url: 'ftp://x' } }, 'input_reference.image_url', 'invalid_value'],
    ['input_reference as a string', { prompt: 'x', input_reference: 'https://example.com/a.png' }, 'input_reference', 'invalid_type'],
    ['not an object', [1, 2], null, 'invalid_request_body'],
  ];
  for (const [name, body, param, code, message] of cases) {
    it(name, async () => {
      const creates = sim.stats.creates;
      const e = await errorOf(await api('/videos', { method: 'POST', json: body }), 400);
      assert.equal(e.type, 'invalid_request_error');
      assert.equal(e.param, param);
      assert.equal(e.code, code);
      if (message) assert.match(e.message, message);
      assert.equal(sim.stats.creates, creates);
    });
  }

  it('reference images: wrong size, wrong format, and example.com placeholders (640x360) are judged like Sora', async () => {
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    const form = new FormData();
    form.append('prompt', 'x');
    form.append('size', '1280x720');
    form.append('input_reference', new Blob([new Uint8Array(gif)], { type: 'image/gif' }), 'a.gif');
    assert.match((await errorOf(await api('/videos', { method: 'POST', body: form }), 400)).message, /image\/jpeg, image\/png, image\/webp/);
    const placeholder = await errorOf(await api('/videos', { method: 'POST', json: { prompt: 'x', size: '1280x720', input_reference: { image_url: 'https://example.com/a.png' } } }), 400);
    assert.equal(placeholder.param, 'input_reference');
    assert.match(placeholder.message, /Inpaint image must match the requested width and height \(1280x720\); got 640x360/);
  });

  it('an upload whose part names a type OpenAI does not take (image/jpg) is refused by that name; a generic or missing type is judged by the bytes', async () => {
    const jpeg = await solidImage(dir, 'red', 'typed.jpg', '1280x720');
    const upload = (type: string) => {
      const form = new FormData();
      form.append('prompt', 'x');
      form.append('size', '1280x720');
      form.append('input_reference', new Blob([new Uint8Array(jpeg)], { type }), 'typed.jpg');
      return api('/videos', { method: 'POST', body: form });
    };
    const creates = sim.stats.creates;
    for (const type of ['image/jpg', 'image/pjpeg']) {
      const e = await errorOf(await upload(type), 400);
      assert.deepEqual([e.param, e.code], ['input_reference', 'unsupported_file_mimetype']);
      assert.equal(e.message, `Invalid file 'input_reference': unsupported mimetype ('${type}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`);
    }
    assert.equal(sim.stats.creates, creates, 'nothing was created');
    for (const type of ['image/jpeg', 'application/octet-stream', '']) assert.equal((await upload(type)).status, 200, type || '(no type)');
  });

  it('bad bodies: broken JSON, unsupported content type, broken multipart', async () => {
    assert.equal((await errorOf(await api('/videos', { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } }), 400)).code, 'invalid_json');
    assert.equal((await errorOf(await api('/videos', { method: 'POST', body: 'prompt=x', headers: { 'content-type': 'text/plain' } }), 400)).code, 'unsupported_content_type');
    assert.equal((await errorOf(await api('/videos', { method: 'POST', body: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=zzz' } }), 400)).code, 'invalid_multipart');
  });
});

describe('Sora simulator: auth, routes, faults, markers', () => {
  it('401 without or with a wrong Bearer key; 404 for unknown routes; list paging', async () => {
    assert.match((await errorOf(await api('/videos/video_x', { key: null }), 401)).message, /didn't provide an API key/);
    const wrong = await errorOf(await api('/videos/video_x', { key: 'sk-proj-wrong-key-999999' }), 401);
    assert.equal(wrong.code, 'invalid_api_key');
    assert.ok(!wrong.message.includes('sk-proj-wrong-key-999999'));
    assert.match((await errorOf(await api('/videos/x/remix', { method: 'POST', json: {} }), 404)).message, /Invalid URL \(POST \/v1\/videos\/x\/remix\)/);
    const list = (await (await api('/videos?limit=1&order=asc')).json()) as { object: string; data: VideoJson[]; has_more: boolean; first_id: string; last_id: string };
    assert.equal(list.object, 'list');
    assert.equal(list.data.length, 1);
    assert.equal(list.has_more, true);
    const next = (await (await api(`/videos?limit=1&order=asc&after=${list.last_id}`)).json()) as { data: VideoJson[] };
    assert.notEqual(next.data[0].id, list.data[0].id);
    assert.equal((await errorOf(await api('/videos?limit=0'), 400)).param, 'limit');
  });

  it('status moves queued → in_progress with progress, and a hung job never completes', async () => {
    sim.faults.hangNextJob();
    const v = (await (await api('/videos', { method: 'POST', json: { prompt: 'hangs', size: '1280x720' } })).json()) as VideoJson;
    await new Promise((r) => setTimeout(r, 2_000));
    const later = (await (await api(`/videos/${v.id}`)).json()) as VideoJson;
    assert.equal(later.status, 'in_progress');
    assert.ok(later.progress > 0 && later.progress < 100, String(later.progress));
    const content = await errorOf(await api(`/videos/${v.id}/content`), 404);
    assert.match(content.message, /not ready yet/);
  });

  it('faults: 429 with Retry-After headers, 5xx on one route only, latency', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 4 });
    const limited = await api('/videos/video_x');
    assert.equal(limited.headers.get('retry-after'), '4');
    assert.equal(limited.headers.get('retry-after-ms'), '4000');
    const e = await errorOf(limited, 429);
    assert.deepEqual([e.type, e.code], ['requests', 'rate_limit_exceeded']);

    sim.faults.serverErrorNext(1, { status: 500, only: 'create' });
    assert.equal((await api('/videos/video_x')).status, 404, 'a create-only fault leaves retrieve alone');
    assert.equal((await errorOf(await api('/videos', { method: 'POST', json: { prompt: 'x' } }), 500)).type, 'server_error');

    sim.faults.setLatency(300);
    const t0 = Date.now();
    await api('/videos/video_x');
    assert.ok(Date.now() - t0 >= 280);
    sim.faults.reset();
  });

  it('prompt markers: [sim:429] always, [sim:429-once] / [sim:503-once] once, [sim:policy-create] 400 moderation_blocked', async () => {
    const post = (prompt: string) => api('/videos', { method: 'POST', json: { prompt, size: '1280x720' } });
    assert.equal((await post('a [sim:429]')).status, 429);
    assert.equal((await post('a [sim:429]')).status, 429);
    assert.equal((await post('b [sim:429-once] [sim:fail]')).status, 429);
    assert.equal((await post('b [sim:429-once] [sim:fail]')).status, 200);
    assert.equal((await errorOf(await post('c [sim:503-once] [sim:fail]'), 503)).type, 'server_error');
    assert.equal((await post('c [sim:503-once] [sim:fail]')).status, 200);
    const blocked = await errorOf(await post('d [sim:policy-create]'), 400);
    assert.equal(blocked.code, 'moderation_blocked');
  });

  it('content: Range on the MP4, spritesheet as JPEG, unknown variant refused', async () => {
    const v = (await (await api('/videos', { method: 'POST', json: { prompt: 'a tiny clip', size: '1280x720' } })).json()) as VideoJson;
    const done = await waitTerminal(v.id);
    assert.equal(done.status, 'completed');
    const part = await api(`/videos/${v.id}/content`, { headers: { range: 'bytes=4-11' } });
    assert.equal(part.status, 206);
    assert.equal(Buffer.from(await part.arrayBuffer()).toString('latin1'), 'ftypisom');
    const sheet = Buffer.from(await (await api(`/videos/${v.id}/content?variant=spritesheet`)).arrayBuffer());
    assert.deepEqual([...sheet.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.equal((await errorOf(await api(`/videos/${v.id}/content?variant=gif`), 400)).param, 'variant');
  });
});
