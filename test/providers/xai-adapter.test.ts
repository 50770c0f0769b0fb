/** The xAI adapter against the Grok Imagine simulator: submit, poll, openOutput, errors. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createXaiAdapter } from '../../src/providers/xai/index.js';
import type { UpstreamError, AdapterContext, PollResult, ProviderAdapter } from '../../src/providers/types.js';
import { startXaiSimulator, type XaiSimulator } from '../../src/sandbox/xai/index.js';
import { probe, tempDir } from '../sandbox/media-helpers.js';

const KEY = 'xai-adapterTestKey-0123456789abcdef';
let sim: XaiSimulator;
let adapter: ProviderAdapter;
let dir: string;
let cleanup: () => Promise<void>;

/** xAI fetches inputs itself: the adapter must never ask the gateway to load media. */
const ctx: AdapterContext = {
  loadMedia: async () => assert.fail('the xAI adapter must pass inputs through, not load them'),
  probeVideo: async () => assert.fail('not needed'),
};

function req(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'grok-imagine-video',
    upstream_model: 'grok-imagine-video',
    operation: 'text-to-video',
    operation_explicit: true,
    duration: 1,
    resolution: '480p',
    aspect_ratio: '16:9',
    output_audio: true,
    sent: [],
    ...over,
  };
}

async function run(request: ResolvedVideoRequest): Promise<{ final: PollResult; progress: number[] }> {
  const { upstreamId } = await adapter.submit({ taskId: 'ldtask_test', request }, ctx);
  const progress: number[] = [];
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await adapter.poll(upstreamId, ctx);
    if (r.state === 'running' && r.progress !== undefined) progress.push(r.progress);
    if (r.state !== 'running' && r.state !== 'queued') return { final: r, progress };
    if (Date.now() > deadline) throw new Error('not finished');
    await new Promise((res) => setTimeout(res, 40));
  }
}

async function downloadTo(final: PollResult, name: string) {
  assert.equal(final.state, 'succeeded', JSON.stringify(final));
  if (final.state !== 'succeeded') throw new Error();
  const opened = await adapter.openOutput(final.outputs[0], ctx);
  assert.equal(opened.contentType, 'video/mp4');
  const chunks: Buffer[] = [];
  for await (const c of opened.body) chunks.push(c as Buffer);
  const path = join(dir, name);
  await writeFile(path, Buffer.concat(chunks));
  return probe(path);
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-xai-adapter-'));
  sim = await startXaiSimulator({ apiKey: KEY, speed: 40, workDir: join(dir, 'work') });
  // xAI sometimes answers a pending job with 202 and no body at all: the adapter reads it as pending.
  sim.faults.emptyPendingBodies();
  adapter = createXaiAdapter({ apiKey: KEY, baseUrl: sim.baseUrl, timeoutMs: 5000 });
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('xAI adapter ↔ simulator', () => {
  it('text-to-video: submit → running with progress → succeeded; the output downloads with no credentials', async () => {
    const { final, progress } = await run(req({ prompt: 'A paper boat on a stream', duration: 2, aspect_ratio: '9:16' }));
    assert.ok(progress.length > 0, 'the adapter reported upstream progress');
    const p = await downloadTo(final, 't2v.mp4');
    assert.ok(Math.abs(p.duration - 2) < 0.2);
    assert.deepEqual([p.video?.width, p.video?.height], [480, 854]);
    assert.ok(p.audio);
    assert.equal(sim.stats.downloadsWithAuthorization, 0);
    assert.ok(sim.stats.downloads >= 1);
  });

  it('image-to-video (data URI), reference-to-video, edit and upscale all complete', async () => {
    const dataUri = `data:image/png;base64,${Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex').toString('base64')}`;
    const runs = await Promise.all([
      run(req({ operation: 'image-to-video', prompt: 'go', image: dataUri, aspect_ratio: '1:1' })),
      run(req({ operation: 'reference-to-video', reference_images: ['https://example.com/a.png', 'https://example.com/b.png'], duration: 2 })),
      run(req({ operation: 'video-to-video', prompt: 'make it snow', video_url: 'https://example.com/clip.mp4', aspect_ratio: 'adaptive' })),
      run(req({ model: 'grok-imagine-upscale', operation: 'video-to-video', video_url: 'https://example.com/clip.mp4', aspect_ratio: 'adaptive' })),
      run(req({ model: 'grok-imagine-video-1.5-preview', upstream_model: 'grok-imagine-video-1.5', operation: 'image-to-video', image_url: 'https://example.com/a.png' })),
    ]);
    const [i2v, r2v, edit, upscale, preview] = await Promise.all(runs.map((r, i) => downloadTo(r.final, `op${i}.mp4`)));
    assert.deepEqual([i2v.video?.width, i2v.video?.height], [480, 480]);
    assert.ok(Math.abs(r2v.duration - 2) < 0.2);
    for (const v of [edit, upscale]) {
      assert.ok(Math.abs(v.duration - 3) < 0.2, 'an edit keeps the 3 s source length');
      assert.deepEqual([v.video?.width, v.video?.height], [1280, 720]);
    }
    assert.ok(preview.video);
  });

  it('failed, expired and moderated jobs become failed tasks with distinct codes', async () => {
    const [failed, expired, moderated] = await Promise.all([run(req({ prompt: 'x [sim:fail]' })), run(req({ prompt: 'x [sim:expire]' })), run(req({ prompt: 'x [sim:policy]' }))]);
    assert.equal(failed.final.state === 'failed' && failed.final.error.code, 'upstream_error');
    assert.equal(expired.final.state === 'failed' && expired.final.error.code, 'upstream_expired');
    assert.equal(moderated.final.state === 'failed' && moderated.final.error.code, 'content_policy_violation');
  });

  it('create errors map to UpstreamError kinds', async () => {
    await assert.rejects(adapter.submit({ taskId: 't', request: req({ prompt: 'x [sim:429]' }) }, ctx), (e: UpstreamError) => e.kind === 'rate_limited' && e.retryAfterSeconds! >= 1 && e.transient);
    await assert.rejects(adapter.submit({ taskId: 't', request: req({ prompt: 'x [sim:503-once]' }) }, ctx), (e: UpstreamError) => e.kind === 'unavailable');
    await assert.rejects(adapter.submit({ taskId: 't', request: req({ prompt: 'x [sim:policy-create]' }) }, ctx), (e: UpstreamError) => e.kind === 'content_policy');
    await assert.rejects(
      adapter.submit({ taskId: 't', request: req({ model: 'grok-imagine-video-1.5-preview', upstream_model: 'grok-imagine-video-1.5', prompt: 'x' }) }, ctx),
      (e: UpstreamError) => e.kind === 'invalid_input' && /only supports image-to-video/.test(e.message),
    );
    await assert.rejects(adapter.submit({ taskId: 't', request: req({ upstream_model: 'grok-imagine-zzz', prompt: 'x' }) }, ctx), (e: UpstreamError) => e.kind === 'model_retired');
  });

  it('a wrong key is an auth error whose message never contains the key', async () => {
    const wrongKey = 'xai-wrongKey-abcdefghijklmnop';
    const bad = createXaiAdapter({ apiKey: wrongKey, baseUrl: sim.baseUrl });
    await assert.rejects(bad.submit({ taskId: 't', request: req({ prompt: 'x' }) }, ctx), (e: UpstreamError) => e.kind === 'auth' && !e.message.includes(wrongKey));
  });

  it('poll refuses ids that are not request ids without calling the upstream; unknown ids are not_found', async () => {
    const before = sim.stats.requests;
    await assert.rejects(adapter.poll('../../etc/passwd', ctx), (e: UpstreamError) => e.kind === 'not_found');
    assert.equal(sim.stats.requests, before);
    await assert.rejects(adapter.poll('00000000-0000-0000-0000-000000000000', ctx), (e: UpstreamError) => e.kind === 'not_found');
  });

  it('an expired or tampered video link is not_found (generate again), not a retry loop', async () => {
    const { final } = await run(req({ prompt: 'short' }));
    assert.equal(final.state, 'succeeded');
    if (final.state !== 'succeeded') return;
    const url = new URL(final.outputs[0].url!);
    url.searchParams.set('signature', '0'.repeat(64));
    await assert.rejects(adapter.openOutput({ kind: 'video', url: url.href }, ctx), (e: UpstreamError) => e.kind === 'not_found');
  });
});
