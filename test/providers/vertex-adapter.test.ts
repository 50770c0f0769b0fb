/**
 * The Vertex AI adapter against the Vertex simulator over loopback: the service-account path end to
 * end (JWT-bearer grant at the key's token_uri, Bearer on every call), generateAudio:false rendering
 * a video without an audio stream, gs:// results read through the Storage JSON API, a token expired
 * upstream replaced transparently, and the refusals (wrong project, retired model, unknown token).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createMediaLoader } from '../../src/media/fetcher.js';
import { vertexAiProtocol } from '../../src/providers/google/vertex-manifest.js';
import type { ChannelEndpoint } from '../../src/providers/manifest.js';
import { UpstreamError, type AdapterContext, type PollResult, type ProviderAdapter } from '../../src/providers/types.js';
import { startVertexSimulator, type VertexSimulator } from '../../src/sandbox/vertex/index.js';
import { probe, tempDir } from '../sandbox/media-helpers.js';
import { serviceAccountClient } from '../helpers/veo-sdk.js';

let sim: VertexSimulator;
let dir: string;
let cleanup: () => Promise<void>;

const ctx: AdapterContext = {
  loadMedia: createMediaLoader({ allowPrivateNetwork: true, maxBytes: { image: 1 << 20, video: 1 << 24, audio: 1 << 20 }, timeoutMs: 5000 }),
  probeVideo: () => Promise.reject(new Error('the Veo adapter never probes inputs')),
};

function request(over: Partial<ResolvedVideoRequest> = {}): ResolvedVideoRequest {
  return {
    model: 'veo3.1-fast',
    operation: 'text-to-video',
    operation_explicit: true,
    prompt: 'a paper boat on a pond',
    duration: 4,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: false,
    upstream_model: 'veo-3.1-fast-generate-preview',
    sent: [],
    ...over,
  };
}

function adapter(credentials: Record<string, string>, settings: Record<string, string> = {}): ProviderAdapter {
  const channel: ChannelEndpoint = { credentials, baseUrl: sim.baseUrl, settings: { VERTEX_STORAGE_BASE_URL: sim.baseUrl, ...settings } };
  return vertexAiProtocol.create(channel);
}

async function untilDone(a: ProviderAdapter, id: string): Promise<PollResult> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await a.poll(id, ctx);
    if (r.state !== 'running' && r.state !== 'queued') return r;
    assert.ok(Date.now() < deadline, 'the operation finished');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function saveOutput(a: ProviderAdapter, r: PollResult, name: string): Promise<string> {
  assert.equal(r.state, 'succeeded', JSON.stringify(r));
  if (r.state !== 'succeeded') throw new Error('unreachable');
  const opened = await a.openOutput(r.outputs[0], ctx);
  const chunks: Buffer[] = [];
  for await (const c of opened.body) chunks.push(Buffer.from(c as Buffer));
  const path = join(dir, name);
  await writeFile(path, Buffer.concat(chunks));
  return path;
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-vertex-adapter-'));
  sim = await startVertexSimulator({ workDir: join(dir, 'sim'), speed: 200, project: 'vidgate-test' });
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('Vertex AI adapter against the Vertex simulator', () => {
  it('service account: a silent Veo 3.1 Fast video, inline, with no audio stream', async () => {
    const a = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: sim.serviceAccountJson });
    const grants = sim.stats.tokenGrants;
    const { upstreamId } = await a.submit({ taskId: `ldtask_${'1'.repeat(32)}`, request: request() }, ctx);
    assert.match(upstreamId, /^projects\/vidgate-test\/locations\/us-central1\/publishers\/google\/models\/veo-3\.1-fast-generate-001\/operations\/[0-9a-f-]{36}$/);
    const done = await untilDone(a, upstreamId);
    assert.ok(done.state === 'succeeded' && done.outputs[0].base64, 'inline bytes without storageUri');
    const p = await probe(await saveOutput(a, done, 'silent.mp4'));
    assert.equal(p.audio, undefined, 'generateAudio:false renders no audio stream');
    assert.ok(p.duration > 3.5 && p.duration < 4.5, `4 s, got ${p.duration}`);
    assert.equal(sim.stats.tokenGrants, grants + 1, 'one token, cached across submit and polls');
  });

  it('GOOGLE_APPLICATION_CREDENTIALS: the key read from a file works the same', async () => {
    const file = join(dir, 'sa.json');
    await writeFile(file, sim.serviceAccountJson);
    const a = adapter({ GOOGLE_APPLICATION_CREDENTIALS: file });
    const { upstreamId } = await a.submit({ taskId: `ldtask_${'c'.repeat(32)}`, request: request() }, ctx);
    assert.equal((await untilDone(a, upstreamId)).state, 'succeeded');
  });

  it('output_audio true keeps the audio stream', async () => {
    const a = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: sim.serviceAccountJson });
    const { upstreamId } = await a.submit({ taskId: `ldtask_${'2'.repeat(32)}`, request: request({ output_audio: true }) }, ctx);
    const p = await probe(await saveOutput(a, await untilDone(a, upstreamId), 'sound.mp4'));
    assert.ok(p.audio, 'an audio stream');
  });

  it('storageUri: the result is a gs:// object read back through the Storage JSON API with the same token', async () => {
    const a = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: sim.serviceAccountJson }, { VERTEX_STORAGE_URI: 'gs://vidgate-out/veo' });
    const downloads = sim.stats.downloads;
    const { upstreamId } = await a.submit({ taskId: `ldtask_${'3'.repeat(32)}`, request: request() }, ctx);
    const done = await untilDone(a, upstreamId);
    assert.ok(done.state === 'succeeded');
    assert.match(done.outputs[0].url ?? '', /^gs:\/\/vidgate-out\/veo\/[0-9a-f-]{36}\/sample_0\.mp4$/);
    const p = await probe(await saveOutput(a, done, 'gcs.mp4'));
    assert.equal(p.audio, undefined, 'silent');
    assert.equal(sim.stats.downloads, downloads + 1);
  });

  it('a token expired upstream is replaced: one new grant, the call goes through', async () => {
    const a = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: sim.serviceAccountJson });
    const { upstreamId } = await a.submit({ taskId: `ldtask_${'4'.repeat(32)}`, request: request() }, ctx);
    const grants = sim.stats.tokenGrants;
    sim.faults.expireTokens();
    const r = await a.poll(upstreamId, ctx);
    assert.ok(r.state === 'running' || r.state === 'succeeded', JSON.stringify(r));
    assert.equal(sim.stats.tokenGrants, grants + 1, 'exactly one new token');
  });

  it('a static access token: works until it expires, then is an auth error that never shows the token', async () => {
    const minted = await fetch(sim.tokenUri, { method: 'POST' }).then((r) => r.json() as Promise<{ error?: string }>);
    assert.equal(minted.error, 'unsupported_grant_type', 'the token endpoint refuses a body without the JWT-bearer grant');
    // Mint one through the service-account path, then use it as a static token.
    const sa = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: sim.serviceAccountJson });
    await sa.submit({ taskId: `ldtask_${'5'.repeat(32)}`, request: request() }, ctx);
    const token = (await serviceAccountClient(sim.serviceAccountJson).getAccessToken()).token!;
    const a = adapter({ VERTEX_ACCESS_TOKEN: token }, { VERTEX_PROJECT: 'vidgate-test' });
    await a.submit({ taskId: `ldtask_${'6'.repeat(32)}`, request: request() }, ctx);
    sim.faults.expireTokens();
    const err = await a.submit({ taskId: `ldtask_${'7'.repeat(32)}`, request: request() }, ctx).catch((e: unknown) => e);
    assert.ok(err instanceof UpstreamError && err.kind === 'auth' && err.httpStatus === 401, String(err));
    assert.ok(!err.message.includes(token));
  });

  it("a token endpoint that never answers does not hold the call past the engine's deadline (timeout, transient)", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as { port: number }).port;
      const key = { ...JSON.parse(sim.serviceAccountJson), token_uri: `http://127.0.0.1:${port}/token` };
      const a = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: JSON.stringify(key) });
      const started = Date.now();
      const err = await a.submit({ taskId: `ldtask_${'b'.repeat(32)}`, request: request() }, { ...ctx, signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
      assert.ok(err instanceof UpstreamError && err.kind === 'timeout' && err.transient, String(err));
      assert.ok(Date.now() - started < 3000, 'gave up at the deadline');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('refusals: another project is auth (403), a retired model is model_retired, a foreign key is an auth error at the grant', async () => {
    const a = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: sim.serviceAccountJson }, { VERTEX_PROJECT: 'someone-else' });
    const denied = await a.submit({ taskId: `ldtask_${'8'.repeat(32)}`, request: request() }, ctx).catch((e: unknown) => e);
    assert.ok(denied instanceof UpstreamError && denied.kind === 'auth' && denied.httpStatus === 403, String(denied));

    const own = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: sim.serviceAccountJson });
    const retired = await own.submit({ taskId: `ldtask_${'9'.repeat(32)}`, request: request({ model: 'veo3-fast', upstream_model: 'veo-3.0-fast-generate-001', duration: 8 }) }, ctx).catch((e: unknown) => e);
    assert.ok(retired instanceof UpstreamError && retired.kind === 'model_retired', String(retired));

    const key = JSON.parse(sim.serviceAccountJson) as Record<string, string>;
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = adapter({ VERTEX_SERVICE_ACCOUNT_JSON: JSON.stringify({ ...key, private_key: other }) });
    const refused = await forged.submit({ taskId: `ldtask_${'a'.repeat(32)}`, request: request() }, ctx).catch((e: unknown) => e);
    assert.ok(refused instanceof UpstreamError && refused.kind === 'auth', String(refused));
    assert.ok(!refused.message.includes('PRIVATE KEY'));
  });
});
