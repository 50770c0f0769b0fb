/**
 * Vidu through the whole gateway (sandbox simulator behind the production adapter): every model ×
 * operation of the family completes with a matching MP4, rule violations are 400s that never reach
 * the upstream, and upstream trouble (429 storms, failed jobs, moderation) ends as it should.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ViduFaultControls, ViduSimulatorStats } from '../../src/sandbox/vidu/index.js';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

type Json = Record<string, any>;
const IMG = 'https://example.com/vidu-first.png';
const IMG2 = 'https://example.com/vidu-last.png';

/** Every Vidu model × listed operation (catalog shengshu.ts), cheap: 720p, 1–2 s. Example images are 640x360 (16:9). */
const MATRIX: Array<{ body: Json; width: number; height: number; audio: boolean }> = [
  { body: { model: 'viduq2', operation: 'text-to-video', prompt: 'fog walk', duration: 1, aspect_ratio: '4:3' }, width: 960, height: 720, audio: false },
  {
    body: { model: 'viduq2', operation: 'reference-to-video', prompt: '@1 and @2 talk by the lake', reference_images: [IMG, IMG2], duration: 1, aspect_ratio: '9:16', output_audio: true },
    width: 720,
    height: 1280,
    audio: true,
  },
  { body: { model: 'viduq2-pro', operation: 'image-to-video', prompt: 'waves', image_url: IMG, duration: 2, output_audio: true }, width: 1280, height: 720, audio: true },
  { body: { model: 'viduq2-pro', operation: 'reference-to-video', prompt: 'a hug', reference_images: [IMG], duration: 1, aspect_ratio: '1:1' }, width: 720, height: 720, audio: false },
  { body: { model: 'viduq2-pro', operation: 'start-end-to-video', prompt: 'morph', start_image: IMG, end_image: IMG2, duration: 1 }, width: 1280, height: 720, audio: false },
  { body: { model: 'viduq2-pro-fast', operation: 'image-to-video', image_url: IMG, duration: 1 }, width: 1280, height: 720, audio: false },
  { body: { model: 'viduq2-pro-fast', operation: 'start-end-to-video', start_image: IMG, end_image: IMG2, duration: 2 }, width: 1280, height: 720, audio: false },
  { body: { model: 'viduq2-turbo', operation: 'image-to-video', prompt: 'zoom', image_url: IMG, duration: 1 }, width: 1280, height: 720, audio: false },
  { body: { model: 'viduq2-turbo', operation: 'start-end-to-video', prompt: 'fly', start_image: IMG, end_image: IMG2, duration: 1 }, width: 1280, height: 720, audio: false },
  { body: { model: 'viduq3-pro', operation: 'text-to-video', prompt: 'city rain', duration: 1, aspect_ratio: '16:9' }, width: 1280, height: 720, audio: true },
  { body: { model: 'viduq3-pro', operation: 'image-to-video', prompt: 'talk', image_url: IMG, duration: 1, output_audio: false }, width: 1280, height: 720, audio: false },
  { body: { model: 'viduq3-pro', operation: 'start-end-to-video', prompt: 'turn', start_image: IMG, end_image: IMG2, duration: 1 }, width: 1280, height: 720, audio: true },
  { body: { model: 'viduq3-turbo', operation: 'text-to-video', prompt: 'desert', duration: 1, aspect_ratio: '3:4' }, width: 720, height: 960, audio: true },
  { body: { model: 'viduq3-turbo', operation: 'image-to-video', image_url: IMG, duration: 2 }, width: 1280, height: 720, audio: true },
  { body: { model: 'viduq3-turbo', operation: 'start-end-to-video', start_image: IMG, end_image: IMG2, duration: 1 }, width: 1280, height: 720, audio: true },
];

/** The seed example for this family (TokenLab guide), verbatim. */
const SEED = {
  model: 'viduq2-pro',
  prompt: 'Smooth transition from day to night.',
  operation: 'start-end-to-video',
  start_image: 'https://example.com/city-day.jpg',
  end_image: 'https://example.com/city-night.jpg',
  duration: 5,
  resolution: '720p',
  aspect_ratio: '16:9',
};

describe('Vidu through the gateway', () => {
  let gw: TestGateway;
  let stats: ViduSimulatorStats;
  let faults: ViduFaultControls;

  before(async () => {
    gw = await startTestGateway();
    const sim = gw.sandbox!.vidu!;
    stats = sim.stats as ViduSimulatorStats;
    faults = sim.faults as ViduFaultControls;
  });
  after(async () => gw.close());

  async function create(body: Json): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
    assert.equal(res.status, 200, `${body.model} ${body.operation}: ${await res.clone().text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  async function download(done: Json, name: string): Promise<string> {
    const res = await fetch(done.video_url);
    assert.equal(res.status, 200);
    const file = join(gw.dataDir, `${name}.mp4`);
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    return file;
  }

  it('every model × operation, and the seed example, completes with a matching playable MP4', async () => {
    const cases = [...MATRIX, { body: SEED, width: 1280, height: 720, audio: false }];
    const ids: string[] = [];
    for (const c of cases) ids.push(await create(c.body));
    for (const [i, id] of ids.entries()) {
      const want = cases[i];
      const label = `${want.body.model} ${want.body.operation}`;
      const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
      assert.equal(done.status, 'completed', `${label}: ${JSON.stringify(done)}`);
      assert.deepEqual(validateAgainst('VideoTaskResponse', done), [], label);
      const p = await ffprobeFile(await download(done, id));
      assert.equal(p.codec, 'h264', label);
      assert.ok(Math.abs(p.duration - want.body.duration) < 0.2, `${label}: duration ${p.duration}`);
      assert.deepEqual([p.width, p.height], [want.width, want.height], label);
      assert.equal(p.hasAudio, want.audio, `${label}: audio`);
      assert.deepEqual([done.video.width, done.video.height], [want.width, want.height], label);
    }
    assert.ok(stats.creates >= cases.length);
    assert.ok(stats.downloads >= cases.length);
  });

  it('documented rule violations are 400s naming the param, and nothing reaches Vidu', async () => {
    const violations: Array<[Json, string, string]> = [
      [{ model: 'viduq2', prompt: 'x', duration: 11 }, 'duration', 'invalid_duration'],
      [{ model: 'viduq3-pro', prompt: 'x', duration: 17 }, 'duration', 'invalid_duration'],
      [{ model: 'viduq2-pro', operation: 'start-end-to-video', start_image: IMG, end_image: IMG2, duration: 9 }, 'duration', 'invalid_duration'],
      [{ model: 'viduq2-turbo', operation: 'start-end-to-video', start_image: IMG, end_image: IMG2, duration: 10 }, 'duration', 'invalid_duration'],
      [{ model: 'viduq2', prompt: 'x', resolution: '480p' }, 'resolution', 'invalid_resolution'],
      [{ model: 'viduq3-turbo', prompt: 'x', resolution: '4k' }, 'resolution', 'invalid_resolution'],
      [{ model: 'viduq2', prompt: 'x', aspect_ratio: '21:9' }, 'aspect_ratio', 'invalid_aspect_ratio'],
      [{ model: 'viduq2', operation: 'image-to-video', image_url: IMG }, 'operation', 'unsupported_operation'],
      [{ model: 'viduq2-pro', operation: 'text-to-video', prompt: 'x' }, 'operation', 'unsupported_operation'],
      [{ model: 'viduq3-pro', operation: 'reference-to-video', prompt: 'x', reference_images: [IMG] }, 'operation', 'unsupported_operation'],
      [{ model: 'viduq2-turbo', operation: 'reference-to-video', prompt: 'x', reference_images: [IMG] }, 'operation', 'unsupported_operation'],
      [{ model: 'viduq2', prompt: 'x', output_audio: true }, 'output_audio', 'unsupported_output_audio'],
      [{ model: 'viduq2-pro', operation: 'start-end-to-video', start_image: IMG, end_image: IMG2, output_audio: true }, 'output_audio', 'unsupported_output_audio'],
      [{ model: 'viduq2', operation: 'reference-to-video', prompt: 'x', reference_images: Array(8).fill(IMG) }, 'reference_images', 'too_many_references'],
      [{ model: 'viduq2-pro', operation: 'image-to-video', image_urls: [IMG, IMG2] }, 'image_urls', 'too_many_references'],
      [{ model: 'viduq2', prompt: 'x'.repeat(2001) }, 'prompt', 'prompt_too_long'],
      [{ model: 'viduq3-turbo', prompt: 'x'.repeat(5001) }, 'prompt', 'prompt_too_long'],
      [{ model: 'viduq2-pro', operation: 'start-end-to-video', start_image: IMG }, 'end_image', 'missing_required_parameter'],
      [{ model: 'viduq2-pro', operation: 'image-to-video', image_url: IMG, reference_images: [IMG] }, 'reference_images', 'conflicting_parameters'],
    ];
    const before = { creates: stats.creates, requests: stats.requests };
    for (const [body, param, code] of violations) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      const json = (await res.json()) as Json;
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 120)}: ${JSON.stringify(json)}`);
      assert.deepEqual(validateAgainst('ApiError', json), []);
      assert.equal(json.error.param, param, JSON.stringify(json));
      assert.equal(json.error.code, code, JSON.stringify(json));
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual({ creates: stats.creates, requests: stats.requests }, before);
  });

  it('a 429 storm (QuotaExceeded + Retry-After) is waited out and the task completes, created once', async () => {
    const creates = stats.creates;
    faults.rateLimitNext(3, { retryAfterSeconds: 1, only: 'create' });
    const t0 = Date.now();
    const done = await waitForTask(gw, await create({ model: 'viduq2-turbo', operation: 'image-to-video', image_url: IMG, duration: 1, prompt: 'storm' }), { timeoutMs: 60_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.ok(Date.now() - t0 >= 3000, 'Retry-After (1 s × 3) honoured');
    assert.equal(stats.creates, creates + 1);
  });

  it('failed upstream jobs end as failed tasks with clear codes; no secret leaks', async () => {
    const failed = await waitForTask(gw, await create({ model: 'viduq2', prompt: 'breaks [sim:fail]', duration: 1 }));
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error.code, 'upstream_error');
    assert.match(failed.error.message, /InternalServiceFailure/);
    const blocked = await waitForTask(gw, await create({ model: 'viduq3-turbo', prompt: 'blocked [sim:policy]', duration: 1 }));
    assert.equal(blocked.status, 'failed');
    assert.equal(blocked.error.code, 'content_policy_violation');
    const refused = await waitForTask(gw, await create({ model: 'viduq2', prompt: 'rude [sim:policy-prompt]', duration: 1 }));
    assert.equal(refused.error.code, 'content_policy_violation');
    const broke = await waitForTask(gw, await create({ model: 'viduq2', prompt: 'no money [sim:credits]', duration: 1 }));
    assert.equal(broke.error.code, 'upstream_quota_exceeded');
    assert.match(broke.error.message, /credits/);

    // Vidu needs a prompt on reference2video: a 400 before anything is sent upstream.
    const creates = stats.creates;
    const noPrompt = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'viduq2', operation: 'reference-to-video', reference_images: [IMG] } });
    assert.equal(noPrompt.status, 400);
    const noPromptError = ((await noPrompt.json()) as any).error;
    assert.equal(noPromptError.code, 'missing_required_parameter');
    assert.equal(noPromptError.param, 'prompt');
    assert.match(noPromptError.message, /needs a prompt/);
    assert.equal(stats.creates, creates);

    const key = gw.sandbox!.vidu!.credentials.VIDU_API_KEY;
    assert.ok(key.length > 20);
    for (const t of [failed, blocked, refused, broke]) {
      assert.deepEqual(validateAgainst('VideoTaskResponse', t), []);
      assert.ok(!JSON.stringify(t).includes(key), 'provider key in task body');
    }
    assert.ok(!gw.logs.join('\n').includes(key), 'provider key in logs');
  });
});
