/** The Seedance (ModelArk) simulator over HTTP: Ark's paths, auth, validation, lifecycle, cancel and faults. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSeedanceSimulator, type SeedanceSimulator } from '../../src/sandbox/seedance/index.js';
import { colorAt, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

const KEY = 'ark-test-key-0123456789abcdefghijklmn';
const S2 = 'dreamina-seedance-2-0-260128';
const S2_FAST = 'dreamina-seedance-2-0-fast-260128';
const S15 = 'seedance-1-5-pro-251215';

let sim: SeedanceSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let redPng: string;

const text = (t: string) => ({ type: 'text', text: t });
const img = (url: string, role?: string) => ({ type: 'image_url', image_url: { url }, ...(role ? { role } : {}) });
const vid = (url: string) => ({ type: 'video_url', video_url: { url }, role: 'reference_video' });
const aud = (url: string) => ({ type: 'audio_url', audio_url: { url }, role: 'reference_audio' });

async function api(method: string, path: string, body?: unknown, key: string | null = KEY): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

const create = (body: Record<string, unknown>) => api('POST', '/contents/generations/tasks', body);
const task = (id: string) => api('GET', `/contents/generations/tasks/${id}`);

async function waitFor(id: string, statuses: string[], timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  const seen: string[] = [];
  for (;;) {
    const { json } = await task(id);
    if (seen.at(-1) !== json.status) seen.push(json.status);
    if (statuses.includes(json.status)) return { ...json, seen };
    if (Date.now() > deadline) throw new Error(`task ${id} stuck in ${json.status}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

async function download(url: string, name: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  const path = join(dir, name);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-seedance-sim-'));
  sim = await startSeedanceSimulator({ apiKey: KEY, workDir: join(dir, 'sim'), speed: 40 });
  redPng = `data:image/png;base64,${(await solidImage(dir, 'red', 'red.png', '640x360')).toString('base64')}`;
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('Seedance simulator', () => {
  it('needs the bearer key, with Ark error bodies', async () => {
    for (const key of [null, 'wrong']) {
      const r = await api('POST', '/contents/generations/tasks', { model: S2, content: [text('x')] }, key);
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'AuthenticationError');
      assert.equal(r.json.error.type, 'Unauthorized');
      assert.match(r.json.error.message, /Request id: /);
    }
    assert.equal((await api('GET', '/nope')).status, 404);
  });

  it('refuses invalid requests with 400 InvalidParameter naming the parameter', async () => {
    const before = sim.stats.creates;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ model: S2, content: [text('x'), img('https://example.com/a.png', 'first_frame'), img('https://example.com/b.png', 'reference_image')] }, 'content.role', /cannot be mixed/],
      [{ model: S2, content: [text('x'), img('https://example.com/a.png', 'reference_image'), vid('https://example.com/v.mp4'), img('https://example.com/c.png', 'last_frame')] }, 'content.role', /.+/],
      [{ model: S2, content: [text('x'), img('https://example.com/b.png', 'last_frame')] }, 'content.role', /needs a first_frame/],
      [{ model: S2, content: [text('x'), img('https://example.com/a.png'), img('https://example.com/b.png')] }, 'content.role', /role is required/],
      [{ model: S15, content: [text('x'), img('https://example.com/a.png', 'reference_image')] }, 'content.role', /does not support reference/],
      [{ model: S2, content: [text('x'), img('https://example.com/a.png', 'reference_image'), ...Array(4).fill(vid('https://example.com/v.mp4'))] }, 'content', /at most 3 reference videos/],
      [{ model: S2, content: [text('x'), aud('https://example.com/a.mp3')] }, 'content', /needs at least one reference image or video/],
      [{ model: S2, content: [text('x'), { type: 'video_url', video_url: { url: 'data:video/mp4;base64,AAAA' } }] }, 'content.video_url.url', /base64 is not supported/],
      [{ model: S2, content: [text('x')], ratio: '5:4' }, 'ratio', /supported values/],
      [{ model: S2, content: [text('x')], duration: 16 }, 'duration', /4–15/],
      [{ model: S15, content: [text('x')], duration: 13 }, 'duration', /4–12/],
      [{ model: S2_FAST, content: [text('x')], resolution: '1080p' }, 'resolution', /480p, 720p/],
      [{ model: S2, content: [text('x')], camera_fixed: true }, 'camera_fixed', /not supported/],
      [{ model: S2, content: [text('x')], service_tier: 'flex' }, 'service_tier', /not supported by/],
      [{ model: S2, content: [text('x')], execution_expires_after: 3600 }, 'execution_expires_after', /not supported by/],
      [{ model: 'seedance-1-5-pro-251215', content: [text('x')], draft: true, resolution: '720p' }, 'resolution', /480p only/],
      [{ model: S2, content: [text('x')], seed: -2 }, 'seed', /\[-1,/],
      [{ model: S2, content: [text('x')], frames: 121 }, 'frames', /not supported/],
      [{ model: S2, content: [text('x'), img('https://example.com/a.png')], watermark: 'no' }, 'watermark', /boolean/],
    ];
    for (const [body, param, message] of cases) {
      const r = await create(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.code, 'InvalidParameter', JSON.stringify(r.json));
      assert.equal(r.json.error.param, param, JSON.stringify(r.json));
      assert.equal(r.json.error.type, 'BadRequest');
      assert.match(r.json.error.message, message);
    }
    assert.equal((await create({ content: [text('x')] })).json.error.code, 'MissingParameter');
    assert.equal((await create({ model: S2, content: [] })).json.error.code, 'MissingParameter');
    const unknown = await create({ model: 'seedance-9', content: [text('x')] });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'InvalidEndpointOrModel.NotFound');
    assert.equal(sim.stats.creates, before, 'no task was created');
  });

  it('refuses images outside Ark limits (aspect 0.4–2.5, sides 300–6000 px)', async () => {
    const thin = `data:image/png;base64,${(await solidImage(dir, 'blue', 'thin.png', '1200x320')).toString('base64')}`;
    const r = await create({ model: S2, content: [text('x'), img(thin)] });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /1200x320/);
  });

  it('runs queued → running → succeeded and serves an MP4 that starts on the first frame', async () => {
    const r = await create({ model: S15, content: [text('Red kite'), img(redPng)], duration: 4, resolution: '480p', generate_audio: true, return_last_frame: true, seed: 7 });
    assert.equal(r.status, 200);
    assert.match(r.json.id, /^cgt-\d{14}-[a-z0-9]+$/);
    const done = await waitFor(r.json.id, ['succeeded', 'failed']);
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    assert.deepEqual(done.seen.slice(0, 1), ['queued']);
    assert.ok(done.seen.includes('running'));
    assert.deepEqual([done.model, done.ratio, done.resolution, done.duration, done.seed, done.generate_audio, done.error], [S15, '16:9', '480p', 4, 7, true, null]);
    assert.equal(done.usage.total_tokens, done.usage.completion_tokens);
    assert.ok(done.usage.total_tokens > 0);
    assert.ok(done.created_at <= done.updated_at);
    const file = await download(done.content.video_url, 'i2v.mp4');
    const p = await probe(file);
    assert.deepEqual([p.video?.width, p.video?.height, Boolean(p.audio)], [854, 480, true]);
    assert.ok(Math.abs(p.duration - 4) < 0.2);
    assert.ok(isReddish(await colorAt(file, 0.1)), 'the first frame is the input image');
    const frame = await fetch(done.content.last_frame_url);
    assert.equal(frame.headers.get('content-type'), 'image/png');
    // The signed link is the credential: tampering with it is refused.
    const tampered = done.content.video_url.replace(/signature=([a-f0-9])/, (_: string, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    assert.equal((await fetch(tampered)).status, 403);
  });

  it('promotes a draft with what the draft fixed (text, images, audio, seed, ratio, duration, camera_fixed), taking only the rest from the promotion', async () => {
    const draft = await create({ model: S15, content: [text('Red kite'), img(redPng)], draft: true, resolution: '480p', duration: 4, ratio: '1:1', seed: 7, generate_audio: false, camera_fixed: true });
    assert.equal(draft.status, 200, JSON.stringify(draft.json));
    assert.equal((await waitFor(draft.json.id, ['succeeded', 'failed'])).status, 'succeeded');
    const final = await create({
      model: S15,
      content: [{ type: 'draft_task', draft_task: { id: draft.json.id } }],
      resolution: '720p',
      duration: 8,
      ratio: '16:9',
      seed: 99,
      generate_audio: true,
      camera_fixed: false,
    });
    assert.equal(final.status, 200, JSON.stringify(final.json));
    const done = await waitFor(final.json.id, ['succeeded', 'failed']);
    assert.deepEqual([done.status, done.resolution, done.duration, done.ratio, done.seed, done.generate_audio, done.draft], ['succeeded', '720p', 4, '1:1', 7, false, false]);
  });

  it('honours legacy text commands on 1.x, the JSON field winning on conflict', async () => {
    const r = await create({ model: S15, content: [text('A boat --rs 480p --dur 4 --rt 1:1')], ratio: '9:16', generate_audio: false });
    const t = await task(r.json.id);
    assert.deepEqual([t.json.resolution, t.json.duration, t.json.ratio], ['480p', 4, '9:16']);
  });

  it('cancels a queued task by DELETE, refuses once it runs, and deletes terminal records', async () => {
    const queued = await create({ model: S2, content: [text('wait [sim:queue]')], duration: 4, resolution: '480p' });
    assert.equal((await task(queued.json.id)).json.status, 'queued');
    const del = await api('DELETE', `/contents/generations/tasks/${queued.json.id}`);
    assert.equal(del.status, 200);
    assert.equal((await task(queued.json.id)).json.status, 'cancelled');
    assert.equal(sim.stats.cancels, 1);

    const running = await create({ model: S2, content: [text('forever [sim:hang]')], duration: 4, resolution: '480p' });
    await waitFor(running.json.id, ['running']);
    const refused = await api('DELETE', `/contents/generations/tasks/${running.json.id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.code, 'InvalidAction.TaskRunning');

    const gone = await api('DELETE', `/contents/generations/tasks/${queued.json.id}`);
    assert.equal(gone.status, 200);
    assert.equal((await task(queued.json.id)).status, 404);
    assert.equal((await api('DELETE', '/contents/generations/tasks/cgt-nope')).status, 404);
  });

  it('lists tasks with filters', async () => {
    const r = await create({ model: S2, content: [text('listed [sim:queue]')] });
    const list = await api('GET', `/contents/generations/tasks?filter.task_ids=${r.json.id}&page_size=5`);
    assert.equal(list.status, 200);
    assert.equal(list.json.total, 1);
    assert.equal(list.json.items[0].id, r.json.id);
  });

  it('ends tasks as failed, expired, or policy-refused on request', async () => {
    const failed = await waitFor((await create({ model: S2, content: [text('boom [sim:fail]')] })).json.id, ['failed']);
    assert.equal(failed.error.code, 'InternalServiceError');
    const out = await waitFor((await create({ model: S2, content: [text('bad output [sim:policy-output]')] })).json.id, ['failed']);
    assert.equal(out.error.code, 'OutputVideoSensitiveContentDetected');
    sim.faults.expireNextJob();
    const expired = await waitFor((await create({ model: S2, content: [text('too late')] })).json.id, ['expired']);
    assert.equal(expired.status, 'expired');
    const policy = await create({ model: S2, content: [text('nasty [sim:policy]')] });
    assert.equal(policy.status, 400);
    assert.equal(policy.json.error.code, 'InputTextSensitiveContentDetected');
  });

  it('injects 429 with Retry-After and 5xx, and the once-markers', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 3, only: 'create' });
    const limited = await create({ model: S2, content: [text('x [sim:queue]')] });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal(limited.json.error.code, 'RateLimitExceeded.EndpointRPMExceeded');
    sim.faults.serverErrorNext(1, { status: 500 });
    assert.equal((await create({ model: S2, content: [text('x [sim:queue]')] })).json.error.code, 'InternalServiceError');
    const body = { model: S2, content: [text('once [sim:503-once] [sim:queue]')] };
    assert.equal((await create(body)).status, 503);
    assert.equal((await create(body)).status, 200);
    assert.equal((await create({ model: S2, content: [text('always [sim:429]')] })).status, 429);
    assert.equal((await create({ model: S2, content: [text('always [sim:429]')] })).status, 429);
  });

  it('renders reference-to-video with image, video and audio references (adaptive → 16:9)', async () => {
    const r = await create({
      model: S2_FAST,
      content: [text('Image 1 walks through Video 1'), img(redPng, 'reference_image'), vid('https://example.com/alley.mp4'), aud('https://example.com/theme.mp3')],
      duration: 4,
      resolution: '480p',
      generate_audio: false,
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const done = await waitFor(r.json.id, ['succeeded', 'failed']);
    assert.equal(done.status, 'succeeded');
    assert.equal(done.ratio, '16:9');
    const p = await probe(await download(done.content.video_url, 'r2v.mp4'));
    assert.deepEqual([p.video?.width, p.video?.height, p.audio], [854, 480, undefined]);
  });
});
