/**
 * Inline JPEG declared under a non-standard name (`data:image/jpg;base64,…`, `data:image/pjpeg;…`)
 * reaches every upstream as image/jpeg, through the real gateway and the simulators: Kling takes
 * only PNG or JPEG, the Gemini API and Vertex AI answer "Unsupported MIME type: image/jpg", OpenAI
 * refuses an upload part typed image/jpg; providers that are sent the data: URL itself get it
 * under the registered name too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startXaiSimulator, type XaiSimulator } from '../../src/sandbox/xai/index.js';
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

  it('every provider that reads the image completes the task', async () => {
    const jpg = inline('image/jpg', jpeg);
    await allComplete(gw, [
      ['Kling (bare base64, JPEG or PNG only)', { model: 'kling-v2.6-pro', prompt: 'from dawn to dusk', start_image: jpg, end_image: inline('image/pjpeg', jpeg) }],
      ['Veo on the Gemini API (mimeType)', { model: 'veo3.1-fast', prompt: 'the orange card moves', image: jpg, duration: 4 }],
      ['Sora (a multipart file part)', { model: 'sora-2', prompt: 'the orange card moves', image_url: jpg, duration: 4 }],
      ['Vidu (re-prefixed data: URL)', { model: 'viduq2-pro', operation: 'image-to-video', prompt: 'waves', image_url: jpg, duration: 2 }],
      ['Grok Imagine (data: URL as sent)', { model: 'grok-imagine-video', operation: 'image-to-video', prompt: 'gentle motion', image_url: jpg, duration: 1, resolution: '480p' }],
      ['Seedance (data: URL as sent)', { model: 'seedance-1.5-pro', operation: 'image-to-video', prompt: 'gentle motion', image_url: jpg, duration: 4, resolution: '480p' }],
      ['MiniMax (data: URL as sent)', { model: 'hailuo-2.3-fast', operation: 'image-to-video', image_url: jpg }],
      ['Wan on DashScope (data: URL as sent)', { model: 'wan-2.2-plus', operation: 'image-to-video', image_url: jpg, resolution: '480p' }],
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
  let xai: XaiSimulator;
  let vertex: VertexSimulator;
  let proxy: FaultProxy;
  let gw: TestGateway;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let jpeg: Buffer;
  before(async () => {
    work = await tempDir('vidgate-jpg-wire-');
    jpeg = await solidImage(work.dir, 'teal', 'frame.jpg', '640x360');
    xai = await startXaiSimulator({ apiKey: 'xai-jpgTestKey0123456789', speed: 20, workDir: `${work.dir}/xai` });
    vertex = await startVertexSimulator({ workDir: `${work.dir}/vertex`, speed: 20 });
    // xAI's traffic goes through a recording proxy: the data: URL is forwarded as a string.
    proxy = await startFaultProxy(new URL(xai.baseUrl).origin, () => ({ kind: 'forward' }));
    gw = await startTestGateway({
      VIDGATE_SANDBOX: '0',
      XAI_API_KEY: xai.apiKey,
      XAI_BASE_URL: `${proxy.url}/v1`,
      VERTEX_SERVICE_ACCOUNT_JSON: vertex.serviceAccountJson,
      VERTEX_BASE_URL: vertex.baseUrl,
      VERTEX_STORAGE_BASE_URL: vertex.baseUrl,
    });
  });
  after(async () => {
    await gw?.close();
    await proxy?.close();
    await xai?.close();
    await vertex?.close();
    await work?.cleanup();
  });

  it('a data: URL passed through (xAI) names image/jpeg; Vertex AI takes the inlined bytes', async () => {
    await allComplete(gw, [
      ['Grok Imagine', { model: 'grok-imagine-video', operation: 'image-to-video', prompt: 'gentle motion', image_url: inline('image/jpg', jpeg), duration: 1, resolution: '480p' }],
      [
        'Grok Imagine references',
        { model: 'grok-imagine-video', operation: 'reference-to-video', prompt: 'two friends', image_urls: [inline('image/pjpeg', jpeg), inline('IMAGE/JPG', jpeg)], duration: 1, resolution: '480p' },
      ],
      ['Veo on Vertex AI', { model: 'veo3.1-fast', prompt: 'the teal card moves', image: inline('image/jpg', jpeg), duration: 4 }],
    ]);
    const creates = proxy.seen.filter((r) => r.method === 'POST' && r.url === '/v1/videos/generations').map((r) => r.body!.toString());
    assert.equal(creates.length, 2);
    const sent = creates.flatMap((body) => [...body.matchAll(/"data:([^;,"]*)[;,]/g)].map((m) => m[1]));
    assert.deepEqual(sent, ['image/jpeg', 'image/jpeg', 'image/jpeg'], 'every inline image is declared image/jpeg upstream');
    assert.ok(
      creates.every((body) => body.includes(jpeg.toString('base64'))),
      'the bytes are forwarded unchanged',
    );
  });
});
