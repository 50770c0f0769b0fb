/**
 * Kling end to end through the gateway and the Kling simulator: every catalog model × operation,
 * the seed examples, refusals before anything is sent upstream, a 429 storm and failed jobs.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KlingFaultControls, KlingSimulatorStats } from '../../src/sandbox/kling/index.js';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

const IMG = 'https://example.com/kling-a.png';
const IMG2 = 'https://example.com/kling-b.png';
const MP4 = 'https://example.com/kling-source.mp4';

interface Case {
  body: Record<string, unknown>;
  width: number;
  height: number;
  duration: number;
  audio: boolean;
}

/** example.com images and clips are 640x360 placeholders (16:9); clips last 3 s. */
function shape(res: '720p' | '1080p', ratio: '16:9' | '1:1' = '16:9') {
  const s = res === '720p' ? 720 : 1080;
  return ratio === '1:1' ? { width: s, height: s } : { width: Math.round((s * 16) / 9), height: s };
}

const V3 = (id: string, res: '720p' | '1080p'): Case[] => [
  { body: { model: id, prompt: 'a paper boat on a pond', duration: 3 }, ...shape(res), duration: 3, audio: false },
  { body: { model: id, prompt: 'the boat sails away', image_url: IMG, duration: 3, output_audio: true }, ...shape(res), duration: 3, audio: true },
  { body: { model: id, prompt: 'from dawn to dusk', start_image: IMG, end_image: IMG2, duration: 3 }, ...shape(res), duration: 3, audio: false },
];
const V2 = (id: string, res: '720p' | '1080p', ops: Array<'t2v' | 'i2v' | 'se'>): Case[] =>
  ops.map((op) => ({
    body: op === 't2v' ? { model: id, prompt: `${id} text` } : op === 'i2v' ? { model: id, prompt: `${id} image`, image_url: IMG } : { model: id, prompt: `${id} frames`, start_image: IMG, end_image: IMG2 },
    ...shape(res),
    duration: 5,
    audio: false,
  }));
const O1 = (id: string, res: '720p' | '1080p'): Case[] => [
  { body: { model: id, prompt: 'omni text', aspect_ratio: '1:1' }, ...shape(res, '1:1'), duration: 5, audio: false },
  { body: { model: id, prompt: 'omni image', image_url: IMG }, ...shape(res), duration: 5, audio: false },
  { body: { model: id, operation: 'reference-to-video', prompt: '<<<image_1>>> meets <<<image_2>>>', reference_images: [IMG, IMG2], duration: 3, aspect_ratio: '1:1' }, ...shape(res, '1:1'), duration: 3, audio: false },
  { body: { model: id, prompt: 'omni frames', start_image: IMG, end_image: IMG2 }, ...shape(res), duration: 5, audio: false },
  { body: { model: id, operation: 'video-to-video', prompt: 'make <<<video_1>>> snowy', video_url: MP4 }, ...shape(res), duration: 3, audio: false },
];

const CASES: Case[] = [
  { body: { model: 'kling-3.0-motion-control', operation: 'motion-control', prompt: 'dance', image_url: IMG, video_url: MP4 }, ...shape('720p'), duration: 3, audio: false },
  ...V3('kling-3.0-video', '720p'),
  {
    body: { model: 'kling-3.0-video', prompt: 'Spin @prop slowly.', image_url: IMG, duration: 3, kling_elements: [{ name: 'prop', element_input_urls: [IMG, IMG2, 'https://example.com/kling-c.png'] }] },
    ...shape('720p'),
    duration: 3,
    audio: false,
  },
  ...V2('kling-v2.1-master', '1080p', ['t2v', 'i2v']),
  ...V2('kling-v2.1-pro', '1080p', ['i2v', 'se']),
  ...V2('kling-v2.1-standard', '720p', ['i2v']),
  ...V2('kling-v2.5-turbo-pro', '1080p', ['t2v', 'i2v', 'se']),
  ...V2('kling-v2.5-turbo-std', '720p', ['t2v', 'i2v']),
  { body: { model: 'kling-v2.6-pro', prompt: 'a fox in the snow', output_audio: true }, ...shape('1080p'), duration: 5, audio: true },
  ...V2('kling-v2.6-pro', '1080p', ['i2v', 'se']),
  ...V2('kling-v2.6-std', '720p', ['t2v', 'i2v']),
  ...V3('kling-v3.0-pro', '1080p'),
  ...V3('kling-v3.0-std', '720p'),
  ...O1('kling-video-o1-pro', '1080p'),
  ...O1('kling-video-o1-std', '720p'),
];

const SEEDS = [
  {
    model: 'kling-3.0-video',
    prompt: 'Place @hero_bag on a studio turntable with soft product lighting.',
    operation: 'image-to-video',
    image_url: 'https://example.com/studio-start.png',
    duration: 5,
    resolution: '720p',
    kling_elements: [{ name: 'hero_bag', description: 'black leather handbag', element_input_urls: ['https://example.com/bag-front.png', 'https://example.com/bag-side.png'] }],
  },
  {
    model: 'kling-3.0-motion-control',
    operation: 'motion-control',
    prompt: 'Keep the subject stable while following the motion reference.',
    image_url: 'https://example.com/subject.png',
    video_url: 'https://example.com/motion.mp4',
    resolution: '720p',
  },
];

describe('Kling through the gateway', () => {
  let gw: TestGateway;
  let stats: KlingSimulatorStats;
  let faults: KlingFaultControls;

  before(async () => {
    gw = await startTestGateway();
    const sim = gw.sandbox!.kling!;
    stats = sim.stats as KlingSimulatorStats;
    faults = sim.faults as KlingFaultControls;
  });
  after(async () => gw.close());

  async function create(body: Record<string, unknown>): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
    assert.equal(res.status, 200, `${JSON.stringify(body)} → ${await res.clone().text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  async function downloaded(done: Record<string, any>, name: string) {
    const res = await fetch(done.video_url);
    assert.equal(res.status, 200);
    const file = join(gw.dataDir, `${name}.mp4`);
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    return ffprobeFile(file);
  }

  it('every Kling model × operation completes with a playable MP4 of the requested shape', { timeout: 600_000 }, async () => {
    const ids = [];
    for (const c of CASES) ids.push(await create(c.body));
    for (const [i, id] of ids.entries()) {
      const c = CASES[i];
      const label = `${c.body.model} ${c.body.operation ?? ''} ${c.body.prompt}`;
      const done = await waitForTask(gw, id, { timeoutMs: 300_000 });
      assert.equal(done.status, 'completed', `${label}: ${JSON.stringify(done.error)}`);
      assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
      const probe = await downloaded(done, `case-${i}`);
      assert.deepEqual([probe.width, probe.height, probe.hasAudio], [c.width, c.height, c.audio], label);
      assert.ok(Math.abs(probe.duration - c.duration) < 0.25, `${label}: duration ${probe.duration}, wanted ${c.duration}`);
      assert.equal(probe.codec, 'h264');
    }
    assert.ok(stats.elements >= 1, 'kling_elements were registered upstream');
  });

  it('the seed examples complete', { timeout: 120_000 }, async () => {
    const ids = [];
    for (const body of SEEDS) ids.push(await create(body));
    for (const [i, id] of ids.entries()) {
      const done = await waitForTask(gw, id, { timeoutMs: 90_000 });
      assert.equal(done.status, 'completed', JSON.stringify(done));
      const probe = await downloaded(done, `seed-${i}`);
      assert.deepEqual([probe.width, probe.height, probe.hasAudio], [1280, 720, false]);
      // The elements seed asks 5 s; motion control follows its 3 s reference clip.
      assert.ok(Math.abs(probe.duration - (i === 0 ? 5 : 3)) < 0.25, `seed ${i}: ${probe.duration}`);
    }
  });

  it('documented rule violations are answered 400 before anything reaches Kling', async () => {
    const creates = stats.creates;
    const elements = stats.elements;
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ model: 'kling-v2.6-pro', prompt: 'x', duration: 7 }, 'duration'],
      [{ model: 'kling-v3.0-std', prompt: 'x', duration: 16 }, 'duration'],
      [{ model: 'kling-v2.6-std', prompt: 'x', output_audio: true }, 'output_audio'],
      [{ model: 'kling-v2.6-pro', start_image: IMG, end_image: IMG2, output_audio: true }, 'output_audio'],
      [{ model: 'kling-v2.5-turbo-std', prompt: 'x', aspect_ratio: '4:3' }, 'aspect_ratio'],
      [{ model: 'kling-v2.1-standard', image_url: IMG, resolution: '1080p' }, 'resolution'],
      [{ model: 'kling-v2.1-standard', prompt: 'x', operation: 'text-to-video' }, 'operation'],
      [{ model: 'kling-v2.1-standard', start_image: IMG, end_image: IMG2 }, 'operation'],
      [{ model: 'kling-video-o1-pro', prompt: 'x', negative_prompt: 'blur' }, 'negative_prompt'],
      [{ model: 'kling-video-o1-std', operation: 'video-to-video', prompt: 'x', video_url: MP4, duration: 5 }, 'duration'],
      [{ model: 'kling-3.0-motion-control', operation: 'motion-control', image_url: IMG, video_url: MP4, duration: 5 }, 'duration'],
      [{ model: 'kling-3.0-video', prompt: 'x', image_url: IMG, output_audio: true, kling_elements: [{ name: 'a', element_input_urls: [IMG, IMG2] }] }, 'kling_elements'],
      [{ model: 'kling-3.0-video', prompt: 'x', image_url: IMG, kling_elements: [{ name: 'a', element_input_urls: [IMG] }] }, 'kling_elements'],
      [{ model: 'kling-3.0-video', prompt: 'x', kling_elements: [{ name: 'a', element_input_urls: [IMG, IMG2] }] }, 'kling_elements'],
      [{ model: 'kling-v3.0-pro', prompt: 'x', image_url: IMG, kling_elements: [{ name: 'a', element_input_urls: [IMG, IMG2] }] }, 'kling_elements'],
      [{ model: 'kling-v2.6-pro', prompt: 'x'.repeat(2501) }, 'prompt'],
      [{ model: 'kling-video-o1-std', operation: 'reference-to-video', prompt: 'x', reference_images: Array(8).fill(IMG) }, 'reference_images'],
    ];
    for (const [body, param] of bad) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      const json = (await res.json()) as Record<string, any>;
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 200)} → ${JSON.stringify(json)}`);
      assert.deepEqual(validateAgainst('ApiError', json), []);
      // The contract room may name the exact element (kling_elements[0].element_input_urls).
      assert.ok(String(json.error.param).startsWith(param), `${param}: ${JSON.stringify(json)}`);
    }
    assert.equal(stats.creates, creates);
    assert.equal(stats.elements, elements);
  });

  it('a 429 storm (code 1303 + Retry-After) is waited out and the task completes', { timeout: 120_000 }, async () => {
    const faultedBefore = (gw.sandbox!.kling!.stats as KlingSimulatorStats).faulted;
    faults.rateLimitNext(3, { retryAfterSeconds: 1, only: 'create' });
    const started = Date.now();
    const done = await waitForTask(gw, await create({ model: 'kling-v2.6-std', prompt: 'after the storm' }), { timeoutMs: 90_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(stats.faulted - faultedBefore, 3);
    assert.ok(Date.now() - started >= 3000, 'Retry-After was honoured between attempts');
  });

  it('failed jobs end with a clear error code and message, never a secret', { timeout: 120_000 }, async () => {
    const failed = await waitForTask(gw, await create({ model: 'kling-v2.6-std', prompt: 'this fails [sim:fail]' }));
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error.code, 'upstream_error');
    assert.match(failed.error.message, /Kling could not generate the video/);
    const refused = await waitForTask(gw, await create({ model: 'kling-v2.6-std', prompt: 'refused [sim:policy]' }));
    assert.equal(refused.error.code, 'content_policy_violation');
    const filtered = await waitForTask(gw, await create({ model: 'kling-v2.6-std', prompt: 'filtered [sim:policy-output]' }));
    assert.equal(filtered.error.code, 'content_policy_violation');
    // An exhausted account is a refusal of the credential, not of the request: the other Kling
    // channel (the AccessKey/SecretKey pair) is tried; when it refuses too, every channel failed.
    faults.errorNext(2, { httpStatus: 429, code: 1102, message: 'resource pack exhausted', only: 'create' });
    const quota = await waitForTask(gw, await create({ model: 'kling-v2.6-std', prompt: 'no credit' }));
    assert.equal(quota.error.code, 'all_channels_failed');
    assert.match(quota.error.message, /kling-api-key: .*resource pack.*; kling-jwt: .*resource pack|kling-jwt: .*resource pack.*; kling-api-key: .*resource pack/);

    const secrets = gw.sandbox!.kling!.channels.flatMap((c) => Object.values(c.credentials));
    assert.equal(secrets.length, 3, 'the API key, the access key and the secret key');
    for (const secret of secrets) {
      assert.ok(secret.length > 10);
      for (const t of [failed, refused, filtered, quota]) assert.ok(!JSON.stringify(t).includes(secret));
      assert.ok(!gw.logs.join('\n').includes(secret), 'secret in logs');
    }
  });
});
