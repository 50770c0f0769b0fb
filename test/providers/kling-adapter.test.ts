/** The Kling adapter against a started Kling simulator: submit, poll, download, errors. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { defaultCatalog, resolveForModel, validateForModel } from '../../src/catalog/index.js';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createMediaLoader } from '../../src/media/fetcher.js';
import { createKlingAdapter } from '../../src/providers/kling/index.js';
import { UpstreamError, type AdapterContext, type PollResult, type ProviderAdapter } from '../../src/providers/types.js';
import { startKlingSimulator, type KlingSimulator } from '../../src/sandbox/kling/index.js';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { makeRequest } from '../catalog/request.js';

const AK = 'AKadaptertest0123456789';
const SK = 'SKadaptertest0123456789';
const catalog = defaultCatalog();
const run = promisify(execFile);

let sim: KlingSimulator;
let adapter: ProviderAdapter;
let dir: string;
let pngDataUrl: string;

const ctx: AdapterContext = {
  loadMedia: createMediaLoader({ allowPrivateNetwork: true, maxBytes: { image: 10 << 20, video: 1 << 24, audio: 1 << 20 }, timeoutMs: 5000 }),
  probeVideo: () => Promise.reject(new Error('the Kling adapter never probes inputs')),
};

function request(id: string, body: Record<string, unknown>): ResolvedVideoRequest {
  const spec = catalog.get(id)!;
  const req = makeRequest(spec, body);
  validateForModel(req, spec);
  return resolveForModel(req, spec);
}

let n = 0;
const taskId = () => `ldtask_${(++n).toString(16).padStart(32, '0')}`;

async function finish(upstreamId: string): Promise<PollResult> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await adapter.poll(upstreamId, ctx);
    if (r.state !== 'queued' && r.state !== 'running') return r;
    assert.ok(Date.now() < deadline, 'task did not finish');
    await new Promise((res) => setTimeout(res, 30));
  }
}

async function download(result: PollResult, name: string) {
  assert.equal(result.state, 'succeeded', JSON.stringify(result));
  if (result.state !== 'succeeded') throw new Error('not succeeded');
  const opened = await adapter.openOutput(result.outputs[0], ctx);
  const chunks: Buffer[] = [];
  for await (const c of opened.body) chunks.push(c as Buffer);
  const file = join(dir, name);
  await writeFile(file, Buffer.concat(chunks));
  return { contentType: opened.contentType, probe: await ffprobeFile(file) };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kling-adapter-'));
  sim = await startKlingSimulator({ accessKey: AK, secretKey: SK, workDir: join(dir, 'sim'), speed: 200 });
  adapter = createKlingAdapter({ accessKey: AK, secretKey: SK, baseUrl: sim.baseUrl, timeoutMs: 10_000 });
  // A portrait 400x600 PNG, so the output's shape proves the image reached the upstream.
  const { stdout } = await run(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:size=400x600', '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'], { encoding: 'buffer' });
  pngDataUrl = `data:image/png;base64,${stdout.toString('base64')}`;
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Kling adapter ↔ simulator', () => {
  it('text-to-video: submit under text2video, poll to succeed, stream the MP4', async () => {
    const { upstreamId } = await adapter.submit({ taskId: taskId(), request: request('kling-v2.5-turbo-std', { prompt: 'a lighthouse', duration: 5, aspect_ratio: '9:16' }) }, ctx);
    assert.match(upstreamId, /^text2video\/\d{18}$/);
    const first = await adapter.poll(upstreamId, ctx);
    assert.ok(first.state === 'queued' || first.state === 'running');
    const { contentType, probe } = await download(await finish(upstreamId), 't2v.mp4');
    assert.equal(contentType, 'video/mp4');
    assert.deepEqual([probe.width, probe.height, probe.hasAudio], [720, 1280, false]);
    assert.ok(Math.abs(probe.duration - 5) < 0.2);
  });

  it('a data: image goes as bare base64 (the simulator refuses the prefix) and shapes the output', async () => {
    const { upstreamId } = await adapter.submit({ taskId: taskId(), request: request('kling-v3.0-std', { prompt: 'wave', image_url: pngDataUrl, duration: 3 }) }, ctx);
    assert.match(upstreamId, /^image2video\//);
    const { probe } = await download(await finish(upstreamId), 'i2v.mp4');
    // 400x600 is 2:3 → 720p short side = 720x1080.
    assert.deepEqual([probe.width, probe.height], [720, 1080]);
    assert.ok(Math.abs(probe.duration - 3) < 0.2);
  });

  it('kling_elements: one custom element per entry, then image2video with element_list', async () => {
    const before = sim.stats.elements;
    const req = request('kling-3.0-video', {
      prompt: 'Place @hero_bag on a turntable.',
      operation: 'image-to-video',
      image_url: 'https://example.com/studio-start.png',
      duration: 3,
      kling_elements: [{ name: 'hero_bag', description: 'black leather handbag', element_input_urls: ['https://example.com/bag-front.png', pngDataUrl] }],
    });
    const { upstreamId } = await adapter.submit({ taskId: taskId(), request: req }, ctx);
    assert.equal(sim.stats.elements, before + 1);
    assert.equal((await finish(upstreamId)).state, 'succeeded');
  });

  it('O1 reference-to-video and video-to-video go to omni-video', async () => {
    const ref = await adapter.submit(
      {
        taskId: taskId(),
        request: request('kling-video-o1-std', {
          operation: 'reference-to-video',
          prompt: '<<<image_1>>> walks',
          reference_images: ['https://example.com/r1.png', 'https://example.com/r2.png'],
          duration: 3,
          aspect_ratio: '1:1',
        }),
      },
      ctx,
    );
    const v2v = await adapter.submit({ taskId: taskId(), request: request('kling-video-o1-std', { operation: 'video-to-video', prompt: 'make <<<video_1>>> snowy', video_url: 'https://example.com/clip.mp4' }) }, ctx);
    assert.match(ref.upstreamId, /^omni-video\//);
    const r = await download(await finish(ref.upstreamId), 'ref.mp4');
    assert.deepEqual([r.probe.width, r.probe.height], [720, 720]);
    const v = await download(await finish(v2v.upstreamId), 'v2v.mp4');
    assert.ok(Math.abs(v.probe.duration - 3) < 0.2, 'the edit keeps the source length');
  });

  it('a failed job → task error with Kling’s reason; a risk-control failure → content_policy_violation', async () => {
    const a = await adapter.submit({ taskId: taskId(), request: request('kling-v2.6-std', { prompt: 'x [sim:fail]' }) }, ctx);
    const fa = await finish(a.upstreamId);
    assert.equal(fa.state === 'failed' && fa.error.code, 'upstream_error');
    const b = await adapter.submit({ taskId: taskId(), request: request('kling-v2.6-std', { prompt: 'x [sim:policy-output]' }) }, ctx);
    const fb = await finish(b.upstreamId);
    assert.equal(fb.state === 'failed' && fb.error.code, 'content_policy_violation');
  });
});

describe('Kling adapter errors', () => {
  const submitErr = async (req: ResolvedVideoRequest, a: ProviderAdapter = adapter) => {
    try {
      await a.submit({ taskId: taskId(), request: req }, ctx);
    } catch (e) {
      assert.ok(e instanceof UpstreamError, String(e));
      return e;
    }
    assert.fail('submit did not throw');
  };

  it('429 1303 → rate_limited with Retry-After; 503 → unavailable; HTTP 200 + 1102 → quota', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 4, only: 'create' });
    const rl = await submitErr(request('kling-v2.6-std', { prompt: 'x' }));
    assert.deepEqual([rl.kind, rl.retryAfterSeconds, rl.upstreamCode], ['rate_limited', 4, '1303']);
    sim.faults.serverErrorNext(1, { status: 503, only: 'create' });
    assert.equal((await submitErr(request('kling-v2.6-std', { prompt: 'x' }))).kind, 'unavailable');
    sim.faults.errorNext(1, { httpStatus: 200, code: 1102, message: 'resource pack exhausted', only: 'create' });
    const q = await submitErr(request('kling-v2.6-std', { prompt: 'x' }));
    assert.equal(q.kind, 'quota');
    assert.equal(q.transient, false);
  });

  it('sync content refusal → content_policy; bad parameters → invalid_input', async () => {
    assert.equal((await submitErr(request('kling-v2.6-std', { prompt: 'x [sim:policy]' }))).kind, 'content_policy');
    sim.faults.errorNext(1, { httpStatus: 400, code: 1201, message: 'duration value is invalid', only: 'create' });
    const e = await submitErr(request('kling-v2.6-std', { prompt: 'x' }));
    assert.deepEqual([e.kind, e.upstreamCode], ['invalid_input', '1201']);
    assert.match(e.message, /duration value is invalid/);
  });

  it('wrong credentials → auth, and no secret in the message', async () => {
    const bad = createKlingAdapter({ accessKey: AK, secretKey: 'SK-wrong-secret-value', baseUrl: sim.baseUrl });
    const e = await submitErr(request('kling-v2.6-std', { prompt: 'x' }), bad);
    assert.equal(e.kind, 'auth');
    assert.equal(e.upstreamCode, '1002');
    assert.ok(!e.message.includes('SK-wrong-secret-value') && !e.message.includes(AK));
    assert.match(e.message, /KLING_SECRET_KEY/);
  });

  it('polling a task under a foreign id or family → not_found', async () => {
    await assert.rejects(adapter.poll('image2video/812345678901234567', ctx), (e: unknown) => e instanceof UpstreamError && e.kind === 'not_found');
    await assert.rejects(adapter.poll('../../etc/passwd', ctx), (e: unknown) => e instanceof UpstreamError && e.kind === 'not_found');
  });

  it('an inline image that is not JPEG/PNG is refused before anything is sent', async () => {
    const before = sim.stats.requests;
    const gif = `data:image/gif;base64,${Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1').toString('base64')}`;
    await assert.rejects(adapter.submit({ taskId: taskId(), request: request('kling-v2.6-std', { image_url: gif }) }, ctx), (e: unknown) => e instanceof Error && /JPEG or PNG|image/i.test(e.message));
    assert.equal(sim.stats.requests, before);
  });

  it('a network failure → unavailable', async () => {
    const down = createKlingAdapter({ accessKey: AK, secretKey: SK, baseUrl: 'http://127.0.0.1:9' });
    assert.equal((await submitErr(request('kling-v2.6-std', { prompt: 'x' }), down)).kind, 'unavailable');
  });
});
