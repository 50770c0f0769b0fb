/**
 * Sora through the whole gateway in sandbox mode: public API → engine → OpenAI adapter → Sora
 * simulator → finisher → signed video URL. Every model × operation of the family, the family's
 * rules (400 before anything is sent upstream), a 429 storm, failed and moderated jobs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ffmpegPath } from '../../src/sandbox/render.js';
import type { OpenAIFaultControls, OpenAISimulatorStats } from '../../src/sandbox/openai/index.js';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

const run = promisify(execFile);

const SEED = { model: 'sora-2', prompt: 'A calm cinematic shot of a cat walking through a sunlit garden.', operation: 'text-to-video', duration: 4, aspect_ratio: '16:9' };

let gw: TestGateway;
let stats: OpenAISimulatorStats;
let faults: OpenAIFaultControls;
const images: Record<string, string> = {};

/** A solid PNG of an exact size as a data: URL (Sora needs the first frame at the output size). */
async function pngDataUrl(size: string, color: string): Promise<string> {
  const file = path.join(gw.dataDir, `${color}-${size}.png`);
  await run(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${color}:s=${size}`, '-frames:v', '1', file]);
  return `data:image/png;base64,${(await readFile(file)).toString('base64')}`;
}

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
  assert.equal(res.status, 200, `${JSON.stringify(body).slice(0, 200)} → ${await res.clone().text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function expect400(body: Record<string, unknown>, param: string, code: string): Promise<Record<string, any>> {
  const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
  const json = (await res.json()) as Record<string, any>;
  assert.equal(res.status, 400, JSON.stringify(json));
  assert.deepEqual(validateAgainst('ApiError', json), []);
  assert.equal(json.error.param, param, JSON.stringify(json));
  assert.equal(json.error.code, code, JSON.stringify(json));
  return json;
}

before(async () => {
  gw = await startTestGateway();
  const sim = gw.sandbox!.openai!;
  stats = sim.stats as OpenAISimulatorStats;
  faults = sim.faults as OpenAIFaultControls;
  images.landscape = await pngDataUrl('1280x720', 'red');
  images.portrait = await pngDataUrl('720x1280', 'red');
});
after(async () => gw.close());

describe('Sora (OpenAI) through the gateway', () => {
  it('every model × operation completes with a playable MP4 matching the request (seed example included)', async () => {
    const cases: Array<{ body: Record<string, unknown>; width: number; height: number }> = [
      { body: SEED, width: 1280, height: 720 },
      { body: { model: 'sora-2-pro', prompt: 'A lighthouse at dusk, waves crashing', duration: 4, size: '720x1280' }, width: 720, height: 1280 },
      { body: { model: 'sora-2', prompt: 'The red card starts to move', operation: 'image-to-video', image_url: images.landscape, duration: 4 }, width: 1280, height: 720 },
      { body: { model: 'sora-2-pro', prompt: 'The red card starts to move', image_url: images.portrait, duration: 4, aspect_ratio: '9:16' }, width: 720, height: 1280 },
      {
        body: { model: 'sora-2-pro-storyboard', prompt: 'Follow the storyboard', operation: 'image-to-video', image_url: images.landscape, duration: 4, aspect_ratio: '16:9', resolution: '720p' },
        width: 1280,
        height: 720,
      },
    ];
    const creates = stats.creates;
    const ids: string[] = [];
    for (const c of cases) ids.push(await create(c.body));
    for (const [i, id] of ids.entries()) {
      const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
      const want = cases[i];
      assert.equal(done.status, 'completed', `${want.body.model}: ${JSON.stringify(done)}`);
      assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
      assert.ok(done.video_url.startsWith(gw.url), 'the video is re-hosted by the gateway');
      const res = await fetch(done.video_url);
      assert.equal(res.status, 200);
      const file = path.join(gw.dataDir, `sora-${i}.mp4`);
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      const p = await ffprobeFile(file);
      assert.equal(p.codec, 'h264');
      assert.deepEqual([p.width, p.height], [want.width, want.height], String(want.body.model));
      assert.ok(Math.abs(p.duration - 4) < 0.2, `duration ${p.duration}`);
      assert.equal(p.hasAudio, true, 'Sora always generates audio');
      assert.deepEqual([done.video.width, done.video.height], [want.width, want.height]);
    }
    assert.equal(stats.creates, creates + cases.length, 'each task was submitted exactly once');
  });

  it('every documented rule of the family is a 400 before anything is sent upstream', async () => {
    const creates = stats.creates;
    const requests = (stats as { requests: number }).requests;
    const sizes = await expect400({ model: 'sora-2', prompt: 'x', size: '1792x1024' }, 'size', 'invalid_size');
    assert.deepEqual(sizes.error.allowed_sizes, ['1280x720', '720x1280']);
    assert.match(sizes.error.message, /1280x720, 720x1280/);
    await expect400({ model: 'sora-2-pro', prompt: 'x', size: '1024x1024' }, 'size', 'invalid_size');
    await expect400({ model: 'sora-2-pro', prompt: 'x', size: '1280x720', aspect_ratio: '9:16' }, 'size', 'conflicting_parameters');
    await expect400({ model: 'sora-2', prompt: 'x', resolution: '1080p' }, 'resolution', 'invalid_resolution');
    await expect400({ model: 'sora-2', prompt: 'x', duration: 5 }, 'duration', 'invalid_duration');
    await expect400({ model: 'sora-2', prompt: 'x', aspect_ratio: '1:1' }, 'aspect_ratio', 'invalid_aspect_ratio');
    await expect400({ model: 'sora-2', prompt: 'x', output_audio: false }, 'output_audio', 'unsupported_output_audio');
    await expect400({ model: 'sora-2-pro-storyboard', prompt: 'x', operation: 'text-to-video' }, 'operation', 'unsupported_operation');
    await expect400({ model: 'sora-2', prompt: 'x', operation: 'image-to-video' }, 'image_url', 'missing_required_parameter');
    await expect400({ model: 'sora-2', prompt: 'x', operation: 'start-end-to-video', start_image: images.landscape, end_image: images.landscape }, 'operation', 'unsupported_operation');
    assert.equal(stats.creates, creates);
    assert.equal((stats as { requests: number }).requests, requests, 'the simulator saw no request at all');
  });

  it('a first frame of another size is fitted to the output size (Sora refuses mismatches; the gateway scales and crops)', async () => {
    // example.com resolves to a 640x360 placeholder image in the sandbox; 9:16 needs 720x1280.
    const id = await create({ model: 'sora-2', prompt: 'x', image_url: 'https://example.com/first.png', duration: 4, aspect_ratio: '9:16' });
    const done = await waitForTask(gw, id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual([done.video.width, done.video.height], [720, 1280]);
  });

  it('a 429 storm on create, on every channel: the task still completes, waiting at least Retry-After each time', async () => {
    const faulted = (stats as { faulted: number }).faulted;
    faults.rateLimitNext(2, { retryAfterSeconds: 3, only: 'create' });
    // Azure OpenAI stands by for OpenAI in the sandbox: busy too, so each attempt fails over to it and then waits.
    const azure = gw.sandbox!['azure-openai']!;
    const azureFaulted = (azure.stats as OpenAISimulatorStats).faulted;
    (azure.faults as OpenAIFaultControls).rateLimitNext(2, { retryAfterSeconds: 3, only: 'create' });
    const started = Date.now();
    const id = await create({ ...SEED, prompt: 'A storm of rate limits, then a cat.' });
    const done = await waitForTask(gw, id, { timeoutMs: 60_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal((stats as { faulted: number }).faulted, faulted + 2);
    assert.equal((azure.stats as OpenAISimulatorStats).faulted, azureFaulted + 2);
    // Backoff alone would retry within ~3 s; two 3-second Retry-Afters take at least 6.
    assert.ok(Date.now() - started >= 6_000, `finished after ${Date.now() - started} ms`);
  });

  it('failed and moderated jobs become failed tasks with clear codes; no key leaks', async () => {
    const failedId = await create({ ...SEED, prompt: 'this one fails [sim:fail]' });
    const policyId = await create({ ...SEED, prompt: 'this one is blocked [sim:policy]' });
    const createBlockedId = await create({ ...SEED, prompt: 'blocked at the door [sim:policy-create]' });
    const failed = await waitForTask(gw, failedId);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error.code, 'upstream_error');
    assert.match(failed.error.message, /internal error/);
    const policy = await waitForTask(gw, policyId);
    assert.equal(policy.error.code, 'content_policy_violation');
    const blocked = await waitForTask(gw, createBlockedId);
    assert.equal(blocked.error.code, 'content_policy_violation');
    assert.match(blocked.error.message, /moderation/);

    const key = gw.sandbox!.openai!.credentials.OPENAI_API_KEY;
    assert.ok(key.startsWith('sk-proj-'));
    for (const task of [failed, policy, blocked]) assert.ok(!JSON.stringify(task).includes(key));
    assert.ok(!gw.logs.join('\n').includes(key), 'provider key in logs');
  });
});
