/** Alibaba Wan (DashScope) through the public API, against the DashScope simulator in the sandbox. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTask, probeTaskVideo, expectRefused } from '../helpers/e2e-provider.js';
import { startTestGateway, waitForStatus, waitForTask, type TestGateway } from '../helpers/gateway.js';
import type { DashScopeFaultControls, DashScopeSimulatorStats } from '../../src/sandbox/dashscope/index.js';

const IMG = 'https://example.com/wan-e2e.jpg'; // a 640x360 (16:9) placeholder in the sandbox

let gw: TestGateway;
const stats = () => gw.sandbox!.dashscope!.stats as DashScopeSimulatorStats;
const faults = () => gw.sandbox!.dashscope!.faults as DashScopeFaultControls;

const create = (body: Record<string, unknown>) => createTask(gw, body);

before(async () => {
  gw = await startTestGateway();
});
after(async () => gw.close());

describe('Alibaba Wan (DashScope) end to end', () => {
  it('every model × operation completes with a playable MP4 matching the request', async () => {
    type Want = { width: number; height: number; duration: number; audio: boolean };
    const cases: [Record<string, unknown>, Want][] = [
      [
        { model: 'wan-2.2-plus', prompt: 'A lighthouse in a storm', resolution: '480p' },
        { width: 832, height: 480, duration: 5, audio: false },
      ],
      [
        { model: 'wan-2.2-plus', operation: 'image-to-video', image_url: IMG, resolution: '480p' },
        { width: 832, height: 480, duration: 5, audio: false },
      ],
      [
        { model: 'wan-2.5', prompt: 'A dancer on a rooftop', resolution: '480p', aspect_ratio: '9:16' },
        { width: 480, height: 832, duration: 5, audio: true },
      ],
      [
        { model: 'wan-2.5', operation: 'image-to-video', image_url: IMG, audio_url: 'https://example.com/song.mp3', resolution: '480p' },
        { width: 832, height: 480, duration: 5, audio: true },
      ],
      [
        { model: 'wan-2.6', prompt: 'A cat on a windowsill', resolution: '720p', aspect_ratio: '1:1', output_audio: false },
        { width: 960, height: 960, duration: 5, audio: false },
      ],
      [
        { model: 'wan-2.6', operation: 'image-to-video', image_url: IMG, prompt: 'Gentle wind', resolution: '720p' },
        { width: 1280, height: 720, duration: 5, audio: true },
      ],
      [
        {
          model: 'wan-2.6',
          operation: 'reference-to-video',
          prompt: 'character1 dances like character2',
          reference_images: [IMG],
          video_urls: ['https://example.com/dance.mp4'],
          resolution: '720p',
          aspect_ratio: '16:9',
        },
        { width: 1280, height: 720, duration: 5, audio: true },
      ],
    ];
    const ids = [];
    for (const [body] of cases) ids.push(await create(body));
    for (const [i, id] of ids.entries()) {
      const [body, want] = cases[i];
      const done = await waitForTask(gw, id, { timeoutMs: 180_000 });
      assert.equal(done.status, 'completed', `${JSON.stringify(body)} → ${JSON.stringify(done)}`);
      const p = await probeTaskVideo(gw, done, `wan-${i}`);
      assert.equal(p.codec, 'h264');
      assert.deepEqual([p.width, p.height], [want.width, want.height], JSON.stringify(body));
      assert.ok(Math.abs(p.duration - want.duration) < 0.2, `duration ${p.duration}`);
      assert.equal(p.hasAudio, want.audio, `audio for ${JSON.stringify(body)}`);
    }
  });

  it('every documented rule violation is a 400 before anything reaches DashScope', async () => {
    const before = stats().creates;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ model: 'wan-2.2-plus', prompt: 'x', duration: 10 }, 'invalid_duration', 'duration'],
      [{ model: 'wan-2.2-plus', prompt: 'x', resolution: '720p' }, 'invalid_resolution', 'resolution'],
      [{ model: 'wan-2.2-plus', prompt: 'x', audio_url: 'https://example.com/a.mp3' }, 'unsupported_parameter', 'audio_url'],
      [{ model: 'wan-2.2-plus', prompt: 'x', output_audio: true }, 'unsupported_output_audio', 'output_audio'],
      [{ model: 'wan-2.5', prompt: 'x', output_audio: false }, 'unsupported_output_audio', 'output_audio'],
      [{ model: 'wan-2.5', prompt: 'x', duration: 15 }, 'invalid_duration', 'duration'],
      [{ model: 'wan-2.6', prompt: 'x', resolution: '480p' }, 'invalid_resolution', 'resolution'],
      [{ model: 'wan-2.6', prompt: 'x', aspect_ratio: '21:9' }, 'invalid_aspect_ratio', 'aspect_ratio'],
      [{ model: 'wan-2.6', prompt: 'x'.repeat(1501) }, 'prompt_too_long', 'prompt'],
      [{ model: 'wan-2.6', operation: 'reference-to-video', prompt: 'x', reference_images: [IMG], duration: 15 }, 'invalid_duration', 'duration'],
      [{ model: 'wan-2.6', operation: 'reference-to-video', prompt: 'x', reference_images: [IMG, IMG, IMG, IMG] }, 'too_many_references', 'reference_images'],
      [{ model: 'wan-2.5', operation: 'reference-to-video', prompt: 'x', reference_images: [IMG] }, 'unsupported_operation', 'operation'],
    ];
    await expectRefused(gw, cases);
    assert.equal(stats().creates, before, 'nothing was submitted upstream');
  });

  it('480p has no 4:3 size: a 400 naming aspect_ratio, before anything reaches DashScope', async () => {
    const before = stats().requests;
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'wan-2.5', prompt: 'x', resolution: '480p', aspect_ratio: '4:3' } });
    assert.equal(res.status, 400);
    const err = ((await res.json()) as any).error;
    assert.deepEqual([err.code, err.param], ['invalid_aspect_ratio', 'aspect_ratio']);
    assert.match(err.message, /4:3/);
    assert.equal(stats().requests, before);
  });

  it('a 429 storm delays the task but it completes, honouring Retry-After', async () => {
    const faultedBefore = stats().faulted;
    faults().rateLimitNext(2, { retryAfterSeconds: 3, only: 'create' });
    const started = Date.now();
    const done = await waitForTask(gw, await create({ model: 'wan-2.2-plus', prompt: 'storm test', resolution: '480p' }), { timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(stats().faulted - faultedBefore, 2);
    assert.ok(Date.now() - started >= 6000, `completed after ${Date.now() - started} ms`);
  });

  it('DELETE of a task still PENDING upstream cancels it there (POST /tasks/{id}/cancel, as the DashScope SDK does)', async () => {
    const cancelsBefore = stats().cancels;
    // [sim:hang] keeps the upstream task PENDING, the only state DashScope cancels.
    const id = await create({ model: 'wan-2.2-plus', prompt: 'waits in the queue [sim:hang]', resolution: '480p' });
    await waitForStatus(gw, id, ['processing'], 60_000);
    const res = await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as any;
    assert.deepEqual([body.status, body.cancelled, body.cancellation_status, body.error.code], ['failed', true, 'cancelled', 'task_cancelled']);
    assert.equal(stats().cancels, cancelsBefore + 1, 'the upstream task was cancelled');
  });

  it('failed tasks and moderation refusals become failed tasks with clear codes, without secrets', async () => {
    const failed = await waitForTask(gw, await create({ model: 'wan-2.2-plus', prompt: 'this fails [sim:fail]', resolution: '480p' }), { timeoutMs: 120_000 });
    assert.deepEqual([failed.status, failed.error.code], ['failed', 'upstream_error']);
    assert.match(failed.error.message, /Wan/);
    const policyIn = await waitForTask(gw, await create({ model: 'wan-2.2-plus', prompt: 'bad [sim:policy]', resolution: '480p' }), { timeoutMs: 120_000 });
    assert.deepEqual([policyIn.status, policyIn.error.code], ['failed', 'content_policy_violation']);
    const policyOut = await waitForTask(gw, await create({ model: 'wan-2.2-plus', prompt: 'bad [sim:policy-output]', resolution: '480p' }), { timeoutMs: 120_000 });
    assert.deepEqual([policyOut.status, policyOut.error.code], ['failed', 'content_policy_violation']);
    const key = gw.sandbox!.dashscope!.credentials.DASHSCOPE_API_KEY;
    for (const t of [failed, policyIn, policyOut]) assert.ok(!JSON.stringify(t).includes(key));
    assert.ok(!gw.logs.join('\n').includes(key), 'provider key in logs');
  });
});
