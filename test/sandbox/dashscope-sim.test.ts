/** The DashScope (Wan) simulator: documented envelopes (spec §3.5–3.7), validation, statuses, faults. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDashScopeSimulator, type DashScopeSimulator } from '../../src/sandbox/dashscope/index.js';
import { colorAt, isBluish, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

const KEY = 'sk-dashscope-sim-test-0123456789';
const T2V_PATH = '/api/v1/services/aigc/video-generation/video-synthesis';
const KF2V_PATH = '/api/v1/services/aigc/image2video/video-synthesis';
let sim: DashScopeSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let red: string;
let blue: string;
type Json = Record<string, any>;

async function call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string | null> = {}) {
  const h: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'x-dashscope-async': 'enable' };
  for (const [k, v] of Object.entries(headers)) {
    if (v === null) delete h[k];
    else h[k] = v;
  }
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
}
const create = (body: unknown, path = T2V_PATH) => call('POST', path, body);

async function untilDone(taskId: string, seen: string[] = []): Promise<Json> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { status, json } = await call('GET', `/api/v1/tasks/${taskId}`);
    assert.equal(status, 200);
    const s = json.output.task_status;
    if (seen[seen.length - 1] !== s) seen.push(s);
    if (['SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN'].includes(s)) return json;
    assert.ok(Date.now() < deadline, `task ${taskId} not done`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function videoOf(task: Json, name: string): Promise<string> {
  const res = await fetch(task.output.video_url); // signed OSS-style URL: no key
  assert.equal(res.status, 200);
  const path = join(dir, name);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-dashscope-sim-'));
  sim = await startDashScopeSimulator({ apiKey: KEY, speed: 400, workDir: join(dir, 'work') });
  red = `data:image/png;base64,${(await solidImage(dir, 'red', 'red.png', '640x480')).toString('base64')}`;
  blue = `data:image/png;base64,${(await solidImage(dir, 'blue', 'blue.png', '640x480')).toString('base64')}`;
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('DashScope simulator', () => {
  it('T2V: {request_id, output:{task_id, PENDING}} → RUNNING → SUCCEEDED with video_url and usage; 5 s 832*480 silent on wan2.2', async () => {
    const created = await create({ model: 'wan2.2-t2v-plus', input: { prompt: 'A lighthouse' }, parameters: { size: '832*480' } });
    assert.equal(created.status, 200);
    assert.match(created.json.request_id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(created.json.output).sort(), ['task_id', 'task_status']);
    assert.equal(created.json.output.task_status, 'PENDING');
    const seen: string[] = [];
    const done = await untilDone(created.json.output.task_id, seen);
    assert.deepEqual(
      seen.filter((s, i) => s !== seen[i - 1]),
      ['PENDING', 'RUNNING', 'SUCCEEDED'].filter((s) => seen.includes(s)),
    );
    assert.equal(done.output.task_status, 'SUCCEEDED');
    for (const k of ['submit_time', 'scheduled_time', 'end_time']) assert.match(done.output[k], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    assert.deepEqual(done.usage, { video_duration: 5, video_count: 1, video_ratio: '832*480', SR: 480 });
    const p = await probe(await videoOf(done, 't2v.mp4'));
    assert.ok(Math.abs(p.duration - 5) < 0.2);
    assert.deepEqual([p.video?.width, p.video?.height], [832, 480]);
    assert.equal(p.audio, undefined, 'wan2.2 is always silent');
  });

  it('kf2v on the image2video endpoint: first and last frames are visible; the 4:3 image gives 1088x832 at 720P', async () => {
    const created = await create({ model: 'wan2.2-kf2v-flash', input: { first_frame_url: red, last_frame_url: blue, prompt: 'red to blue' }, parameters: { resolution: '720P' } }, KF2V_PATH);
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const path = await videoOf(await untilDone(created.json.output.task_id), 'kf2v.mp4');
    const p = await probe(path);
    assert.deepEqual([p.video?.width, p.video?.height], [1088, 832]);
    assert.ok(isReddish(await colorAt(path, 0.05)));
    assert.ok(isBluish(await colorAt(path, 4.5)));
  });

  it('wan2.5 I2V has sound by default; an audio_url is fetched; example.com inputs are placeholders', async () => {
    const created = await create({ model: 'wan2.5-i2v-preview', input: { img_url: 'https://example.com/singer.jpg', audio_url: 'https://example.com/song.mp3' }, parameters: { resolution: '480P', duration: 5 } });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const p = await probe(await videoOf(await untilDone(created.json.output.task_id), 'i2v.mp4'));
    assert.deepEqual([p.video?.width, p.video?.height], [832, 480]);
    assert.equal(p.audio?.codec, 'aac');
  });

  it('create without X-DashScope-Async: 403 AccessDenied (documented text)', async () => {
    const res = await call('POST', T2V_PATH, { model: 'wan2.6-t2v', input: { prompt: 'x' } }, { 'x-dashscope-async': null });
    assert.equal(res.status, 403);
    assert.equal(res.json.code, 'AccessDenied');
    assert.equal(res.json.message, 'current user api does not support synchronous calls');
    assert.match(res.json.request_id, /^[0-9a-f-]{36}$/);
  });

  it('rejects bad values with 400 InvalidParameter (and other documented codes), creating nothing', async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [{ model: 'wan2.6-t2v', input: { prompt: 'x' }, parameters: { size: '1280x720' } }, 400, 'InvalidParameter', /size/],
      [{ model: 'wan2.6-t2v', input: { prompt: 'x' }, parameters: { size: '832*480' } }, 400, 'InvalidParameter', /size/],
      [{ model: 'wan2.6-t2v', input: { prompt: 'x' }, parameters: { resolution: '720P' } }, 400, 'InvalidParameter', /size/],
      [{ model: 'wan2.6-t2v', input: { prompt: 'x' }, parameters: { duration: 20 } }, 400, 'InvalidParameter', /duration/],
      [{ model: 'wan2.5-t2v-preview', input: { prompt: 'x' }, parameters: { duration: 7 } }, 400, 'InvalidParameter', /duration/],
      [{ model: 'wan2.6-i2v', input: { img_url: red }, parameters: { size: '1280*720' } }, 400, 'InvalidParameter', /resolution/],
      [{ model: 'wan2.6-i2v', input: { img_url: red }, parameters: { resolution: '480P' } }, 400, 'InvalidParameter', /resolution/],
      [{ model: 'wan2.6-i2v', input: {}, parameters: {} }, 400, 'InvalidParameter', /img_url/],
      [{ model: 'wan2.2-t2v-plus', input: { prompt: 'x', audio_url: 'https://example.com/a.mp3' } }, 400, 'InvalidParameter', /audio_url/],
      [{ model: 'wan2.6-t2v', input: {} }, 400, 'InvalidParameter', /prompt/],
      [{ model: 'wan2.6-r2v', input: { prompt: 'x' } }, 400, 'InvalidParameter', /reference_urls/],
      [{ model: 'wan2.6-r2v', input: { prompt: 'character1 waves', reference_urls: ['https://example.com/a.mp4'] }, parameters: { audio: false } }, 400, 'InvalidParameter', /audio only/],
      [{ model: 'wan2.6-t2v', input: { prompt: 'x' }, parameters: { seed: -1 } }, 400, 'InvalidParameter', /seed/],
      [{ model: 'wan9-t2v', input: { prompt: 'x' } }, 404, 'ModelNotFound', /wan9/],
      [{ model: 'wan2.6-t2v', input: { prompt: 'no [sim:policy]' } }, 400, 'DataInspectionFailed', /inappropriate/],
      [{ model: 'wan2.6-t2v', input: { prompt: 'busy [sim:429]' } }, 429, 'Throttling.RateQuota', /rate limit/],
    ];
    const before = sim.stats.creates;
    for (const [body, status, code, message] of cases) {
      const res = await create(body);
      assert.equal(res.status, status, JSON.stringify(body).slice(0, 100) + JSON.stringify(res.json));
      assert.equal(res.json.code, code);
      assert.match(res.json.message, message);
      assert.equal(typeof res.json.request_id, 'string');
    }
    assert.equal((await create({ model: 'wan2.2-kf2v-flash', input: { first_frame_url: red, last_frame_url: blue } })).json.code, 'InvalidParameter', 'kf2v only on image2video');
    assert.equal(sim.stats.creates, before);
  });

  it('auth: 401 InvalidApiKey for a missing or wrong key', async () => {
    const missing = await call('GET', '/api/v1/tasks/x', undefined, { authorization: null });
    assert.deepEqual([missing.status, missing.json.code, missing.json.message], [401, 'InvalidApiKey', 'No API-key provided.']);
    const wrong = await call('GET', '/api/v1/tasks/x', undefined, { authorization: 'Bearer sk-nope' });
    assert.deepEqual([wrong.status, wrong.json.message], [401, 'Invalid API-key provided.']);
  });

  it('UNKNOWN for ids it never issued (HTTP 200); cancel only while PENDING; FAILED carries output.code', async () => {
    const unknown = await call('GET', '/api/v1/tasks/0385dc79-5ff8-4d82-bcb6-5d0a6c1e2b77');
    assert.deepEqual([unknown.status, unknown.json.output.task_status], [200, 'UNKNOWN']);

    const pending = await create({ model: 'wan2.6-t2v', input: { prompt: 'cancel me [sim:hang]' }, parameters: { size: '1280*720' } });
    const cancelled = await call('POST', `/api/v1/tasks/${pending.json.output.task_id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal((await untilDone(pending.json.output.task_id)).output.task_status, 'CANCELED');
    const again = await call('POST', `/api/v1/tasks/${pending.json.output.task_id}/cancel`);
    // Model Studio "Asynchronous task management" error table: the refusal of any non-PENDING task.
    assert.deepEqual([again.status, again.json.code, again.json.message], [400, 'UnsupportedOperation', 'Failed to cancel the task, please confirm if the task is in PENDING status.']);

    const failed = await untilDone((await create({ model: 'wan2.6-t2v', input: { prompt: 'bad [sim:policy-output]' }, parameters: { size: '1280*720', duration: 2 } })).json.output.task_id);
    assert.deepEqual([failed.output.task_status, failed.output.code], ['FAILED', 'DataInspectionFailed']);
    sim.faults.failNextJob({ code: 'InternalError.Algo' });
    const failed2 = await untilDone((await create({ model: 'wan2.6-t2v', input: { prompt: 'plain' }, parameters: { size: '1280*720', duration: 2 } })).json.output.task_id);
    assert.equal(failed2.output.code, 'InternalError.Algo');
  });

  it('fault controls: 429 with Retry-After, 5xx, any error envelope, once-markers', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 6 });
    const rate = await create({ model: 'wan2.6-t2v', input: { prompt: 'x' } });
    assert.deepEqual([rate.status, rate.headers.get('retry-after'), rate.json.code], [429, '6', 'Throttling.RateQuota']);
    sim.faults.serverErrorNext(1, { status: 500, only: 'poll' });
    assert.deepEqual([(await call('GET', '/api/v1/tasks/x')).status], [500]);
    sim.faults.errorNext(1, { status: 400, code: 'Arrearage', message: 'Access denied, please make sure your account is in good standing.' });
    assert.equal((await create({ model: 'wan2.6-t2v', input: { prompt: 'x' } })).json.code, 'Arrearage');
    const once = { model: 'wan2.6-t2v', input: { prompt: 'again [sim:503-once]' }, parameters: { size: '1280*720', duration: 2 } };
    assert.equal((await create(once)).status, 503);
    assert.equal((await create(once)).status, 200);
  });
});
