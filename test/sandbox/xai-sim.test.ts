/** The Grok Imagine simulator's wire protocol: auth, validation, status progression, faults, media host. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startXaiSimulator, type XaiSimulator } from '../../src/sandbox/xai/index.js';
import { ffmpegPath } from '../../src/sandbox/render.js';
import { simulatorInputFetcher } from '../../src/sandbox/fetch-input.js';
import { startServer, type LocalServer } from '../providers/local-server.js';
import { tempDir } from './media-helpers.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const KEY = 'xai-simTestKey0123456789';
const IMG = 'https://example.com/ref.png';
const MP4 = 'https://example.com/source.mp4';
let sim: XaiSimulator;
let files: LocalServer;
let dir: string;
let cleanup: () => Promise<void>;

async function api(path: string, init: { method?: string; body?: unknown; key?: string | null; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? KEY}`;
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method: init.method ?? (init.body !== undefined || init.raw ? 'POST' : 'GET'),
    headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

async function waitTerminal(id: string, timeoutMs = 20_000): Promise<{ seen: Record<string, any>[]; last: Record<string, any> }> {
  const seen: Record<string, any>[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await api(`/videos/${id}`);
    // xAI answers a job still running with 202 (an empty body before it starts), a finished one with 200.
    const pending = r.status === 202;
    assert.ok(pending || r.status === 200, JSON.stringify(r.json));
    seen.push(pending && !r.json.status ? { status: 'pending', empty: true } : r.json);
    assert.equal(pending, seen.at(-1)!.status === 'pending', 'pending ⇔ 202');
    if (!pending) return { seen, last: r.json };
    await new Promise((res) => setTimeout(res, 40));
  }
  throw new Error(`request ${id} still pending`);
}

async function create(body: Record<string, unknown>, endpoint = 'generations') {
  const r = await api(`/videos/${endpoint}`, { body: { model: 'grok-imagine-video', ...body } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.match(r.json.request_id, /^[0-9a-f-]{36}$/);
  return r.json.request_id as string;
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-xai-sim-'));
  // The source videos are served from loopback here: allow it, as VIDGATE_ALLOW_PRIVATE_NETWORK=1 does.
  sim = await startXaiSimulator({ apiKey: KEY, speed: 20, workDir: join(dir, 'work'), fetchInput: simulatorInputFetcher({ allowPrivateNetwork: true }) });
  // A 10 s clip served over plain HTTP: longer than the 8.7 s edit limit.
  const long = join(dir, 'long.mp4');
  await promisify(execFile)(ffmpegPath, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=blue:s=320x240:r=12:d=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', long]);
  const longBytes = await readFile(long);
  files = await startServer((req, res) => {
    if (req.url === '/long.mp4') res.writeHead(200, { 'content-type': 'video/mp4' }).end(longBytes);
    else res.writeHead(404).end();
  });
});
after(async () => {
  await sim.close();
  await files.close();
  await cleanup();
});

describe('xAI simulator: auth and routes', () => {
  it('a missing key is 401, a wrong key is 400 "Incorrect API key provided" with a masked echo', async () => {
    const none = await api('/videos/generations', { body: { model: 'grok-imagine-video', prompt: 'x' }, key: null });
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 'The request does not have valid authentication credentials');
    const wrong = await api('/videos/generations', { body: { model: 'grok-imagine-video', prompt: 'x' }, key: 'xai-nottherightkey99' });
    assert.equal(wrong.status, 400);
    assert.deepEqual(Object.keys(wrong.json).sort(), ['code', 'error']);
    assert.equal(wrong.json.code, 'Client specified an invalid argument');
    assert.match(wrong.json.error, /^Incorrect API key provided: xa\*\*\*99\./);
  });

  it('unknown request ids and paths are 404, wrong methods 405', async () => {
    assert.equal((await api('/videos/00000000-0000-0000-0000-000000000000')).status, 404);
    assert.equal((await api('/videos/whatever/else')).status, 404);
    assert.equal((await api('/videos/generations')).status, 405);
  });
});

describe('xAI simulator: request validation (400 {code, error}; nothing is created)', () => {
  const cases: [string, string, Record<string, unknown>, RegExp, number?][] = [
    ['duration 16', 'generations', { prompt: 'x', duration: 16 }, /duration must be an integer between 1 and 15/],
    ['duration 2.5', 'generations', { prompt: 'x', duration: 2.5 }, /duration/],
    ['aspect ratio 5:4', 'generations', { prompt: 'x', aspect_ratio: '5:4' }, /aspect_ratio/],
    ['resolution 1080p', 'generations', { prompt: 'x', resolution: '1080p' }, /resolution .*480p, 720p/],
    ['no prompt', 'generations', { duration: 2 }, /prompt is required/],
    ['a prompt over 4096 characters', 'generations', { prompt: 'x'.repeat(4097) }, /too long/],
    ['image with reference_images', 'generations', { prompt: 'x', image: { url: IMG }, reference_images: [{ url: IMG }] }, /cannot be combined/],
    ['8 reference images', 'generations', { prompt: 'x', reference_images: Array(8).fill({ url: IMG }) }, /1 to 7/],
    ['references for 12 s', 'generations', { prompt: 'x', reference_images: [{ url: IMG }], duration: 12 }, /between 1 and 10/],
    ['image as a bare string', 'generations', { prompt: 'x', image: IMG }, /image must be an object/],
    ['a non-image data URI', 'generations', { prompt: 'x', image: { url: 'data:text/plain;base64,aGk=' } }, /base64 image data URI/],
    ['a video on generations', 'generations', { prompt: 'x', video: { url: MP4 } }, /use \/v1\/videos\/edits/],
    ['1.5 without an image', 'generations', { model: 'grok-imagine-video-1.5', prompt: 'x' }, /only supports image-to-video/],
    ['1.5 with references', 'generations', { model: 'grok-imagine-video-1.5', prompt: 'x', reference_images: [{ url: IMG }] }, /not supported by grok-imagine-video-1.5/],
    ['an unknown model', 'generations', { model: 'grok-imagine-nope', prompt: 'x' }, /does not exist/, 404],
    // xAI serves the 1.5 model as grok-imagine-video-1.5; the preview id is absent from its model lists.
    ['the 1.5 preview id', 'generations', { model: 'grok-imagine-video-1.5-preview', prompt: 'x', image: { url: IMG } }, /does not exist/, 404],
    ['an edit with duration', 'edits', { prompt: 'x', video: { url: MP4 }, duration: 5 }, /duration is not supported for video editing/],
    ['an edit with aspect_ratio', 'edits', { prompt: 'x', video: { url: MP4 }, aspect_ratio: '16:9' }, /aspect_ratio is not supported/],
    ['an edit with resolution', 'edits', { prompt: 'x', video: { url: MP4 }, resolution: '720p' }, /resolution is not supported/],
    ['an edit without video', 'edits', { prompt: 'x' }, /video is required/],
    ['an edit from a data URI', 'edits', { prompt: 'x', video: { url: 'data:video/mp4;base64,AAAA' } }, /data URIs are not accepted/],
    ['an edit of a clip longer than 8.7 s', 'edits', { prompt: 'x', video: { url: 'LONG' } }, /at most 8\.7 s/],
    ['an edit on 1.5', 'edits', { model: 'grok-imagine-video-1.5', prompt: 'x', video: { url: MP4 } }, /not supported by grok-imagine-video-1.5/],
    ['an extension of 11 s', 'extensions', { prompt: 'x', video: { url: MP4 }, duration: 11 }, /between 2 and 10/],
  ];
  for (const [name, endpoint, body, message, status] of cases) {
    it(name, async () => {
      const before = sim.stats.creates;
      const video = body.video as { url: string } | undefined;
      const sent = video?.url === 'LONG' ? { ...body, video: { url: `${files.url}/long.mp4` } } : body;
      const r = await api(`/videos/${endpoint}`, { body: { model: 'grok-imagine-video', ...sent } });
      assert.equal(r.status, status ?? 400, JSON.stringify(r.json));
      assert.deepEqual(Object.keys(r.json).sort(), ['code', 'error']);
      assert.match(r.json.error, message);
      assert.equal(sim.stats.creates, before);
    });
  }

  it('a body that is not JSON', async () => {
    const r = await api('/videos/generations', { raw: '{"model":' });
    assert.equal(r.status, 400);
    assert.match(r.json.error, /JSON/);
  });

  it('an unreachable image URL', async () => {
    const r = await api('/videos/generations', { body: { model: 'grok-imagine-video', prompt: 'x', image: { url: `${files.url}/missing.png` } } });
    assert.equal(r.status, 400);
    assert.match(r.json.error, /Failed to fetch image/);
  });
});

describe('xAI simulator: status progression and the media host', () => {
  it('pending with rising progress → done with video{url,duration,respect_moderation} and usage', async () => {
    sim.faults.emptyPendingBodies();
    const id = await create({ prompt: 'A red kite over a beach', duration: 2, aspect_ratio: '1:1', resolution: '480p' });
    const { seen, last } = await waitTerminal(id);
    const pending = seen.filter((s) => s.status === 'pending' && !s.empty);
    assert.ok(pending.length >= 2, 'observed the job pending');
    assert.ok(seen[0].empty, 'the first poll of a pending job answers 202 with an empty body');
    for (const p of pending) {
      assert.equal(p.model, 'grok-imagine-video');
      assert.ok(p.progress >= 0 && p.progress <= 99);
    }
    assert.ok(pending.at(-1)!.progress > pending[0].progress, 'progress rises');
    assert.equal(last.status, 'done');
    assert.equal(last.video.duration, 2);
    assert.equal(last.video.respect_moderation, true);
    // 480p at $0.05/s, 1 USD = 1e10 ticks.
    assert.equal(last.usage.cost_in_usd_ticks, 2 * 0.05 * 1e10);
    const url = new URL(last.video.url);
    assert.equal(url.origin, sim.mediaUrl, 'served from the separate media host');

    const before = sim.stats.downloads;
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    assert.ok((await res.arrayBuffer()).byteLength > 1000);
    assert.equal(sim.stats.downloads, before + 1);
    const ranged = await fetch(url, { headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.status, 206);
    assert.equal((await ranged.arrayBuffer()).byteLength, 10);

    // The link is signed: tampering is refused.
    url.searchParams.set('expires', String(Date.now() + 10 ** 9));
    assert.equal((await fetch(url)).status, 403);
  });

  it('the deprecated grok-imagine-video-beta id is accepted and echoed', async () => {
    const id = await create({ model: 'grok-imagine-video-beta', prompt: 'x', duration: 1, resolution: '480p' });
    const { last } = await waitTerminal(id);
    assert.equal(last.model, 'grok-imagine-video-beta');
  });
});

describe('xAI simulator: faults and prompt markers', () => {
  it('rateLimitNext answers 429 with Retry-After, then recovers', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 4, only: 'create' });
    const r = await api('/videos/generations', { body: { model: 'grok-imagine-video', prompt: 'x', duration: 1 } });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '4');
    assert.equal(r.json.code, 'Some resource has been exhausted');
    await create({ prompt: 'x', duration: 1, resolution: '480p' });
  });

  it('serverErrorNext answers 503/500 on polls', async () => {
    const id = await create({ prompt: 'poll faults', duration: 1, resolution: '480p' });
    sim.faults.serverErrorNext(1, { only: 'poll' });
    sim.faults.serverErrorNext(1, { status: 500, only: 'poll' });
    assert.equal((await api(`/videos/${id}`)).status, 503);
    assert.equal((await api(`/videos/${id}`)).status, 500);
    assert.ok([200, 202].includes((await api(`/videos/${id}`)).status));
  });

  it('failNextJob / expireNextJob / moderateNextJob / hangNextJob', async () => {
    sim.faults.failNextJob({ message: 'boom' });
    const failed = await waitTerminal(await create({ prompt: 'a', duration: 1, resolution: '480p' }));
    assert.deepEqual(failed.last.error, { code: 'internal_error', message: 'boom' });
    sim.faults.expireNextJob();
    assert.equal((await waitTerminal(await create({ prompt: 'b', duration: 1, resolution: '480p' }))).last.status, 'expired');
    sim.faults.moderateNextJob();
    const moderated = (await waitTerminal(await create({ prompt: 'c', duration: 1, resolution: '480p' }))).last;
    assert.equal(moderated.status, 'done');
    assert.equal(moderated.video.respect_moderation, false);
    sim.faults.hangNextJob();
    const hung = await create({ prompt: 'd', duration: 1, resolution: '480p' });
    await new Promise((r) => setTimeout(r, 2500)); // longer than any job at speed 20
    assert.equal((await api(`/videos/${hung}`)).status, 202, 'still pending');
  });

  it('markers: [sim:429-once], [sim:503-once], [sim:policy-create], [sim:policy], [sim:fail]', async () => {
    const once = { model: 'grok-imagine-video', prompt: 'retry me [sim:429-once]', duration: 1, resolution: '480p' };
    assert.equal((await api('/videos/generations', { body: once })).status, 429);
    assert.equal((await api('/videos/generations', { body: once })).status, 200);
    const unavailable = { ...once, prompt: 'again [sim:503-once]' };
    assert.equal((await api('/videos/generations', { body: unavailable })).status, 503);
    assert.equal((await api('/videos/generations', { body: unavailable })).status, 200);
    const refused = await api('/videos/generations', { body: { ...once, prompt: 'bad [sim:policy-create]' } });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error, /content moderation/);
    const blocked = await waitTerminal(await create({ prompt: 'bad [sim:policy]', duration: 1, resolution: '480p' }));
    assert.equal(blocked.last.video.respect_moderation, false);
    const failed = await waitTerminal(await create({ prompt: 'bad [sim:fail]', duration: 1, resolution: '480p' }));
    assert.equal(failed.last.status, 'failed');
  });
});
