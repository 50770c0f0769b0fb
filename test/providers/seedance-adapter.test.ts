/** The Seedance adapter against the Seedance simulator over loopback: submit, poll, download, cancel, errors. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createSeedanceAdapter } from '../../src/providers/seedance/index.js';
import type { UpstreamError, AdapterContext, PollResult, ProviderAdapter } from '../../src/providers/types.js';
import { startSeedanceSimulator, type SeedanceSimulator } from '../../src/sandbox/seedance/index.js';

const KEY = 'ark-adapter-test-key-0123456789abcdef';
let sim: SeedanceSimulator;
let adapter: ProviderAdapter;
let dir: string;

/** Ark fetches inputs itself: the adapter must never ask the gateway for bytes. */
const ctx: AdapterContext = {
  loadMedia: async () => assert.fail('Seedance inputs are passed as URLs, never loaded'),
  probeVideo: async () => assert.fail('not needed'),
};

function req(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'seedance-2.0',
    operation: 'text-to-video',
    operation_explicit: true,
    sent: [],
    duration: 4,
    resolution: '480p',
    aspect_ratio: '16:9',
    output_audio: false,
    upstream_model: 'dreamina-seedance-2-0-260128',
    ...over,
  };
}

async function until(id: string, done: (r: PollResult) => boolean): Promise<PollResult> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await adapter.poll(id, ctx);
    if (done(r)) return r;
    if (Date.now() > deadline) throw new Error(`stuck: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 30));
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidgate-seedance-adapter-'));
  sim = await startSeedanceSimulator({ apiKey: KEY, workDir: dir, speed: 60 });
  adapter = createSeedanceAdapter({ apiKey: KEY, baseUrl: sim.baseUrl });
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Seedance adapter ↔ simulator', () => {
  it('submits, polls through queued/running to succeeded, and streams the MP4 and last frame', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 't1', request: req({ prompt: 'A paper boat', operation: 'image-to-video', image_url: 'https://example.com/boat.png', return_last_frame: true }) }, ctx);
    assert.match(upstreamId, /^cgt-/);
    const states = new Set<string>();
    const done = await until(upstreamId, (r) => {
      states.add(r.state);
      return r.state !== 'queued' && r.state !== 'running';
    });
    assert.ok(states.has('queued') || states.has('running'));
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    if (done.state !== 'succeeded') return;
    assert.deepEqual(
      done.outputs.map((o) => o.kind),
      ['video', 'last_frame'],
    );
    const opened = await adapter.openOutput(done.outputs[0], ctx);
    assert.equal(opened.contentType, 'video/mp4');
    const chunks: Buffer[] = [];
    for await (const c of opened.body) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    assert.equal(bytes.toString('latin1', 4, 8), 'ftyp');
    assert.ok(sim.stats.downloads >= 1);
  });

  it('cancels a queued task (true) and is refused once it runs (false)', async () => {
    const queued = await adapter.submit({ taskId: 't2', request: req({ prompt: 'hold [sim:queue]' }) }, ctx);
    assert.equal(await adapter.cancel!(queued.upstreamId, ctx), true);
    assert.deepEqual(await adapter.poll(queued.upstreamId, ctx), { state: 'cancelled' });
    const running = await adapter.submit({ taskId: 't3', request: req({ prompt: 'forever [sim:hang]' }) }, ctx);
    await until(running.upstreamId, (r) => r.state === 'running');
    assert.equal(await adapter.cancel!(running.upstreamId, ctx), false);
  });

  it('never DELETEs a finished task (Ark would delete its record and video): cancel answers false and the task completes', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 't-done', request: req({ prompt: 'finished before the cancel' }) }, ctx);
    // Wait on the simulator itself, so the task is finished upstream while the gateway has not seen it yet.
    const direct = () => fetch(`${sim.baseUrl}/contents/generations/tasks/${upstreamId}`, { headers: { authorization: `Bearer ${KEY}` } }).then((r) => r.json() as Promise<{ status: string }>);
    const deadline = Date.now() + 30_000;
    while ((await direct()).status !== 'succeeded') {
      assert.ok(Date.now() < deadline, 'the task never finished');
      await new Promise((r) => setTimeout(r, 30));
    }
    const deletes = sim.stats.deletes;
    assert.equal(await adapter.cancel!(upstreamId, ctx), false);
    assert.equal(sim.stats.deletes, deletes, 'no DELETE reached a finished task');
    const after = await adapter.poll(upstreamId, ctx);
    assert.equal(after.state, 'succeeded', 'the video is still there to be stored');
  });

  it('maps failures: failed job, policy refusal, invalid input, 429 with Retry-After, 5xx', async () => {
    const failed = await adapter.submit({ taskId: 't4', request: req({ prompt: 'x [sim:fail]' }) }, ctx);
    const r = await until(failed.upstreamId, (p) => p.state === 'failed');
    assert.equal(r.state === 'failed' && r.error.code, 'upstream_error');
    const policy = await adapter.submit({ taskId: 't5', request: req({ prompt: 'x [sim:policy-output]' }) }, ctx);
    const p = await until(policy.upstreamId, (x) => x.state === 'failed');
    assert.equal(p.state === 'failed' && p.error.code, 'content_policy_violation');

    const kind = async (request: ResolvedVideoRequest) =>
      adapter.submit({ taskId: 'e', request }, ctx).then(
        () => 'ok',
        (e: UpstreamError) => [e.kind, e.retryAfterSeconds],
      );
    assert.deepEqual(await kind(req({ prompt: 'x [sim:policy]' })), ['content_policy', undefined]);
    assert.deepEqual(await kind(req({ prompt: 'x', upstream_model: 'dreamina-seedance-2-0-fast-260128', resolution: '1080p' })), ['invalid_input', undefined]);
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 4 });
    assert.deepEqual(await kind(req({ prompt: 'x' })), ['rate_limited', 4]);
    sim.faults.serverErrorNext(1, { status: 503 });
    assert.deepEqual(await kind(req({ prompt: 'x' })), ['unavailable', undefined]);
    await assert.rejects(adapter.poll('cgt-unknown', ctx), (e: UpstreamError) => e.kind === 'not_found');
    await assert.rejects(adapter.poll('../../etc', ctx), (e: UpstreamError) => e.kind === 'not_found');
  });

  it('a wrong key is an auth error that never echoes the key', async () => {
    const wrongKey = 'ark-wrong-key-abcdefghijklmnopqrstuvwxyz';
    const bad = createSeedanceAdapter({ apiKey: wrongKey, baseUrl: sim.baseUrl });
    await assert.rejects(bad.submit({ taskId: 't6', request: req({ prompt: 'x' }) }, ctx), (e: UpstreamError) => e.kind === 'auth' && !e.message.includes(wrongKey) && !e.message.includes(KEY));
  });
});
