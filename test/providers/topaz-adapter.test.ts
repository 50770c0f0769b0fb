/** The Topaz adapter against the Topaz simulator over loopback: fetch + probe, create/accept/upload/complete, poll, download. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { probeVideo, probeVideoBytes } from '../../src/media/probe.js';
import { createTopazAdapter } from '../../src/providers/topaz/index.js';
import type { UpstreamError, AdapterContext, PollResult, ProviderAdapter } from '../../src/providers/types.js';
import { placeholderMedia } from '../../src/sandbox/example-media.js';
import { startTopazSimulator, type TopazSimulator } from '../../src/sandbox/topaz/index.js';

const KEY = 'topaz-adapter-test-key-0123456789abcdef';
let sim: TopazSimulator;
let adapter: ProviderAdapter;
let dir: string;
const loaded: string[] = [];

const ctx: AdapterContext = {
  loadMedia: async (url, kind) => {
    loaded.push(`${kind}:${url}`);
    if (url === 'https://example.com/not-a-video.mp4') return { bytes: Buffer.from('definitely not a video'), mimeType: 'video/mp4' };
    return placeholderMedia(url, kind);
  },
  probeVideo: (bytes) => probeVideoBytes(bytes, join(dir, 'probe')),
};

function req(over: Partial<ResolvedVideoRequest> = {}): ResolvedVideoRequest {
  return {
    model: 'topaz-video-upscale',
    operation: 'video-to-video',
    operation_explicit: true,
    sent: [],
    video_url: 'https://example.com/source.mp4',
    prompt: 'Upscale this clip',
    duration: 10,
    resolution: '1080p',
    aspect_ratio: 'adaptive',
    output_audio: false,
    upstream_model: 'prob-4',
    ...over,
  };
}

async function until(id: string): Promise<{ final: PollResult; progress: number[] }> {
  const deadline = Date.now() + 30_000;
  const progress: number[] = [];
  for (;;) {
    const r = await adapter.poll(id, ctx);
    if ((r.state === 'running' || r.state === 'queued') && r.progress !== undefined) progress.push(r.progress);
    if (r.state !== 'queued' && r.state !== 'running') return { final: r, progress };
    if (Date.now() > deadline) throw new Error(`stuck: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidgate-topaz-adapter-'));
  sim = await startTopazSimulator({ apiKey: KEY, workDir: join(dir, 'sim'), speed: 40, partBytes: 1024 });
  adapter = createTopazAdapter({ apiKey: KEY, baseUrl: sim.baseUrl, minPartBytes: 1024 });
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Topaz adapter ↔ simulator', () => {
  it('uploads the probed source in parts, reports progress, and downloads the upscaled MP4', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 't1', request: req() }, ctx);
    assert.deepEqual(loaded.splice(0), ['video:https://example.com/source.mp4']);
    assert.ok(sim.stats.uploads >= 2, `multi-part upload (${sim.stats.uploads} parts)`);
    assert.equal(sim.stats.completes, 1);
    const { final, progress } = await until(upstreamId);
    assert.equal(final.state, 'succeeded', JSON.stringify(final));
    assert.ok(
      progress.some((p) => p > 0 && p < 100),
      `progress seen: ${progress.join(',')}`,
    );
    if (final.state !== 'succeeded') return;
    const opened = await adapter.openOutput(final.outputs[0], ctx);
    const chunks: Buffer[] = [];
    for await (const c of opened.body) chunks.push(c as Buffer);
    const file = join(dir, 'out.mp4');
    await writeFile(file, Buffer.concat(chunks));
    const p = await probeVideo(file);
    assert.deepEqual([p.width, p.height, p.hasAudio], [1920, 1080, false]);
    assert.ok(Math.abs(p.durationSeconds - 3) < 0.2);
  });

  it('maps refusals: insufficient credits → quota; a failed job; a non-video source; a wrong key', async () => {
    sim.faults.insufficientCreditsNext();
    await assert.rejects(adapter.submit({ taskId: 't2', request: req() }, ctx), (e: UpstreamError) => e.kind === 'quota' && /Insufficient credits/.test(e.message));

    sim.faults.failNextJob({ message: 'Frame decoding failed.' });
    const failed = await adapter.submit({ taskId: 't3', request: req() }, ctx);
    assert.deepEqual((await until(failed.upstreamId)).final, { state: 'failed', error: { code: 'upstream_error', message: 'Frame decoding failed.' } });

    await assert.rejects(
      adapter.submit({ taskId: 't4', request: req({ video_url: 'https://example.com/not-a-video.mp4' }) }, ctx),
      (e: UpstreamError) => e.kind === 'invalid_input' && /not a playable video/.test(e.message),
    );

    sim.faults.rateLimitNext(1, { retryAfterSeconds: 6, only: 'create' });
    await assert.rejects(adapter.submit({ taskId: 't5', request: req() }, ctx), (e: UpstreamError) => e.kind === 'rate_limited' && e.retryAfterSeconds === 6);

    const wrongKey = 'topaz-wrong-key-abcdefghijklmnopqrstuvwxyz';
    const bad = createTopazAdapter({ apiKey: wrongKey, baseUrl: sim.baseUrl });
    await assert.rejects(bad.submit({ taskId: 't6', request: req() }, ctx), (e: UpstreamError) => e.kind === 'auth' && !e.message.includes(wrongKey));
    await assert.rejects(adapter.poll('../etc/passwd', ctx), (e: UpstreamError) => e.kind === 'not_found');
  });

  it('retries a part that failed transiently, in place', async () => {
    sim.faults.serverErrorNext(1, { status: 503, only: 'upload' });
    const before = sim.stats.faulted;
    const { upstreamId } = await adapter.submit({ taskId: 't7', request: req() }, ctx);
    assert.equal(sim.stats.faulted, before + 1);
    assert.equal((await until(upstreamId)).final.state, 'succeeded');
  });

  it('releases the accepted request (DELETE, credits refunded) when the upload fails for good', async () => {
    sim.faults.serverErrorNext(3, { status: 503, only: 'upload' });
    const before = { cancels: sim.stats.cancels, completes: sim.stats.completes, accepts: sim.stats.accepts };
    await assert.rejects(adapter.submit({ taskId: 't8', request: req() }, ctx), (e: UpstreamError) => e.kind === 'unavailable' && /Uploading the source video/.test(e.message));
    assert.equal(sim.stats.accepts, before.accepts + 1);
    assert.equal(sim.stats.completes, before.completes, 'nothing was queued for processing');
    assert.equal(sim.stats.cancels, before.cancels + 1, 'the request holding the credits was released');
  });

  it('cancels a request that has not finished: canceling (still running), then canceled', async () => {
    sim.faults.hangNextJob();
    const { upstreamId } = await adapter.submit({ taskId: 't9', request: req() }, ctx);
    assert.equal(await adapter.cancel!(upstreamId, ctx), true);
    const right = await adapter.poll(upstreamId, ctx);
    assert.equal(right.state, 'running', 'canceling is not final yet');
    const { final } = await until(upstreamId);
    assert.equal(final.state, 'cancelled');
    // Topaz's OpenAPI: DELETE on a request already canceling or canceled is 204 ("already canceled or in progress").
    const cancelsBefore = sim.stats.cancels;
    assert.equal(await adapter.cancel!(upstreamId, ctx), true, 'an already cancelled request stays cancelled');
    assert.equal(sim.stats.cancels, cancelsBefore, 'no second cancellation happened upstream');
    sim.faults.failNextJob();
    const { upstreamId: failedId } = await adapter.submit({ taskId: 't10', request: req() }, ctx);
    assert.equal((await until(failedId)).final.state, 'failed');
    assert.equal(await adapter.cancel!(failedId, ctx), false, 'a finished request refuses');
  });
});
