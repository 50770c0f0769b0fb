/**
 * The Vidu simulator against fixtures transcribed from spec providers-2 §4 (no official npm client
 * exists): the documented request examples must be accepted and answered in the documented shapes,
 * and the documented rules, states and error envelopes must hold.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startViduSimulator, type ViduSimulator } from '../../src/sandbox/vidu/index.js';
import { colorAt, isBluish, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

const KEY = 'vda_test_key_0123456789abcdef';
type Json = Record<string, any>;

/** §4.4 examples, verbatim. */
const DOC_EXAMPLES: Array<[string, Json]> = [
  [
    'img2video',
    {
      model: 'viduq2-pro',
      images: ['https://cdn.example.com/astronaut.png'],
      prompt: 'The astronaut waves as the camera tilts up',
      duration: 5,
      resolution: '1080p',
      movement_amplitude: 'auto',
      audio: false,
      payload: 'gw-91b2',
    },
  ],
  [
    'start-end2video',
    { model: 'viduq2-turbo', images: ['https://cdn.example.com/first.jpg', 'https://cdn.example.com/last.jpg'], prompt: 'The bird takes off and soars right', duration: 5, resolution: '720p', bgm: false },
  ],
  ['text2video', { model: 'viduq2', prompt: 'An astronaut walks through golden fog, minimalist', duration: 8, aspect_ratio: '4:3', resolution: '540p', bgm: true }],
  [
    'reference2video',
    { model: 'viduq2', images: ['https://cdn.example.com/santa.png', 'https://cdn.example.com/bear.png'], prompt: 'Santa Claus and the bear hug by the lake', duration: 5, aspect_ratio: '16:9', resolution: '720p' },
  ],
];

/** §4.5 create answer and §4.6 query answer: the documented keys. */
const CREATE_KEYS_IMG2VIDEO = ['task_id', 'state', 'model', 'prompt', 'images', 'duration', 'seed', 'resolution', 'movement_amplitude', 'payload', 'off_peak', 'credits', 'watermark', 'created_at'];
const QUERY_KEYS = ['id', 'state', 'err_code', 'credits', 'payload', 'bgm', 'off_peak', 'creations'];
const STATES = ['created', 'queueing', 'processing', 'success', 'failed'];

let sim: ViduSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let red: string;
let blue: string;

async function api(method: string, path: string, opts: { body?: unknown; auth?: string | null } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = opts.auth === undefined ? `Token ${KEY}` : opts.auth;
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Json };
}

const create = (endpoint: string, body: unknown, auth?: string | null) => api('POST', `/${endpoint}`, { body, auth });

function assertViduError(res: { status: number; json: Json }, status: number, reason: string, message?: RegExp) {
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.equal(res.json.reason, reason);
  assert.equal(res.json.code, reason);
  assert.equal(typeof res.json.message, 'string');
  assert.match(res.json.metadata?.trace_id ?? '', /^[0-9a-f]{32}$/);
  if (message) assert.match(res.json.message, message);
}

async function pollUntilTerminal(id: string, seen: Set<string> = new Set(), timeoutMs = 30_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, json } = await api('GET', `/tasks/${id}/creations`);
    assert.equal(status, 200, JSON.stringify(json));
    assert.ok(STATES.includes(json.state), json.state);
    seen.add(json.state);
    if (json.state === 'success' || json.state === 'failed') return json;
    if (Date.now() > deadline) throw new Error(`task ${id} not terminal in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidu-sim-'));
  sim = await startViduSimulator({ apiKey: KEY, workDir: join(dir, 'sim'), speed: 50 });
  red = `data:image/png;base64,${(await solidImage(dir, 'red', 'red.png', '320x240')).toString('base64')}`;
  blue = `data:image/png;base64,${(await solidImage(dir, 'blue', 'blue.png', '320x240')).toString('base64')}`;
});
after(async () => {
  await sim.close();
  await cleanup();
});
beforeEach(() => sim.faults.reset());

describe('Vidu simulator: auth (§4.1)', () => {
  it('requires "Authorization: Token <key>": missing, Bearer or wrong key → 401 Unauthorized', async () => {
    const body = DOC_EXAMPLES[2][1];
    const before = sim.stats.creates;
    assertViduError(await create('text2video', body, null), 401, 'Unauthorized');
    assertViduError(await create('text2video', body, `Bearer ${KEY}`), 401, 'Unauthorized');
    assertViduError(await create('text2video', body, 'Token wrong-key'), 401, 'Unauthorized');
    assertViduError(await api('GET', '/tasks/1/creations', { auth: `Bearer ${KEY}` }), 401, 'Unauthorized');
    assert.equal(sim.stats.creates, before);
  });
});

describe('Vidu simulator: the documented examples (§4.4, §4.5)', () => {
  for (const [endpoint, body] of DOC_EXAMPLES) {
    it(`accepts the ${body.model} ${endpoint} example and echoes it`, async () => {
      sim.faults.hangNextJob(); // the answer shape is the point here; no render needed
      const res = await create(endpoint, body);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const j = res.json;
      assert.match(j.task_id, /^\d{18}$/);
      assert.equal(j.state, 'created');
      assert.equal(typeof j.credits, 'number');
      assert.match(j.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      for (const [k, v] of Object.entries(body)) assert.deepEqual(j[k], v, k);
      if (endpoint === 'img2video')
        assert.deepEqual(
          Object.keys(j)
            .filter((k) => k !== 'audio')
            .sort(),
          [...CREATE_KEYS_IMG2VIDEO].sort(),
        );
      // aspect_ratio only where the endpoint takes it.
      assert.equal('aspect_ratio' in j, endpoint === 'text2video' || endpoint === 'reference2video');
      const q = await api('GET', `/tasks/${j.task_id}/creations`);
      assert.equal(q.status, 200);
      assert.deepEqual(Object.keys(q.json).sort(), [...QUERY_KEYS].sort());
      assert.equal(q.json.id, j.task_id);
      assert.equal(q.json.payload, body.payload ?? '');
      assert.deepEqual(q.json.creations, []);
    });
  }
});

describe('Vidu simulator: a task end to end (§4.6)', () => {
  it('goes created → queueing → processing → success; creations[0].url serves an MP4 using both frames', async () => {
    const res = await create('start-end2video', { model: 'viduq2-turbo', images: [red, blue], prompt: 'red to blue', duration: 2, resolution: '720p', payload: 'p-1' });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const seen = new Set<string>();
    const downloadsBefore = sim.stats.downloads;
    const done = await pollUntilTerminal(res.json.task_id, seen);
    assert.equal(done.state, 'success', JSON.stringify(done));
    assert.ok(seen.has('processing'), [...seen].join());
    assert.equal(done.err_code, '');
    assert.equal(done.payload, 'p-1');
    assert.equal(done.creations.length, 1);
    const c = done.creations[0];
    assert.match(c.id, /^\d{18}$/);
    assert.equal(c.watermarked_url, '');
    // The signed URL needs no Token (it is a CDN link); a tampered signature is refused.
    const video = await fetch(c.url);
    assert.equal(video.status, 200);
    assert.equal(video.headers.get('content-type'), 'video/mp4');
    const file = join(dir, 'se.mp4');
    await writeFile(file, Buffer.from(await video.arrayBuffer()));
    assert.equal(sim.stats.downloads, downloadsBefore + 1);
    assert.equal((await fetch(c.url.replace(/signature=[0-9a-f]/, 'signature=x'))).status, 403);
    const cover = await fetch(c.cover_url);
    assert.equal(cover.status, 200);
    assert.equal(cover.headers.get('content-type'), 'image/jpeg');

    const p = await probe(file);
    assert.ok(Math.abs(p.duration - 2) < 0.2, String(p.duration));
    // 320x240 inputs (4:3) at 720p → 960x720: image flows take the image's shape.
    assert.deepEqual([p.video?.width, p.video?.height], [960, 720]);
    assert.equal(p.audio, undefined, 'Q2 start-end has no audio');
    assert.ok(isReddish(await colorAt(file, 0.1)), 'first frame is the start image');
    assert.ok(isBluish(await colorAt(file, 1.9)), 'last frame is the end image');
  });

  it('unknown task id → 404 TaskNotFound', async () => {
    assertViduError(await api('GET', '/tasks/123456789012345678/creations'), 404, 'TaskNotFound');
    assertViduError(await api('GET', '/tasks/%E0%A4%A/creations'), 404, 'TaskNotFound');
  });
});

describe('Vidu simulator: validation (§4.3, §4.4) answers 400 before creating anything', () => {
  const img = 'https://cdn.example.com/a.png';
  const cases: Array<[string, string, Json, string, RegExp]> = [
    ['q2 duration 11', 'text2video', { model: 'viduq2', prompt: 'x', duration: 11 }, 'FieldInvalid', /invalid field: duration/],
    ['q2 start-end duration 9', 'start-end2video', { model: 'viduq2-pro', images: [img, img], duration: 9 }, 'FieldInvalid', /duration/],
    ['q3 duration 17', 'text2video', { model: 'viduq3-pro', prompt: 'x', duration: 17 }, 'FieldInvalid', /duration/],
    ['duration as a string', 'text2video', { model: 'viduq2', prompt: 'x', duration: '5' }, 'FieldInvalid', /duration/],
    ['upper-case resolution', 'text2video', { model: 'viduq2', prompt: 'x', resolution: '720P' }, 'FieldInvalid', /resolution/],
    ['540p on pro-fast', 'img2video', { model: 'viduq2-pro-fast', images: [img], resolution: '540p' }, 'FieldInvalid', /resolution/],
    ['21:9', 'text2video', { model: 'viduq2', prompt: 'x', aspect_ratio: '21:9' }, 'FieldInvalid', /aspect_ratio/],
    ['aspect_ratio on img2video', 'img2video', { model: 'viduq2-pro', images: [img], aspect_ratio: '16:9' }, 'FieldUnwanted', /aspect_ratio/],
    ['two images on img2video', 'img2video', { model: 'viduq2-pro', images: [img, img] }, 'FieldItemCountOutOfRange', /images/],
    ['one image on start-end', 'start-end2video', { model: 'viduq2-pro', images: [img] }, 'FieldItemCountOutOfRange', /images/],
    ['eight references', 'reference2video', { model: 'viduq2', prompt: 'x', images: Array(8).fill(img) }, 'FieldItemCountOutOfRange', /images/],
    ['no prompt on text2video', 'text2video', { model: 'viduq2' }, 'FieldLacking', /prompt/],
    ['no images on img2video', 'img2video', { model: 'viduq2-pro' }, 'FieldLacking', /images/],
    ['no model', 'text2video', { prompt: 'x' }, 'FieldLacking', /model/],
    ['model not on this endpoint', 'img2video', { model: 'viduq2', images: [img] }, 'FieldInvalid', /model/],
    ['unknown model', 'text2video', { model: 'viduq9', prompt: 'x' }, 'FieldInvalid', /model/],
    ['q2 prompt over 2000', 'text2video', { model: 'viduq2', prompt: 'x'.repeat(2001) }, 'FieldInvalid', /prompt/],
    ['raw base64 without prefix', 'img2video', { model: 'viduq2-pro', images: ['iVBORw0KGgo='] }, 'ImageFormatInvalid', /data:image/],
    ['audio on q2 text2video', 'text2video', { model: 'viduq2', prompt: 'x', audio: true }, 'FieldUnwanted', /audio/],
    ['subjects on viduq2-pro (non-subject mode only)', 'reference2video', { model: 'viduq2-pro', prompt: 'x', subjects: [{ id: '1', images: [img] }] }, 'FieldUnwanted', /non-subject/],
    ['audio on viduq2-pro reference2video', 'reference2video', { model: 'viduq2-pro', prompt: 'x', images: [img], audio: true }, 'FieldUnwanted', /audio/],
    ['audio with off_peak', 'img2video', { model: 'viduq2-pro', images: [img], audio: true, off_peak: true }, 'FieldInvalid', /off_peak/],
  ];
  for (const [name, endpoint, body, reason, message] of cases) {
    it(name, async () => {
      const before = sim.stats.creates;
      assertViduError(await create(endpoint, body), 400, reason, message);
      assert.equal(sim.stats.creates, before);
    });
  }

  it('image checks at create: unreadable data, extreme ratio, start/end of different sizes', async () => {
    assertViduError(await create('img2video', { model: 'viduq2-pro', images: ['data:image/png;base64,AAAA'] }), 400, 'ImageFormatInvalid');
    const tall = `data:image/png;base64,${(await solidImage(dir, 'green', 'tall.png', '100x500')).toString('base64')}`;
    assertViduError(await create('img2video', { model: 'viduq2-pro', images: [tall] }), 400, 'PageSizeOutOfRange');
    const big = `data:image/png;base64,${(await solidImage(dir, 'green', 'big.png', '640x480')).toString('base64')}`;
    assertViduError(await create('start-end2video', { model: 'viduq2-pro', images: [red, big] }), 400, 'FieldInvalid', /similar resolutions/);
  });

  it('a q3 prompt may be 5000 characters', async () => {
    sim.faults.hangNextJob();
    const res = await create('text2video', { model: 'viduq3-turbo', prompt: 'y'.repeat(5000), duration: 1 });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.audio, true, 'Q3 audio defaults to true');
  });
});

describe('Vidu simulator: faults and markers', () => {
  const body = { model: 'viduq2', prompt: 'faults', duration: 1, resolution: '720p' };

  it('rateLimitNext → 429 QuotaExceeded with Retry-After; serverErrorNext → 500/503', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 3 });
    const r = await create('text2video', body);
    assertViduError(r, 429, 'QuotaExceeded');
    assert.equal(r.headers.get('retry-after'), '3');
    sim.faults.serverErrorNext(1);
    assertViduError(await create('text2video', body), 500, 'InternalServiceFailure');
    sim.faults.serverErrorNext(1, { status: 503, only: 'poll' });
    assertViduError(await api('GET', '/tasks/1/creations'), 503, 'ServiceUnavailable');
  });

  it('concurrency limit → 429 QuotaExceeded once the account has that many unfinished tasks', async () => {
    sim.faults.setConcurrencyLimit(0);
    assertViduError(await create('text2video', body), 429, 'QuotaExceeded');
  });

  it('[sim:429] always, [sim:429-once] and [sim:503-once] only the first time', async () => {
    assertViduError(await create('text2video', { ...body, prompt: 'a [sim:429]' }), 429, 'QuotaExceeded');
    assertViduError(await create('text2video', { ...body, prompt: 'a [sim:429]' }), 429, 'QuotaExceeded');
    assertViduError(await create('text2video', { ...body, prompt: 'b [sim:429-once] [sim:hang]' }), 429, 'QuotaExceeded');
    assert.equal((await create('text2video', { ...body, prompt: 'b [sim:429-once] [sim:hang]' })).status, 200);
    assertViduError(await create('text2video', { ...body, prompt: 'c [sim:503-once] [sim:hang]' }), 503, 'ServiceUnavailable');
    assert.equal((await create('text2video', { ...body, prompt: 'c [sim:503-once] [sim:hang]' })).status, 200);
  });

  it('create-time refusals: [sim:policy-prompt] → TaskPromptPolicyViolation, [sim:credits] / creditsExhaustedNext → CreditInsufficient', async () => {
    assertViduError(await create('text2video', { ...body, prompt: 'x [sim:policy-prompt]' }), 400, 'TaskPromptPolicyViolation');
    assertViduError(await create('text2video', { ...body, prompt: 'x [sim:credits]' }), 400, 'CreditInsufficient');
    sim.faults.creditsExhaustedNext(1);
    assertViduError(await create('text2video', body), 400, 'CreditInsufficient');
  });

  it('[sim:fail] → failed InternalServiceFailure; [sim:policy] → failed CreationPolicyViolation; failNextJob(code)', async () => {
    const a = await create('text2video', { ...body, prompt: 'boom [sim:fail]' });
    const b = await create('text2video', { ...body, prompt: 'nope [sim:policy]' });
    sim.faults.failNextJob('ModelUnavailable');
    const c = await create('text2video', { ...body, prompt: 'fault queue' });
    const [da, db, dc] = await Promise.all([a, b, c].map((r) => pollUntilTerminal(r.json.task_id)));
    assert.deepEqual([da.state, da.err_code, da.creations], ['failed', 'InternalServiceFailure', []]);
    assert.deepEqual([db.state, db.err_code], ['failed', 'CreationPolicyViolation']);
    assert.deepEqual([dc.state, dc.err_code], ['failed', 'ModelUnavailable']);
  });

  it('[sim:hang] stays processing; latency delays answers; stats count polls', async () => {
    const r = await create('text2video', { ...body, prompt: 'forever [sim:hang]' });
    const pollsBefore = sim.stats.polls;
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal((await api('GET', `/tasks/${r.json.task_id}/creations`)).json.state, 'processing');
    assert.equal(sim.stats.polls, pollsBefore + 1);
    sim.faults.setLatency(300);
    const t = Date.now();
    await api('GET', `/tasks/${r.json.task_id}/creations`);
    assert.ok(Date.now() - t >= 280);
  });
});
