/**
 * Inline JPEG declared under a non-standard name (`data:image/jpg;base64,…`, `data:image/pjpeg;…`)
 * reaches every upstream as image/jpeg, through the real gateway and the simulators: Kling takes
 * only PNG or JPEG, the Gemini API and Vertex AI answer "Unsupported MIME type: image/jpg", OpenAI
 * refuses an upload part typed image/jpg (their simulators refuse it too, so completing proves it).
 * The simulators of providers that are sent the data: URL itself (xAI, Seedance, MiniMax, DashScope)
 * take image/jpg, so for those a recording proxy shows what they were sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDashScopeSimulator } from '../../src/sandbox/dashscope/index.js';
import { startMinimaxSimulator } from '../../src/sandbox/minimax/index.js';
import { startSeedanceSimulator } from '../../src/sandbox/seedance/index.js';
import { startXaiSimulator } from '../../src/sandbox/xai/index.js';
import { startVertexSimulator, type VertexSimulator } from '../../src/sandbox/vertex/index.js';
import { createTask } from '../helpers/e2e-provider.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { solidImage, tempDir } from '../sandbox/media-helpers.js';

const inline = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;

/** Creates every body at once and waits for each task; each must complete. */
async function allComplete(gw: TestGateway, cases: [string, Record<string, unknown>][]): Promise<void> {
  const ids = await Promise.all(cases.map(([, body]) => createTask(gw, body)));
  const done = await Promise.all(ids.map((id) => waitForTask(gw, id)));
  const outcome = (t: Record<string, any>) => (t.status === 'completed' ? 'completed' : `${t.status}: ${t.error?.message}`);
  assert.deepEqual(Object.fromEntries(cases.map(([what], i) => [what, outcome(done[i])])), Object.fromEntries(cases.map(([what]) => [what, 'completed'])));
}

describe('inline images declared image/jpg through the sandbox gateway', () => {
  let gw: TestGateway;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let jpeg: Buffer;
  before(async () => {
    gw = await startTestGateway();
    work = await tempDir('vidgate-jpg-');
    // 1280x720: Sora's exact size, over Kling's 300 px minimum.
    jpeg = await solidImage(work.dir, 'orange', 'frame.jpg', '1280x720');
  });
  after(async () => {
    await gw?.close();
    await work?.cleanup();
  });

  it('every provider whose simulator refuses image/jpg (or reads the type) completes the task', async () => {
    const jpg = inline('image/jpg', jpeg);
    await allComplete(gw, [
      ['Kling (bare base64, JPEG or PNG only)', { model: 'kling-v2.6-pro', prompt: 'from dawn to dusk', start_image: jpg, end_image: inline('image/pjpeg', jpeg) }],
      ['Veo on the Gemini API (mimeType)', { model: 'veo3.1-fast', prompt: 'the orange card moves', image: jpg, duration: 4 }],
      ['Sora (a multipart file part)', { model: 'sora-2', prompt: 'the orange card moves', image_url: jpg, duration: 4 }],
      ['Vidu (re-prefixed data: URL)', { model: 'viduq2-pro', operation: 'image-to-video', prompt: 'waves', image_url: jpg, duration: 2 }],
    ]);
  });

  it('image/jpg and image/jpeg spell one request: a retry under the same Idempotency-Key replays the task', async () => {
    const create = (type: string) =>
      gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'one request', image: inline(type, jpeg), duration: 4 }, headers: { 'idempotency-key': 'jpg-spelling' } });
    const first = await create('image/jpg');
    assert.equal(first.status, 200, await first.clone().text());
    const again = await create('image/jpeg');
    assert.equal(again.status, 200, await again.clone().text());
    assert.equal(((await again.json()) as { id: string }).id, ((await first.json()) as { id: string }).id);
  });
});

describe('what the upstream is sent for an image declared image/jpg', () => {
  /** The providers sent the data: URL itself: each simulator behind a recording proxy, and the path of its create. */
  const passThrough = ['xai', 'seedance', 'minimax', 'dashscope'] as const;
  const createPaths: Record<(typeof passThrough)[number], RegExp> = {
    xai: /^\/v1\/videos\/generations$/,
    seedance: /^\/api\/v3\/contents\/generations\/tasks$/,
    minimax: /^\/v1\/video_generation$/,
    dashscope: /^\/api\/v1\/services\/aigc\/(video-generation|image2video)\/video-synthesis$/,
  };
  const closers: (() => Promise<void>)[] = [];
  const proxies = {} as Record<(typeof passThrough)[number], FaultProxy>;
  let vertex: VertexSimulator;
  let gw: TestGateway;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let jpeg: Buffer;
  before(async () => {
    work = await tempDir('vidgate-jpg-wire-');
    jpeg = await solidImage(work.dir, 'teal', 'frame.jpg', '640x360');
    const o = (name: string) => ({ speed: 20, workDir: `${work.dir}/${name}` });
    const xai = await startXaiSimulator({ ...o('xai'), apiKey: 'xai-jpgTestKey0123456789' });
    const seedance = await startSeedanceSimulator({ ...o('seedance'), apiKey: 'ark-jpgTestKey0123456789' });
    const minimax = await startMinimaxSimulator({ ...o('minimax'), apiKey: 'sk-api-jpgTestKey0123456789' });
    const dashscope = await startDashScopeSimulator({ ...o('dashscope'), apiKey: 'sk-jpgTestKey0123456789' });
    vertex = await startVertexSimulator(o('vertex'));
    closers.push(
      () => xai.close(),
      () => seedance.close(),
      () => minimax.close(),
      () => dashscope.close(),
      () => vertex.close(),
    );
    const origins = { xai: xai.baseUrl, seedance: seedance.baseUrl, minimax: minimax.baseUrl, dashscope: dashscope.apiBaseUrl };
    for (const name of passThrough) {
      proxies[name] = await startFaultProxy(new URL(origins[name]).origin, () => ({ kind: 'forward' }));
      closers.unshift(() => proxies[name].close());
    }
    // Each base URL keeps its simulator's path, on the proxy's origin.
    const via = (name: (typeof passThrough)[number]) => proxies[name].url + new URL(origins[name]).pathname.replace(/\/$/, '');
    gw = await startTestGateway({
      VIDGATE_SANDBOX: '0',
      XAI_API_KEY: xai.apiKey,
      XAI_BASE_URL: via('xai'),
      ARK_API_KEY: 'ark-jpgTestKey0123456789',
      ARK_BASE_URL: via('seedance'),
      MINIMAX_API_KEY: 'sk-api-jpgTestKey0123456789',
      MINIMAX_BASE_URL: via('minimax'),
      DASHSCOPE_API_KEY: 'sk-jpgTestKey0123456789',
      DASHSCOPE_BASE_URL: via('dashscope'),
      VERTEX_SERVICE_ACCOUNT_JSON: vertex.serviceAccountJson,
      VERTEX_BASE_URL: vertex.baseUrl,
      VERTEX_STORAGE_BASE_URL: vertex.baseUrl,
      // Polls follow each model's typical time: the simulators run 20x faster than the providers.
      VIDGATE_CATALOG_OVERRIDES: JSON.stringify(Object.fromEntries(['grok-imagine-video', 'seedance-1.5-pro', 'hailuo-2.3-fast', 'wan-2.2-plus', 'veo3.1-fast'].map((m) => [m, { typical_seconds: 3 }]))),
    });
  });
  after(async () => {
    await gw?.close();
    for (const close of closers) await close();
    await work?.cleanup();
  });

  it('a data: URL passed through (xAI, Seedance, MiniMax, DashScope) names image/jpeg; Vertex AI takes the inlined bytes', async () => {
    const jpg = () => inline('image/jpg', jpeg);
    await allComplete(gw, [
      ['Grok Imagine', { model: 'grok-imagine-video', operation: 'image-to-video', prompt: 'gentle motion', image_url: jpg(), duration: 1, resolution: '480p' }],
      [
        'Grok Imagine references',
        { model: 'grok-imagine-video', operation: 'reference-to-video', prompt: 'two friends', image_urls: [inline('image/pjpeg', jpeg), inline('IMAGE/JPG', jpeg)], duration: 1, resolution: '480p' },
      ],
      ['Seedance', { model: 'seedance-1.5-pro', operation: 'image-to-video', prompt: 'gentle motion', image_url: jpg(), duration: 4, resolution: '480p' }],
      ['MiniMax', { model: 'hailuo-2.3-fast', operation: 'image-to-video', image_url: jpg() }],
      ['Wan on DashScope', { model: 'wan-2.2-plus', operation: 'image-to-video', image_url: jpg(), resolution: '480p' }],
      ['Veo on Vertex AI', { model: 'veo3.1-fast', prompt: 'the teal card moves', image: jpg(), duration: 4 }],
    ]);
    const sentTypes: Record<string, string[]> = {};
    for (const name of passThrough) {
      const creates = proxies[name].seen.filter((r) => r.method === 'POST' && createPaths[name].test(r.url)).map((r) => r.body!.toString());
      sentTypes[name] = creates.flatMap((body) => [...body.matchAll(/"data:([^;,"]*)[;,]/g)].map((m) => m[1]));
      assert.ok(creates.length > 0 && creates.every((body) => body.includes(jpeg.toString('base64'))), `${name}: the bytes are forwarded unchanged`);
    }
    assert.deepEqual(sentTypes, { xai: ['image/jpeg', 'image/jpeg', 'image/jpeg'], seedance: ['image/jpeg'], minimax: ['image/jpeg'], dashscope: ['image/jpeg'] }, 'every inline image is declared image/jpeg upstream');
  });
});
