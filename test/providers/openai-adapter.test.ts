/** The Sora adapter against the real Sora simulator over loopback: submit, poll, openOutput, errors. */
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { fitImage } from '../../src/media/fit-image.js';
import { createMediaLoader } from '../../src/media/fetcher.js';
import { createOpenAIAdapter } from '../../src/providers/openai/index.js';
import { UpstreamError, type AdapterContext, type PollResult, type ProviderAdapter } from '../../src/providers/types.js';
import { startOpenAISimulator, type OpenAISimulator } from '../../src/sandbox/openai/index.js';
import { colorAt, isReddish, probe, solidImage, tempDir } from '../sandbox/media-helpers.js';

const KEY = 'sk-proj-adapterTestKey_0123456789abcdef';

let sim: OpenAISimulator;
let adapter: ProviderAdapter;
let dir: string;
let cleanup: () => Promise<void>;

const ctx: AdapterContext = {
  loadMedia: createMediaLoader({ allowPrivateNetwork: false, maxBytes: { image: 10 << 20, video: 10 << 20, audio: 10 << 20 }, timeoutMs: 5_000 }),
  probeVideo: async () => {
    throw new Error('not used by the Sora adapter');
  },
  fitImage,
};

function request(over: Partial<ResolvedVideoRequest> = {}): ResolvedVideoRequest {
  return {
    model: 'sora-2',
    operation: 'text-to-video',
    operation_explicit: true,
    prompt: 'A calm cinematic shot of a cat walking through a sunlit garden.',
    duration: 4,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: true,
    upstream_model: 'sora-2',
    sent: ['model', 'prompt', 'duration', 'aspect_ratio'],
    ...over,
  };
}

async function pollUntilDone(id: string): Promise<{ result: PollResult; seen: PollResult[] }> {
  const seen: PollResult[] = [];
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await adapter.poll(id, ctx);
    seen.push(result);
    if (result.state !== 'queued' && result.state !== 'running') return { result, seen };
    if (Date.now() > deadline) throw new Error(`job ${id} not done`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function save(result: PollResult, name: string): Promise<string> {
  assert.equal(result.state, 'succeeded', JSON.stringify(result));
  if (result.state !== 'succeeded') throw new Error('unreachable');
  const opened = await adapter.openOutput(result.outputs[0], ctx);
  assert.equal(opened.contentType, 'video/mp4');
  const path = join(dir, name);
  await pipeline(opened.body, createWriteStream(path));
  return path;
}

function rejectsWith(kind: UpstreamError['kind'], check?: (e: UpstreamError) => void) {
  return (err: unknown) => {
    assert.ok(err instanceof UpstreamError, String(err));
    assert.equal(err.kind, kind, err.message);
    check?.(err);
    return true;
  };
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-openai-adapter-'));
  sim = await startOpenAISimulator({ apiKey: KEY, speed: 40, workDir: join(dir, 'work') });
  adapter = createOpenAIAdapter({ apiKey: KEY, baseUrl: sim.baseUrl, timeoutMs: 5_000 });
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('Sora adapter ↔ simulator', () => {
  it('text-to-video: submit → poll with progress and poll-after hints → openOutput streams the MP4', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 'ldtask_t2v', request: request() }, ctx);
    assert.match(upstreamId, /^video_/);
    const { result, seen } = await pollUntilDone(upstreamId);
    const pending = seen.filter((r) => r.state === 'queued' || r.state === 'running');
    assert.ok(pending.length > 0);
    for (const r of pending) {
      if (r.state !== 'queued' && r.state !== 'running') continue;
      assert.ok(r.progress !== undefined && r.progress >= 0 && r.progress <= 100, JSON.stringify(r));
      assert.ok(r.retryAfterSeconds !== undefined && r.retryAfterSeconds > 0, 'openai-poll-after-ms is passed on');
    }
    const downloadsBefore = sim.stats.downloads;
    const p = await probe(await save(result, 't2v.mp4'));
    assert.equal(sim.stats.downloads, downloadsBefore + 1);
    assert.ok(Math.abs(p.duration - 4) < 0.1);
    assert.deepEqual([p.video?.width, p.video?.height], [1280, 720]);
    assert.ok(p.audio, 'Sora videos have audio');
  });

  it('storyboard image-to-video: a data: URL of the exact size is uploaded and used as the first frame', async () => {
    const red = await solidImage(dir, 'red', 'board.png', '720x1280');
    const req = request({
      model: 'sora-2-pro-storyboard',
      upstream_model: 'sora-2-pro',
      operation: 'image-to-video',
      aspect_ratio: '9:16',
      image_url: `data:image/png;base64,${red.toString('base64')}`,
    });
    const { upstreamId } = await adapter.submit({ taskId: 'ldtask_i2v', request: req }, ctx);
    const { result } = await pollUntilDone(upstreamId);
    const path = await save(result, 'i2v.mp4');
    const p = await probe(path);
    assert.deepEqual([p.video?.width, p.video?.height], [720, 1280]);
    assert.ok(isReddish(await colorAt(path, 0)));
  });

  it('a first frame of another size is scaled and cropped to the output size, and the simulator (which checks sizes like Sora) takes it', async () => {
    const small = await solidImage(dir, 'blue', 'small.png', '640x360');
    const { upstreamId } = await adapter.submit({ taskId: 'ldtask_fit', request: request({ operation: 'image-to-video', image_url: `data:image/png;base64,${small.toString('base64')}` }) }, ctx);
    const { result } = await pollUntilDone(upstreamId);
    const p = await probe(await save(result, 'fit.mp4'));
    assert.deepEqual([p.video?.width, p.video?.height], [1280, 720]);
  });

  it('without a fitter, a first frame of another size fails before anything is sent', async () => {
    const small = await solidImage(dir, 'blue', 'small2.png', '640x360');
    const requests = sim.stats.requests;
    const { fitImage: _unused, ...noFit } = ctx;
    await assert.rejects(
      adapter.submit({ taskId: 'ldtask_bad', request: request({ operation: 'image-to-video', image_url: `data:image/png;base64,${small.toString('base64')}` }) }, noFit),
      rejectsWith('invalid_input', (e) => assert.match(e.message, /exactly 1280x720 pixels; resize or crop/)),
    );
    assert.equal(sim.stats.requests, requests, 'no request reached the upstream');
  });

  it('429 → rate_limited with Retry-After; 503 → unavailable; nothing is created', async () => {
    const creates = sim.stats.creates;
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 9, only: 'create' });
    await assert.rejects(
      adapter.submit({ taskId: 't', request: request() }, ctx),
      rejectsWith('rate_limited', (e) => assert.equal(e.retryAfterSeconds, 9)),
    );
    sim.faults.serverErrorNext(1, { status: 503 });
    await assert.rejects(adapter.submit({ taskId: 't', request: request() }, ctx), rejectsWith('unavailable'));
    assert.equal(sim.stats.creates, creates);
  });

  it('moderation at create and on the job → content policy; a failed job keeps its message', async () => {
    await assert.rejects(adapter.submit({ taskId: 't', request: request({ prompt: 'nope [sim:policy-create]' }) }, ctx), rejectsWith('content_policy'));
    const moderated = await adapter.submit({ taskId: 't', request: request({ prompt: 'nope [sim:policy]' }) }, ctx);
    const m = await pollUntilDone(moderated.upstreamId);
    assert.equal(m.result.state, 'failed');
    if (m.result.state === 'failed') assert.equal(m.result.error.code, 'content_policy_violation');
    sim.faults.failNextJob({ code: 'internal_error', message: 'Video generation failed due to an internal error.' });
    const failed = await adapter.submit({ taskId: 't', request: request({ prompt: 'plain failure' }) }, ctx);
    const f = await pollUntilDone(failed.upstreamId);
    assert.deepEqual(f.result, { state: 'failed', error: { code: 'upstream_error', message: 'Video generation failed due to an internal error.' } });
  });

  it('a wrong key is an auth error that never shows the key', async () => {
    const wrongKey = 'sk-proj-WRONGwrongWRONG0123456789';
    const wrong = createOpenAIAdapter({ apiKey: wrongKey, baseUrl: sim.baseUrl });
    await assert.rejects(
      wrong.submit({ taskId: 't', request: request() }, ctx),
      rejectsWith('auth', (e) => {
        assert.ok(!e.message.includes(wrongKey) && !e.message.includes('6789'), e.message);
      }),
    );
  });

  it('polling an unknown id is not_found; odd ids and foreign output URLs are refused without a request', async () => {
    await assert.rejects(adapter.poll('video_doesnotexist', ctx), rejectsWith('not_found'));
    const requests = sim.stats.requests;
    await assert.rejects(adapter.poll('../../etc', ctx), rejectsWith('not_found'));
    await assert.rejects(adapter.openOutput({ kind: 'video', url: 'https://evil.example/videos/x/content' }, ctx), rejectsWith('not_found'));
    assert.equal(sim.stats.requests, requests);
  });

  it('a slow upstream is a timeout', async () => {
    const slow = createOpenAIAdapter({ apiKey: KEY, baseUrl: sim.baseUrl, timeoutMs: 150 });
    sim.faults.setLatency(1_000);
    try {
      await assert.rejects(slow.poll('video_abc', ctx), rejectsWith('timeout'));
    } finally {
      sim.faults.setLatency(0);
    }
  });
});
