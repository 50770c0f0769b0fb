/**
 * Topaz through the whole gateway (sandbox): the seed example upscales the placeholder source
 * (3 s, 640x360) to 1080p; rule violations are 400s that never reach the simulator; a 429 storm,
 * a failed job and missing credits end as documented.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import type { TopazFaultControls, TopazSimulatorStats } from '../../src/sandbox/topaz/index.js';

const SEED = { model: 'topaz-video-upscale', operation: 'video-to-video', video_url: 'https://example.com/source.mp4', prompt: 'Upscale this clip while preserving the original motion.' };

const VIOLATIONS: [string, Record<string, unknown>, string][] = [
  ['no video_url', { model: 'topaz-video-upscale', operation: 'video-to-video', prompt: 'x' }, 'video_url'],
  ['a duration (the output follows the source)', { ...SEED, duration: 5 }, 'duration'],
  ['720p (upscaling targets 1080p or 4k)', { ...SEED, resolution: '720p' }, 'resolution'],
  ['an aspect ratio', { ...SEED, aspect_ratio: '16:9' }, 'aspect_ratio'],
  ['output_audio', { ...SEED, output_audio: true }, 'output_audio'],
  ['text-to-video', { model: 'topaz-video-upscale', prompt: 'x' }, 'operation'],
  ['image inputs', { ...SEED, image_url: 'https://example.com/a.png' }, 'image_url'],
];

describe('Topaz through the gateway', () => {
  let gw: TestGateway;
  let stats: TopazSimulatorStats;
  let faults: TopazFaultControls;
  before(async () => {
    gw = await startTestGateway();
    stats = gw.sandbox!.topaz!.stats as TopazSimulatorStats;
    faults = gw.sandbox!.topaz!.faults as TopazFaultControls;
  });
  after(async () => gw.close());

  async function create(body: Record<string, unknown>): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  }

  async function expectUpscaled(id: string): Promise<void> {
    const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
    const file = join(gw.dataDir, `${id}.mp4`);
    await writeFile(file, Buffer.from(await (await fetch(done.video_url)).arrayBuffer()));
    const p = await ffprobeFile(file);
    assert.deepEqual([p.width, p.height, p.hasAudio, p.codec], [1920, 1080, false, 'h264']);
    assert.ok(Math.abs(p.duration - 3) < 0.2, `duration ${p.duration}`);
    assert.deepEqual([done.video.width, done.video.height, done.has_audio], [1920, 1080, false]);
  }

  it('the seed example completes: the 640x360 source comes back at 1920x1080, same length', async () => {
    await expectUpscaled(await create(SEED));
  });

  it('rule violations are 400s naming the parameter, and nothing reaches the upstream', async () => {
    const before = stats.creates;
    for (const [name, body, param] of VIOLATIONS) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      assert.equal(res.status, 400, `${name}: ${await res.clone().text()}`);
      const err = ((await res.json()) as any).error;
      assert.equal(err.param, param, `${name}: ${JSON.stringify(err)}`);
      assert.ok(err.message.length > 20);
    }
    assert.equal(stats.creates, before);
  });

  it('a 429 storm on create: the task still completes', async () => {
    const faultedBefore = stats.faulted;
    // 3 s each: without honouring Retry-After the engine's own backoff would retry within 3 s in total.
    faults.rateLimitNext(2, { retryAfterSeconds: 3, only: 'create' });
    const started = Date.now();
    await expectUpscaled(await create(SEED));
    assert.equal(stats.faulted, faultedBefore + 2);
    assert.ok(Date.now() - started >= 5900, 'each retry waited the Retry-After');
  });

  it('a 503 on accept: the task is sent again; only the second request runs', async () => {
    const before = { creates: stats.creates, accepts: stats.accepts, completes: stats.completes };
    faults.serverErrorNext(1, { status: 503, only: 'accept' });
    await expectUpscaled(await create(SEED));
    // Two creates (free estimates); the first was never accepted (no credits held) nor uploaded, so
    // one job ran. The chaos test counts Topaz's jobs by completed uploads for this reason.
    assert.deepEqual([stats.creates - before.creates, stats.accepts - before.accepts, stats.completes - before.completes], [2, 1, 1]);
  });

  it('a failed job and missing credits fail the task with a clear code', async () => {
    faults.failNextJob({ message: 'The enhancement pipeline failed on frame 12.' });
    const failed = await waitForTask(gw, await create(SEED));
    assert.deepEqual([failed.status, failed.error.code, failed.error.message], ['failed', 'upstream_error', 'The enhancement pipeline failed on frame 12.']);

    faults.insufficientCreditsNext();
    const broke = await waitForTask(gw, await create(SEED));
    assert.equal(broke.status, 'failed');
    assert.equal(broke.error.code, 'upstream_quota_exceeded');
    assert.match(broke.error.message, /Insufficient credits/);
    const key = gw.sandbox!.topaz!.credentials.TOPAZ_API_KEY;
    assert.ok(!JSON.stringify([failed, broke]).includes(key) && !gw.logs.join('\n').includes(key), 'no provider key leaks');
  });
});
