/**
 * Grok Imagine through the whole gateway (sandbox): every model × listed operation completes with a
 * playable MP4 matching the request; rule violations are 400s that never reach the simulator;
 * 429 storms, failed, expired and moderated jobs end as documented.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import type { XaiFaultControls, XaiSimulatorStats } from '../../src/sandbox/xai/index.js';

const IMG = (n: string) => `https://example.com/grok-${n}.png`;
const SOURCE = 'https://example.com/source.mp4'; // the sandbox placeholder clip: 3 s, 640x360
// A 4x4 red PNG as a data URL (the `image` field).
const DATA_IMAGE = `data:image/png;base64,${Buffer.from('89504e470d0a1a0a0000000d49484452000000040000000408020000002693092900000009704859730000000100000001004f25c4d60000001049444154789c63f8cbc000470cc47100ab330fd10691957b0000000049454e44ae426082', 'hex').toString('base64')}`;

interface Case {
  body: Record<string, unknown>;
  width: number;
  height: number;
  duration: number;
}

/** Seed-style requests: every model of the family × every operation the catalog lists for it. */
const CASES: Case[] = [
  {
    body: { model: 'grok-imagine-video', operation: 'text-to-video', prompt: 'A calm cinematic shot of a cat walking through a sunlit garden.', duration: 2, aspect_ratio: '9:16', resolution: '480p' },
    width: 480,
    height: 854,
    duration: 2,
  },
  {
    body: {
      model: 'grok-imagine-video',
      operation: 'image-to-video',
      prompt: 'The scene begins from the provided image and adds gentle natural motion.',
      image_url: IMG('portrait'),
      duration: 1,
      aspect_ratio: '16:9',
      resolution: '480p',
    },
    width: 854,
    height: 480,
    duration: 1,
  },
  {
    body: {
      model: 'grok-imagine-video',
      operation: 'reference-to-video',
      prompt: 'Keep the same subject identity and palette while adding subtle motion.',
      reference_images: [IMG('ref-a'), IMG('ref-b')],
      duration: 2,
      aspect_ratio: '1:1',
      resolution: '480p',
    },
    width: 480,
    height: 480,
    duration: 2,
  },
  // The documented maximum: 7 references (as image_urls) for 10 s.
  {
    body: { model: 'grok-imagine-video', operation: 'reference-to-video', prompt: 'Seven friends on a bench.', image_urls: [1, 2, 3, 4, 5, 6, 7].map((i) => IMG(`r${i}`)), duration: 10, resolution: '480p' },
    width: 854,
    height: 480,
    duration: 10,
  },
  { body: { model: 'grok-imagine-video', operation: 'video-to-video', prompt: 'Give the man a red scarf', video_url: SOURCE }, width: 1280, height: 720, duration: 3 },
  { body: { model: 'grok-imagine-video-1.5-preview', operation: 'image-to-video', prompt: 'Slow push-in', image: DATA_IMAGE, duration: 1, aspect_ratio: '3:4', resolution: '480p' }, width: 480, height: 640, duration: 1 },
  { body: { model: 'grok-imagine-image-to-video', prompt: 'Leaves start to fall', image_url: IMG('tree'), duration: 1, aspect_ratio: '4:3', resolution: '720p' }, width: 960, height: 720, duration: 1 },
  { body: { model: 'grok-imagine-text-to-video', prompt: 'Waves at night', duration: 1, resolution: '480p' }, width: 854, height: 480, duration: 1 },
  { body: { model: 'grok-imagine-upscale', operation: 'video-to-video', video_url: SOURCE, prompt: 'Upscale this clip while preserving the original motion.' }, width: 1280, height: 720, duration: 3 },
];

const many = (n: number) => Array.from({ length: n }, (_, i) => IMG(`many-${i}`));

/** Documented rules of the family (catalog + issue): each must be a 400 naming `param`, before any upstream call. */
const VIOLATIONS: [string, Record<string, unknown>, string][] = [
  ['8 reference images', { model: 'grok-imagine-video', prompt: 'x', operation: 'reference-to-video', reference_images: many(8) }, 'reference_images'],
  ['8 image_urls as references', { model: 'grok-imagine-video', prompt: 'x', operation: 'reference-to-video', image_urls: many(8) }, 'image_urls'],
  ['reference-to-video for 11 s', { model: 'grok-imagine-video', prompt: 'x', operation: 'reference-to-video', reference_images: many(2), duration: 11 }, 'duration'],
  ['reference images with a first frame', { model: 'grok-imagine-video', prompt: 'x', operation: 'reference-to-video', reference_images: many(2), image_url: IMG('first') }, 'image_url'],
  ['text-to-video for 16 s', { model: 'grok-imagine-video', prompt: 'x', duration: 16 }, 'duration'],
  ['text-to-video at 1080p', { model: 'grok-imagine-video', prompt: 'x', resolution: '1080p' }, 'resolution'],
  ['aspect ratio 21:9', { model: 'grok-imagine-video', prompt: 'x', aspect_ratio: '21:9' }, 'aspect_ratio'],
  ['a prompt over 4096 characters', { model: 'grok-imagine-video', prompt: 'x'.repeat(4097) }, 'prompt'],
  ['video-to-video from a .mov', { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: 'https://example.com/clip.mov' }, 'video_url'],
  ['video-to-video over http', { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: 'http://example.com/clip.mp4' }, 'video_url'],
  ['video-to-video with duration', { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: SOURCE, duration: 6 }, 'duration'],
  ['video-to-video with aspect_ratio', { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: SOURCE, aspect_ratio: '16:9' }, 'aspect_ratio'],
  ['video-to-video at 1080p', { model: 'grok-imagine-video', prompt: 'x', operation: 'video-to-video', video_url: SOURCE, resolution: '1080p' }, 'resolution'],
  ['upscale with duration', { model: 'grok-imagine-upscale', operation: 'video-to-video', video_url: SOURCE, duration: 8 }, 'duration'],
  ['upscale of a .webm', { model: 'grok-imagine-upscale', operation: 'video-to-video', video_url: 'https://example.com/clip.webm' }, 'video_url'],
  ['1.5 preview text-to-video', { model: 'grok-imagine-video-1.5-preview', prompt: 'x', operation: 'text-to-video' }, 'operation'],
  ['1.5 preview reference-to-video', { model: 'grok-imagine-video-1.5-preview', prompt: 'x', reference_images: many(1) }, 'operation'],
  ['grok-imagine-text-to-video image-to-video', { model: 'grok-imagine-text-to-video', prompt: 'x', operation: 'image-to-video', image_url: IMG('a') }, 'operation'],
  ['grok-imagine-image-to-video without an image', { model: 'grok-imagine-image-to-video', prompt: 'x', operation: 'image-to-video' }, 'image_url'],
];

describe('Grok Imagine through the gateway', () => {
  let gw: TestGateway;
  let stats: XaiSimulatorStats;
  let faults: XaiFaultControls;
  before(async () => {
    gw = await startTestGateway();
    const sim = gw.sandbox!.xai!;
    stats = sim.stats as XaiSimulatorStats;
    faults = sim.faults as XaiFaultControls;
  });
  after(async () => gw.close());

  async function create(body: Record<string, unknown>): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  }

  it('every model × operation completes with a playable MP4 matching the request', async () => {
    const before = stats.creates;
    const ids: string[] = [];
    for (const c of CASES) ids.push(await create(c.body));
    for (const [i, id] of ids.entries()) {
      const c = CASES[i];
      const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
      const what = `${c.body.model} ${c.body.operation ?? ''}`;
      assert.equal(done.status, 'completed', `${what}: ${JSON.stringify(done)}`);
      assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
      const res = await fetch(done.video_url);
      assert.equal(res.status, 200);
      const file = join(gw.dataDir, `xai-case-${i}.mp4`);
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      const p = await ffprobeFile(file);
      assert.equal(p.codec, 'h264', what);
      assert.deepEqual([p.width, p.height], [c.width, c.height], what);
      assert.ok(Math.abs(p.duration - c.duration) < 0.25, `${what}: duration ${p.duration}, want ${c.duration}`);
      assert.equal(p.hasAudio, true, `${what}: Grok Imagine always renders sound`);
      assert.deepEqual([done.video.width, done.video.height], [c.width, c.height]);
    }
    assert.equal(stats.creates - before, CASES.length, 'one upstream job per task');
    assert.equal(stats.downloadsWithAuthorization, 0, 'the temporary public URL never gets the key');
  });

  it('every documented rule violation is a 400 naming the parameter, and nothing reaches xAI', async () => {
    const before = stats.requests;
    for (const [name, body, param] of VIOLATIONS) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      const json = (await res.json()) as Record<string, any>;
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(json)}`);
      assert.deepEqual(validateAgainst('ApiError', json), [], name);
      assert.equal(json.error.param, param, `${name}: ${JSON.stringify(json)}`);
      assert.ok(json.error.message.length > 20, name);
    }
    assert.equal(stats.requests, before, 'the simulator saw no request');
  });

  it('a 429 storm on create: the task still completes, waiting as Retry-After says', async () => {
    const faultedBefore = stats.faulted;
    faults.rateLimitNext(2, { retryAfterSeconds: 2, only: 'create' });
    const started = Date.now();
    const done = await waitForTask(gw, await create({ model: 'grok-imagine-text-to-video', prompt: 'patience', duration: 1, resolution: '480p' }), { timeoutMs: 60_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(stats.faulted - faultedBefore, 2);
    assert.ok(Date.now() - started >= 4000, `two Retry-After: 2 waits, took ${Date.now() - started} ms`);
  });

  it("a running task shows xAI's own progress", async () => {
    const id = await create({ model: 'grok-imagine-video', prompt: 'never ends [sim:hang]', duration: 1, resolution: '480p' });
    const deadline = Date.now() + 20_000;
    let last: Record<string, any> = {};
    while (Date.now() < deadline) {
      last = (await (await gw.api(`/v1/tasks/${id}`)).json()) as Record<string, any>;
      if (last.status === 'processing' && last.progress > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(last.status, 'processing', JSON.stringify(last));
    assert.ok(last.progress > 0 && last.progress < 100, JSON.stringify(last));
  });

  it('failed, moderated (done + respect_moderation false), expired and refused jobs fail with clear codes', async () => {
    const prompts: [string, string][] = [
      ['breaks [sim:fail]', 'upstream_error'],
      ['blocked [sim:policy]', 'content_policy_violation'],
      ['too late [sim:expire]', 'upstream_expired'],
      ['refused at once [sim:policy-create]', 'content_policy_violation'],
    ];
    const ids = [];
    for (const [prompt] of prompts) ids.push(await create({ model: 'grok-imagine-video', prompt, duration: 1, resolution: '480p' }));
    for (const [i, id] of ids.entries()) {
      const done = await waitForTask(gw, id, { timeoutMs: 60_000 });
      assert.equal(done.status, 'failed', JSON.stringify(done));
      assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
      assert.equal(done.error.code, prompts[i][1], JSON.stringify(done));
      assert.ok(done.error.message.length > 10);
      assert.equal(done.video_url, undefined);
    }
    const key = gw.sandbox!.xai!.credentials.XAI_API_KEY;
    assert.ok(key.startsWith('xai-') && key.length > 20);
    assert.ok(!gw.logs.join('\n').includes(key), 'the xAI key never appears in logs');
  });
});
