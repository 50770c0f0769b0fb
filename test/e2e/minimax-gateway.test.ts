/** MiniMax Hailuo through the public API, against the MiniMax simulator in the sandbox. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTask, probeTaskVideo, expectRefused } from '../helpers/e2e-provider.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import type { MinimaxFaultControls, MinimaxSimulatorStats } from '../../src/sandbox/minimax/index.js';

const IMG = 'https://example.com/minimax-e2e.jpg'; // a 640x360 (16:9) placeholder in the sandbox

let gw: TestGateway;
const stats = () => gw.sandbox!.minimax!.stats as MinimaxSimulatorStats;
const faults = () => gw.sandbox!.minimax!.faults as MinimaxFaultControls;

const create = (body: Record<string, unknown>) => createTask(gw, body);

const probeTask = (done: Record<string, any>, name: string) => probeTaskVideo(gw, done, name);

before(async () => {
  gw = await startTestGateway();
});
after(async () => gw.close());

describe('MiniMax Hailuo end to end', () => {
  it('every model × operation completes with a playable MP4 matching the request (plus the seed examples)', async () => {
    const cases: [Record<string, unknown>, { width: number; height: number; duration: number }][] = [
      [
        { model: 'hailuo-2.3-fast', operation: 'image-to-video', image_url: IMG, duration: 10 },
        { width: 1366, height: 768, duration: 10 },
      ],
      [
        { model: 'hailuo-2.3-standard', prompt: 'A paper boat drifts down a rainy street [Push in]' },
        { width: 1366, height: 768, duration: 6 },
      ],
      [
        { model: 'hailuo-2.3-standard', operation: 'image-to-video', image_url: IMG, prompt: 'Gentle wind' },
        { width: 1366, height: 768, duration: 6 },
      ],
      [
        { model: 'hailuo-2.3-pro', prompt: 'A hummingbird at a feeder', duration: 6 },
        { width: 1920, height: 1080, duration: 6 },
      ],
      [
        { model: 'hailuo-2.3-pro', operation: 'image-to-video', image_url: IMG },
        { width: 1920, height: 1080, duration: 6 },
      ],
      // The seed examples for this family, verbatim.
      [
        {
          model: 'hailuo-2.3-standard',
          prompt: 'The scene begins from the provided image and adds gentle natural motion.',
          operation: 'image-to-video',
          image_url: 'https://example.com/portrait.jpg',
          duration: 6,
          aspect_ratio: '16:9',
        },
        { width: 1366, height: 768, duration: 6 },
      ],
      [
        { model: 'hailuo-2.3-standard', prompt: 'Make this image come alive with gentle movement', operation: 'image-to-video', image_url: 'https://example.com/image.jpg', duration: 6 },
        { width: 1366, height: 768, duration: 6 },
      ],
    ];
    const ids = [];
    for (const [body] of cases) ids.push(await create(body));
    for (const [i, id] of ids.entries()) {
      const [body, want] = cases[i];
      const done = await waitForTask(gw, id, { timeoutMs: 180_000 });
      assert.equal(done.status, 'completed', `${JSON.stringify(body)} → ${JSON.stringify(done)}`);
      const p = await probeTask(done, `mm-${i}`);
      assert.equal(p.codec, 'h264');
      assert.deepEqual([p.width, p.height], [want.width, want.height], JSON.stringify(body));
      assert.ok(Math.abs(p.duration - want.duration) < 0.2, `duration ${p.duration} for ${JSON.stringify(body)}`);
      assert.equal(p.hasAudio, false, 'Hailuo output is silent');
      assert.deepEqual([done.video.width, done.video.height], [want.width, want.height]);
    }
  });

  it('every documented rule violation is a 400 before anything reaches MiniMax', async () => {
    const before = stats().creates;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ model: 'hailuo-2.3-fast', prompt: 'x', operation: 'text-to-video' }, 'unsupported_operation', 'operation'],
      [{ model: 'hailuo-2.3-fast', image_url: IMG, resolution: '1080p', duration: 10 }, 'invalid_duration', 'duration'],
      [{ model: 'hailuo-2.3-pro', prompt: 'x', duration: 10 }, 'invalid_duration', 'duration'],
      [{ model: 'hailuo-2.3-standard', prompt: 'x', resolution: '1080p' }, 'invalid_resolution', 'resolution'],
      [{ model: 'hailuo-2.3-standard', prompt: 'x', duration: 8 }, 'invalid_duration', 'duration'],
      [{ model: 'hailuo-2.3-standard', prompt: 'x', output_audio: true }, 'unsupported_output_audio', 'output_audio'],
      [{ model: 'hailuo-2.3-standard', prompt: 'x', aspect_ratio: '9:16' }, 'invalid_aspect_ratio', 'aspect_ratio'],
      [{ model: 'hailuo-2.3-standard', prompt: 'x'.repeat(2001) }, 'prompt_too_long', 'prompt'],
      [{ model: 'hailuo-2.3-standard', prompt: 'x', operation: 'image-to-video' }, 'missing_required_parameter', 'image_url'],
      [{ model: 'hailuo-2.3-standard', prompt: 'x', operation: 'reference-to-video', reference_images: [IMG] }, 'unsupported_operation', 'operation'],
    ];
    await expectRefused(gw, cases);
    assert.equal(stats().creates, before, 'nothing was submitted upstream');
  });

  it('a 429 storm (edge 429 with Retry-After) delays the task but it completes, honouring Retry-After', async () => {
    const faultedBefore = stats().faulted;
    faults().rateLimitNext(2, { http429: true, retryAfterSeconds: 3, only: 'create' });
    const started = Date.now();
    const done = await waitForTask(gw, await create({ model: 'hailuo-2.3-standard', prompt: 'storm test' }), { timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(stats().faulted - faultedBefore, 2);
    // Without Retry-After the engine's backoff would retry twice within about 3 s.
    assert.ok(Date.now() - started >= 6000, `completed after ${Date.now() - started} ms`);
  });

  it('rate limiting on HTTP 200 (base_resp 1002) is retried too', async () => {
    const done = await waitForTask(gw, await create({ model: 'hailuo-2.3-standard', prompt: 'busy once [sim:429-once]' }), { timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
  });

  it('failed jobs and refusals become failed tasks with clear codes, without secrets', async () => {
    const failed = await waitForTask(gw, await create({ model: 'hailuo-2.3-standard', prompt: 'this fails [sim:fail]' }), { timeoutMs: 120_000 });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error.code, 'upstream_error');
    assert.match(failed.error.message, /MiniMax/);
    const policyIn = await waitForTask(gw, await create({ model: 'hailuo-2.3-standard', prompt: 'bad words [sim:policy]' }), { timeoutMs: 120_000 });
    assert.deepEqual([policyIn.status, policyIn.error.code], ['failed', 'content_policy_violation']);
    const policyOut = await waitForTask(gw, await create({ model: 'hailuo-2.3-standard', prompt: 'bad output [sim:policy-output]' }), { timeoutMs: 120_000 });
    assert.deepEqual([policyOut.status, policyOut.error.code], ['failed', 'content_policy_violation']);
    const balance = await waitForTask(gw, await create({ model: 'hailuo-2.3-standard', prompt: 'no money [sim:balance]' }), { timeoutMs: 120_000 });
    assert.deepEqual([balance.status, balance.error.code], ['failed', 'upstream_quota_exceeded']);

    const key = gw.sandbox!.minimax!.credentials.MINIMAX_API_KEY;
    assert.ok(key.length > 8);
    for (const t of [failed, policyIn, policyOut, balance]) assert.ok(!JSON.stringify(t).includes(key));
    assert.ok(!gw.logs.join('\n').includes(key), 'provider key in logs');
  });
});
