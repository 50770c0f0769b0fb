/** The Vidu adapter against the Vidu simulator over loopback: submit, poll, download, errors. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createMediaLoader } from '../../src/media/fetcher.js';
import { createViduAdapter, toCreateBody } from '../../src/providers/vidu/index.js';
import { UpstreamError, type AdapterContext, type PollResult, type ProviderAdapter } from '../../src/providers/types.js';
import { startViduSimulator, type ViduSimulator } from '../../src/sandbox/vidu/index.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { colorAt, isBluish, isReddish, probe, solidImage, tempDir } from '../sandbox/media-helpers.js';

const KEY = 'vda_adapter_test_key_abcdefghijklmnop';

let sim: ViduSimulator;
let adapter: ProviderAdapter;
let dir: string;
let cleanup: () => Promise<void>;
let red: string;
let blue: string;

const loadMedia = createMediaLoader({ allowPrivateNetwork: false, maxBytes: { image: 10 << 20, video: 50 << 20, audio: 10 << 20 }, timeoutMs: 5000 });
const ctx: AdapterContext = {
  loadMedia,
  probeVideo: async () => {
    throw new Error('not used');
  },
};

function req(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return { model: 'viduq2', operation: 'text-to-video', operation_explicit: true, duration: 1, resolution: '720p', aspect_ratio: '16:9', output_audio: false, upstream_model: 'viduq2', sent: [], ...over };
}

/** Polls until the task reaches `state` (e.g. running), 10 s at most. */
async function pollUntil(upstreamId: string, state: PollResult['state']): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await adapter.poll(upstreamId, ctx)).state !== state) {
    assert.ok(Date.now() < deadline, `never ${state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pollUntilDone(upstreamId: string, timeoutMs = 30_000): Promise<PollResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await adapter.poll(upstreamId, ctx);
    if (r.state !== 'queued' && r.state !== 'running') return r;
    assert.equal((r as { progress?: number }).progress, undefined, 'Vidu reports no progress; none is invented');
    if (Date.now() > deadline) throw new Error('not done in time');
    await new Promise((res) => setTimeout(res, 30));
  }
}

async function rejection(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof UpstreamError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidu-adapter-'));
  sim = await startViduSimulator({ apiKey: KEY, workDir: join(dir, 'sim'), speed: 50 });
  adapter = createViduAdapter({ apiKey: KEY, baseUrl: sim.baseUrl });
  red = `data:image/png;base64,${(await solidImage(dir, 'red', 'red.png', '320x240')).toString('base64')}`;
  blue = (await solidImage(dir, 'blue', 'blue.jpg', '320x240')).toString('base64');
});
after(async () => {
  await sim.close();
  await cleanup();
});
beforeEach(() => sim.faults.reset());

describe('Vidu adapter ↔ simulator', () => {
  it('start-end with inline images (data: URL and raw base64) completes; the download uses both frames', async () => {
    const { upstreamId } = await adapter.submit(
      {
        taskId: 'ldtask_0123',
        request: req({
          model: 'viduq2-pro',
          upstream_model: 'viduq2-pro',
          operation: 'start-end-to-video',
          prompt: 'red to blue',
          start_image: red,
          image: undefined,
          end_image: blue,
          duration: 2,
          aspect_ratio: 'adaptive',
        }),
      },
      ctx,
    );
    assert.match(upstreamId, /^\d{18}$/);
    const done = await pollUntilDone(upstreamId);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const out = (done as Extract<PollResult, { state: 'succeeded' }>).outputs[0];
    const opened = await adapter.openOutput(out, ctx);
    assert.equal(opened.contentType, 'video/mp4');
    const chunks: Buffer[] = [];
    for await (const c of opened.body) chunks.push(c as Buffer);
    const file = join(dir, 'se.mp4');
    await writeFile(file, Buffer.concat(chunks));
    const p = await probe(file);
    assert.deepEqual([p.video?.width, p.video?.height], [960, 720]);
    assert.ok(Math.abs(p.duration - 2) < 0.2);
    assert.ok(isReddish(await colorAt(file, 0.1)));
    assert.ok(isBluish(await colorAt(file, 1.9)));
  });

  it('an inline JPEG declared image/jpg or image/pjpeg is sent declared image/jpeg (the media loader names it so)', async () => {
    // The simulator takes jpg too (§4.4), so what it was sent is read off a recording proxy.
    const proxy = await startFaultProxy(new URL(sim.baseUrl).origin, () => ({ kind: 'forward' }));
    try {
      const recorded = createViduAdapter({ apiKey: KEY, baseUrl: proxy.url + new URL(sim.baseUrl).pathname.replace(/\/$/, '') });
      const jpeg = (type: string) => `data:${type};base64,${blue}`;
      await recorded.submit(
        {
          taskId: 'jpg',
          request: req({
            model: 'viduq2-pro',
            upstream_model: 'viduq2-pro',
            operation: 'start-end-to-video',
            prompt: 'blue to blue',
            start_image: jpeg('image/jpg'),
            end_image: jpeg('image/pjpeg'),
            duration: 2,
            aspect_ratio: 'adaptive',
          }),
        },
        ctx,
      );
      const creates = proxy.seen.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body!.toString()) as { images: string[] });
      assert.equal(creates.length, 1);
      assert.deepEqual(
        creates[0].images.map((i) => i.slice(0, i.indexOf(',') + 1)),
        ['data:image/jpeg;base64,', 'data:image/jpeg;base64,'],
      );
      assert.ok(creates[0].images.every((i) => i.endsWith(blue)));
    } finally {
      await proxy.close();
    }
  });

  it('Q3 text-to-video with audio renders the sound track; https example.com inputs pass through', async () => {
    const t2v = await adapter.submit({ taskId: 't1', request: req({ model: 'viduq3-turbo', upstream_model: 'viduq3-turbo', prompt: 'waves', aspect_ratio: '9:16', output_audio: true }) }, ctx);
    const i2v = await adapter.submit(
      { taskId: 't2', request: req({ model: 'viduq2-pro-fast', upstream_model: 'viduq2-pro-fast', operation: 'image-to-video', image_url: 'https://example.com/cat.png', aspect_ratio: 'adaptive' }) },
      ctx,
    );
    for (const [id, want] of [
      [t2v.upstreamId, { w: 720, h: 1280, audio: true }],
      [i2v.upstreamId, { w: 1280, h: 720, audio: false }],
    ] as const) {
      const done = await pollUntilDone(id);
      assert.equal(done.state, 'succeeded', JSON.stringify(done));
      const opened = await adapter.openOutput((done as any).outputs[0], ctx);
      const chunks: Buffer[] = [];
      for await (const c of opened.body) chunks.push(c as Buffer);
      const file = join(dir, `${id}.mp4`);
      await writeFile(file, Buffer.concat(chunks));
      const p = await probe(file);
      assert.deepEqual([p.video?.width, p.video?.height, p.audio !== undefined], [want.w, want.h, want.audio]);
    }
  });

  it('a job failed by output moderation → content_policy_violation', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 't3', request: req({ prompt: 'blocked [sim:policy]' }) }, ctx);
    const done = await pollUntilDone(upstreamId);
    assert.equal(done.state, 'failed');
    assert.equal((done as any).error.code, 'content_policy_violation');
    assert.match((done as any).error.message, /CreationPolicyViolation/);
  });

  it('create refusals map to kinds: 429 (+Retry-After), prompt moderation, credits, validation', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 4, only: 'create' });
    const limited = await rejection(adapter.submit({ taskId: 'r', request: req({ prompt: 'x' }) }, ctx));
    assert.deepEqual([limited.kind, limited.retryAfterSeconds, limited.upstreamCode], ['rate_limited', 4, 'QuotaExceeded']);
    const policy = await rejection(adapter.submit({ taskId: 'r', request: req({ prompt: 'x [sim:policy-prompt]' }) }, ctx));
    assert.equal(policy.kind, 'content_policy');
    const credits = await rejection(adapter.submit({ taskId: 'r', request: req({ prompt: 'x [sim:credits]' }) }, ctx));
    assert.equal(credits.kind, 'quota');
    // The catalog normally refuses this first; the upstream's own check still maps to invalid_input.
    const invalid = await rejection(adapter.submit({ taskId: 'r', request: req({ prompt: 'x', duration: 11 }) }, ctx));
    assert.equal(invalid.kind, 'invalid_input');
    assert.match(invalid.message, /FieldInvalid.*duration/);
    sim.faults.serverErrorNext(1, { only: 'poll' });
    const outage = await rejection(adapter.poll('123456789012345678', ctx));
    assert.equal(outage.kind, 'unavailable');
  });

  it('a wrong key → auth, and the key never appears in the message', async () => {
    const wrong = createViduAdapter({ apiKey: 'vda_wrong_key_zzzzzzzzzzzz', baseUrl: sim.baseUrl });
    const err = await rejection(wrong.submit({ taskId: 'r', request: req({ prompt: 'x' }) }, ctx));
    assert.equal(err.kind, 'auth');
    assert.match(err.message, /VIDU_API_KEY/);
    assert.ok(!err.message.includes('vda_wrong_key_zzzzzzzzzzzz'));
  });

  it('unknown or malformed task ids → not_found without an upstream call for bad ones', async () => {
    assert.equal((await rejection(adapter.poll('123456789012345678', ctx))).kind, 'not_found');
    const polls = sim.stats.requests;
    assert.equal((await rejection(adapter.poll('../credits', ctx))).kind, 'not_found');
    assert.equal(sim.stats.requests, polls);
  });

  it('an unreachable Vidu → unavailable (network error), not a crash', async () => {
    const down = createViduAdapter({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9/ent/v2', timeoutMs: 2000 });
    const err = await rejection(down.submit({ taskId: 'r', request: req({ prompt: 'x' }) }, ctx));
    assert.equal(err.kind, 'unavailable');
  });

  it('OperationInProcess (HTTP 400, "please retry later") is transient: the same create goes through next time', async () => {
    const body = req({ prompt: 'a calm lake [sim:busy-once]' });
    const busy = await rejection(adapter.submit({ taskId: 'busy', request: body }, ctx));
    assert.deepEqual([busy.kind, busy.transient, busy.upstreamCode], ['unavailable', true, 'OperationInProcess']);
    const { upstreamId } = await adapter.submit({ taskId: 'busy', request: body }, ctx);
    assert.ok(upstreamId);
  });

  it('cancels a task that has not started (it ends cancelled); a scheduled one refuses', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 'c1', request: req({ prompt: 'to be cancelled' }) }, ctx);
    assert.equal(await adapter.cancel!(upstreamId, ctx), true);
    assert.deepEqual(await adapter.poll(upstreamId, ctx), { state: 'cancelled' });
    const running = await adapter.submit({ taskId: 'c2', request: req({ prompt: 'keeps running [sim:hang]' }) }, ctx);
    await pollUntil(running.upstreamId, 'running');
    assert.equal(await adapter.cancel!(running.upstreamId, ctx), false, 'processing: "task state is scheduled, can not cancel"');
  });

  it('viduq2-pro references go in the non-subject mode, never with an audio field', async () => {
    const refs = ['https://example.com/a.png', 'https://example.com/b.png'];
    const body = toCreateBody(req({ model: 'viduq2-pro', upstream_model: 'viduq2-pro', operation: 'reference-to-video', prompt: 'the two meet', output_audio: true, reference_images: refs }), refs);
    assert.deepEqual([body.images, body.subjects, body.audio], [refs, undefined, undefined]);
    const { upstreamId } = await adapter.submit(
      { taskId: 'r2', request: req({ model: 'viduq2-pro', upstream_model: 'viduq2-pro', operation: 'reference-to-video', prompt: 'the two meet', output_audio: false, reference_images: refs }) },
      ctx,
    );
    assert.ok(upstreamId);
  });
});
