/**
 * The MiniMax simulator against fixtures transcribed from the spec's documented examples
 * (providers-2 §2.2–2.5): same fields, same types, same status vocabulary, same error envelope.
 * No official npm client exists for Hailuo video, so these fixtures are the fidelity check.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startMinimaxSimulator, type MinimaxSimulator } from '../../src/sandbox/minimax/index.js';
import { colorAt, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

const KEY = 'sk-api-minimax-test-key-0123456789';

/** Documented example bodies (spec §2.2–2.4). */
const FIXTURES = {
  createOk: { task_id: '106916112212032', base_resp: { status_code: 0, status_msg: 'success' } },
  createError: { task_id: '', base_resp: { status_code: 2013, status_msg: 'invalid params, duration 10 not supported at 1080P' } },
  querySuccess: { task_id: '106916112212032', status: 'Success', file_id: '205258526306433', video_width: 1366, video_height: 768, base_resp: { status_code: 0, status_msg: 'success' } },
  retrieve: {
    file: { file_id: 205258526306433, bytes: 5896337, created_at: 1700469398, filename: 'output_aigc.mp4', purpose: 'video_generation', download_url: 'https://cdn.minimax.io/x.mp4?sig' },
    base_resp: { status_code: 0, status_msg: 'success' },
  },
};
const STATUSES = ['Preparing', 'Queueing', 'Processing', 'Success', 'Fail'];

/** Every field of the fixture is present with the same JSON type (recursively). */
function assertShape(actual: unknown, fixture: unknown, path = '$'): void {
  if (fixture === null || typeof fixture !== 'object') {
    assert.equal(typeof actual, typeof fixture, `${path}: ${JSON.stringify(actual)} vs fixture ${JSON.stringify(fixture)}`);
    return;
  }
  assert.ok(actual && typeof actual === 'object', `${path} must be an object`);
  for (const [k, v] of Object.entries(fixture)) assertShape((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
}

let sim: MinimaxSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let redDataUrl: string;
let tinyDataUrl: string;

type Json = Record<string, any>;

async function call(method: 'GET' | 'POST', path: string, body?: unknown, key: string | null = KEY) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
}
const create = (body: unknown, key?: string | null) => call('POST', '/v1/video_generation', body, key);
const query = (taskId: string) => call('GET', `/v1/query/video_generation?task_id=${taskId}`);

async function untilDone(taskId: string, seen: string[] = []): Promise<Json> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { status, json } = await query(taskId);
    assert.equal(status, 200);
    if (seen[seen.length - 1] !== json.status) seen.push(json.status);
    if (json.status === 'Success' || json.status === 'Fail') return json;
    assert.ok(Date.now() < deadline, `task ${taskId} not done`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-minimax-sim-'));
  sim = await startMinimaxSimulator({ apiKey: KEY, speed: 200, workDir: join(dir, 'work') });
  redDataUrl = `data:image/png;base64,${(await solidImage(dir, 'red', 'red.png', '640x360')).toString('base64')}`;
  tinyDataUrl = `data:image/png;base64,${(await solidImage(dir, 'red', 'tiny.png', '200x200')).toString('base64')}`;
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('MiniMax simulator: documented answers', () => {
  it('text-to-video: create → Preparing/Queueing/Processing → Success → retrieve → a silent 1366x768 MP4', async () => {
    const created = await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'A lighthouse in a storm [Push in]', duration: 6, resolution: '768P' });
    assert.equal(created.status, 200);
    assertShape(created.json, FIXTURES.createOk);
    assert.match(created.json.task_id, /^\d+$/);

    const seen: string[] = [];
    const done = await untilDone(created.json.task_id, seen);
    assertShape(done, FIXTURES.querySuccess);
    assert.ok(
      seen.every((s) => STATUSES.includes(s)),
      seen.join(','),
    );
    assert.deepEqual(
      seen.filter((s, i) => STATUSES.indexOf(s) < STATUSES.indexOf(seen[i - 1] ?? 'Preparing')),
      [],
      'statuses only move forward',
    );
    assert.deepEqual([done.video_width, done.video_height], [1366, 768]);

    const retrieved = await call('GET', `/v1/files/retrieve?file_id=${done.file_id}`);
    assertShape(retrieved.json, FIXTURES.retrieve);
    assert.equal(String(retrieved.json.file.file_id), done.file_id, 'a number here, a string in the query');
    const video = await fetch(retrieved.json.file.download_url); // pre-signed: no key
    assert.equal(video.status, 200);
    const bytes = Buffer.from(await video.arrayBuffer());
    assert.equal(bytes.length, retrieved.json.file.bytes);
    const path = join(dir, 't2v.mp4');
    await writeFile(path, bytes);
    const p = await probe(path);
    assert.ok(Math.abs(p.duration - 6) < 0.2, `duration ${p.duration}`);
    assert.deepEqual([p.video?.width, p.video?.height], [1366, 768]);
    assert.equal(p.audio, undefined, 'Hailuo v1 output is silent');
    assert.ok(sim.stats.retrieves >= 1 && sim.stats.downloads >= 1);
  });

  it('image-to-video at 1080P follows the first frame (data URL) and starts on it', async () => {
    const created = await create({ model: 'MiniMax-Hailuo-2.3-Fast', first_frame_image: redDataUrl, duration: 6, resolution: '1080P' });
    assertShape(created.json, FIXTURES.createOk);
    const done = await untilDone(created.json.task_id);
    assert.equal(done.status, 'Success');
    assert.deepEqual([done.video_width, done.video_height], [1920, 1080]);
    const retrieved = await call('GET', `/v1/files/retrieve?file_id=${done.file_id}`);
    const path = join(dir, 'i2v.mp4');
    await writeFile(path, Buffer.from(await (await fetch(retrieved.json.file.download_url)).arrayBuffer()));
    assert.ok(isReddish(await colorAt(path, 0.1)), 'the first frame is the red image');
  });

  it('first & last frame: a last frame alone is accepted by Hailuo-02 (the official FL2V schema requires only model and last_frame_image)', async () => {
    // platform.minimax.io/docs/api-reference/video-generation-fl2v: required [model, last_frame_image];
    // first_frame_image and prompt are optional. The video ends on the last frame.
    const created = await create({ model: 'MiniMax-Hailuo-02', last_frame_image: redDataUrl, duration: 6, resolution: '768P' });
    assert.equal(created.json.base_resp.status_code, 0, JSON.stringify(created.json));
    const done = await untilDone(created.json.task_id);
    assert.equal(done.status, 'Success');
    assert.equal(done.video_height, 768);
    const retrieved = await call('GET', `/v1/files/retrieve?file_id=${done.file_id}`);
    const path = join(dir, 'fl2v-last-only.mp4');
    await writeFile(path, Buffer.from(await (await fetch(retrieved.json.file.download_url)).arrayBuffer()));
    assert.ok(isReddish(await colorAt(path, 5.9)), 'the video ends on the red last frame');
    // Still FL2V rules: Hailuo-02 only, no 512P.
    assert.match((await create({ model: 'MiniMax-Hailuo-2.3', last_frame_image: redDataUrl })).json.base_resp.status_msg, /last_frame_image is not supported/);
    assert.equal((await create({ model: 'MiniMax-Hailuo-02', last_frame_image: redDataUrl, resolution: '512P' })).json.base_resp.status_code, 2013);
  });

  it('the 01 series (T2V-01, T2V-01-Director, I2V-01, I2V-01-Director, I2V-01-live): 720P and 6 s only, one mode each', async () => {
    // t2v/i2v pages: resolution "Other models: 720P (default) for 6s, 10s not supported"; enums per mode.
    const t2v = await create({ model: 'T2V-01-Director', prompt: 'A kite over a beach [Truck left]' });
    assert.equal(t2v.json.base_resp.status_code, 0, JSON.stringify(t2v.json));
    const t2vDone = await untilDone(t2v.json.task_id);
    assert.deepEqual([t2vDone.status, t2vDone.video_width, t2vDone.video_height], ['Success', 1280, 720], 'default 720P, 16:9');
    const i2v = await create({ model: 'I2V-01-live', first_frame_image: redDataUrl, duration: 6, resolution: '720P' });
    assert.equal(i2v.json.base_resp.status_code, 0, JSON.stringify(i2v.json));
    assert.equal((await untilDone(i2v.json.task_id)).video_height, 720);
    const refused: [unknown, RegExp][] = [
      [{ model: 'T2V-01', prompt: 'x', resolution: '768P' }, /resolution/],
      [{ model: 'T2V-01', prompt: 'x', resolution: '1080P' }, /resolution/],
      [{ model: 'T2V-01', prompt: 'x', duration: 10 }, /duration/],
      [{ model: 'T2V-01', first_frame_image: redDataUrl, prompt: 'x' }, /first_frame_image is not supported/],
      [{ model: 'I2V-01', prompt: 'x' }, /only supports image-to-video/],
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'x', resolution: '720P' }, /resolution/],
    ];
    for (const [body, message] of refused) {
      const res = await create(body);
      assert.equal(res.json.base_resp.status_code, 2013, JSON.stringify(body));
      assert.match(res.json.base_resp.status_msg, message);
    }
  });

  it('errors come on HTTP 200 with base_resp (documented envelope)', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'x', duration: 10, resolution: '1080P' }, 2013, /duration 10 not supported at 1080P/],
      [{ model: 'MiniMax-Hailuo-2.3-Fast', prompt: 'x' }, 2013, /only supports image-to-video/],
      [{ model: 'MiniMax-Hailuo-9', prompt: 'x' }, 2013, /not supported/],
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'x', duration: '6' }, 2013, /duration/],
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'x', resolution: '768p' }, 2013, /resolution/],
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'x', resolution: '512P' }, 2013, /resolution/],
      [{ model: 'MiniMax-Hailuo-02', prompt: 'x', resolution: '512P' }, 2013, /512P is only supported for image-to-video/],
      [{ model: 'MiniMax-Hailuo-2.3', first_frame_image: redDataUrl, last_frame_image: redDataUrl }, 2013, /last_frame_image is not supported/],
      [{ model: 'MiniMax-Hailuo-2.3', first_frame_image: tinyDataUrl }, 2013, /short side/],
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'x'.repeat(2001) }, 2013, /2000/],
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'filtered [sim:policy]' }, 1026, /sensitive/],
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'broke [sim:balance]' }, 1008, /insufficient balance/],
      [{ model: 'MiniMax-Hailuo-2.3', prompt: 'busy [sim:429]' }, 1002, /rate limit/],
    ];
    const before = sim.stats.creates;
    for (const [body, code, message] of cases) {
      const res = await create(body);
      assert.equal(res.status, 200, JSON.stringify(body).slice(0, 80));
      assertShape(res.json, FIXTURES.createError);
      assert.equal(res.json.base_resp.status_code, code, JSON.stringify(res.json));
      assert.match(res.json.base_resp.status_msg, message);
    }
    assert.equal(sim.stats.creates, before, 'nothing refused was created');
  });

  it('authentication: 1004 without a key, 2049 with a wrong one', async () => {
    assert.equal((await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'x' }, null)).json.base_resp.status_code, 1004);
    assert.equal((await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'x' }, 'sk-wrong')).json.base_resp.status_code, 2049);
    assert.equal((await call('GET', '/v1/query/video_generation?task_id=1', undefined, 'sk-wrong')).json.base_resp.status_code, 2049);
  });

  it('fault controls: edge 429 with Retry-After, 5xx, chosen base_resp codes, failed and hanging jobs', async () => {
    sim.faults.rateLimitNext(1, { http429: true, retryAfterSeconds: 9 });
    const edge = await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'x' });
    assert.deepEqual([edge.status, edge.headers.get('retry-after'), edge.json.base_resp.status_code], [429, '9', 1002]);
    sim.faults.serverErrorNext(1, { status: 503 });
    assert.equal((await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'x' })).status, 503);
    sim.faults.errorCodeNext(1, 1004, { only: 'query' });
    assert.equal((await query('1')).json.base_resp.status_code, 1004);

    const once = 'retry me [sim:503-once]';
    assert.equal((await create({ model: 'MiniMax-Hailuo-2.3', prompt: once })).status, 503);
    assert.equal((await create({ model: 'MiniMax-Hailuo-2.3', prompt: once })).json.base_resp.status_code, 0);

    const policy = await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'dark [sim:policy-output]' });
    const failed = await untilDone(policy.json.task_id);
    assert.deepEqual([failed.status, failed.base_resp.status_code], ['Fail', 1027]);
    sim.faults.failNextJob();
    const other = await untilDone((await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'plain' })).json.task_id);
    assert.deepEqual([other.status, other.base_resp.status_code], ['Fail', 1000]);

    const hang = await create({ model: 'MiniMax-Hailuo-2.3', prompt: 'forever [sim:hang]' });
    await new Promise((r) => setTimeout(r, 800));
    assert.equal((await query(hang.json.task_id)).json.status, 'Processing');
  });

  it('unknown task or file ids, malformed file ids and tampered download links are refused', async () => {
    assert.equal((await query('999')).json.base_resp.status_code, 2013);
    assert.equal((await call('GET', '/v1/files/retrieve?file_id=%22123%22')).json.base_resp.status_code, 2013);
    assert.equal((await call('GET', '/v1/files/retrieve?file_id=123')).json.base_resp.status_code, 2013);
    assert.equal((await fetch(`${sim.baseUrl}/_sim/files/123.mp4?expires=1&signature=x`)).status, 403);
    assert.equal((await create('not json' as unknown)).json.base_resp.status_code, 2013);
  });
});
