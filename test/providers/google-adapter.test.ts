/**
 * The Google adapter against a small fixture server on loopback that plays the Gemini endpoints
 * (predictLongRunning, operation GET, file download with a 302 to another origin).
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { defaultCatalog, expectedSeconds, renderedDuration } from '../../src/catalog/index.js';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createMediaLoader } from '../../src/media/fetcher.js';
import { createGoogleAdapter } from '../../src/providers/google/index.js';
import { toPredictRequest } from '../../src/providers/google/mapping.js';
import { UpstreamError, type AdapterContext } from '../../src/providers/types.js';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google/index.js';
import { tempDir } from '../sandbox/media-helpers.js';
import { PNG_BYTES, readBody, startServer, type LocalServer } from './local-server.js';

const KEY = 'AIzaSyTEST_key_0123456789abcdefghijklmno';
const VIDEO = Buffer.from('fake-mp4-bytes-'.repeat(1000));

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body?: unknown;
}

let gemini: LocalServer;
let storage: LocalServer;
const seen: Seen[] = [];
const storageSeen: Seen[] = [];
let polls = 0;
let personRefused = false;

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

before(async () => {
  // Another origin ("signed storage"): reached as localhost, while Gemini is 127.0.0.1.
  storage = await startServer((req, res) => {
    storageSeen.push({ method: req.method!, url: req.url!, headers: req.headers });
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(VIDEO.length) });
    res.end(VIDEO);
  });
  gemini = await startServer(async (req, res) => {
    const raw = await readBody(req);
    const entry: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
    seen.push(entry);
    const url = req.url!;
    if (url === '/img/first.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(PNG_BYTES);
    }
    if (req.headers['x-goog-api-key'] !== KEY) {
      return json(res, 403, { error: { code: 403, message: "Method doesn't allow unregistered callers.", status: 'PERMISSION_DENIED' } });
    }
    const create = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/.exec(url);
    if (create && req.method === 'POST') {
      const model = create[1];
      if (model === 'veo-bad') {
        return json(res, 400, {
          error: { code: 400, message: `Invalid durationSeconds; see ${gemini.url}/v1beta/models/veo-bad:predictLongRunning?key=${KEY}`, status: 'INVALID_ARGUMENT' },
        });
      }
      if (model === 'veo-busy') {
        return json(res, 429, {
          error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' }] },
        });
      }
      // Refuses a personGeneration value once per test run (veo-person-once) or always (veo-person-never).
      if ((model === 'veo-person-once' || model === 'veo-person-never') && (entry.body as { parameters?: { personGeneration?: string } }).parameters?.personGeneration) {
        if (model === 'veo-person-never' || !personRefused) {
          personRefused = true;
          return json(res, 400, { error: { code: 400, message: 'allow_adult for personGeneration is currently not supported.', status: 'INVALID_ARGUMENT' } });
        }
      }
      if (model === 'veo-person-never') {
        return json(res, 400, { error: { code: 400, message: 'personGeneration is not supported for this model.', status: 'INVALID_ARGUMENT' } });
      }
      if (model === 'veo-slow') {
        await new Promise((r) => setTimeout(r, 1500));
        return json(res, 200, { name: `models/${model}/operations/slow` });
      }
      return json(res, 200, { name: `models/${model}/operations/op1`, done: false });
    }
    if (url === '/v1beta/models/veo-3.1-generate-preview/operations/op1') {
      polls++;
      if (polls === 1) return json(res, 200, { name: 'models/veo-3.1-generate-preview/operations/op1' });
      return json(res, 200, {
        name: 'models/veo-3.1-generate-preview/operations/op1',
        done: true,
        response: { generateVideoResponse: { generatedSamples: [{ video: { uri: `${gemini.url}/v1beta/files/abc:download?alt=media` } }] } },
      });
    }
    if (url === '/v1beta/models/veo-3.1-generate-preview/operations/rai') {
      return json(res, 200, { name: 'x', done: true, response: { generateVideoResponse: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ['Audio could not be processed.'] } } });
    }
    if (url === '/v1beta/files/abc:download?alt=media') {
      res.writeHead(302, { location: `http://localhost:${storage.port}/signed/abc?sig=xyz` });
      return res.end();
    }
    if (url === '/v1beta/files/direct:download?alt=media') {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      return res.end(VIDEO);
    }
    return json(res, 404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } });
  });
});

after(async () => {
  await gemini.close();
  await storage.close();
});

const ctx: AdapterContext = {
  loadMedia: createMediaLoader({ allowPrivateNetwork: true, maxBytes: { image: 1 << 20, video: 1 << 24, audio: 1 << 20 }, timeoutMs: 5000 }),
  probeVideo: () => Promise.reject(new Error('the Veo adapter never probes inputs')),
};

function request(over: Partial<ResolvedVideoRequest> = {}): ResolvedVideoRequest {
  return {
    model: 'veo3.1',
    operation: 'image-to-video',
    operation_explicit: true,
    prompt: 'the lantern flickers on',
    image_url: `${gemini.url}/img/first.png`,
    // What the engine hands over for a 5 s Veo 3.1 task (the catalog renders 5 as 6).
    duration: 6,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: true,
    seed: 7,
    upstream_model: 'veo-3.1-generate-preview',
    sent: [],
    ...over,
  };
}

/** A Gemini simulator on loopback for one test (the fixture server above answers only what it scripts). */
async function withSimulator(run: (sim: GoogleSimulator) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('google-sim-');
  const sim = await startGoogleSimulator({ apiKey: KEY, workDir: dir, speed: 50 });
  try {
    await run(sim);
  } finally {
    await sim.close();
    await cleanup();
  }
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

describe('Google adapter over HTTP', () => {
  it('submits image-to-video with the key header and the inlined image, then polls to success and downloads', async () => {
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url, timeoutMs: 3000 });
    assert.equal(adapter.name, 'google');
    assert.equal(adapter.cancel, undefined, 'Gemini has no cancel for Veo');

    const { upstreamId } = await adapter.submit({ taskId: `ldtask_${'0'.repeat(32)}`, request: request() }, ctx);
    assert.equal(upstreamId, 'models/veo-3.1-generate-preview/operations/op1');
    const post = seen.find((s) => s.method === 'POST')!;
    assert.equal(post.url, '/v1beta/models/veo-3.1-generate-preview:predictLongRunning');
    assert.equal(post.headers['x-goog-api-key'], KEY);
    assert.ok(!post.url.includes('key='));
    assert.deepEqual(post.body, {
      instances: [{ prompt: 'the lantern flickers on', image: { bytesBase64Encoded: PNG_BYTES.toString('base64'), mimeType: 'image/png' } }],
      // No personGeneration for a first frame on Veo 3.1 (reported refused there; Google's samples never send it).
      parameters: { durationSeconds: 6, sampleCount: 1, aspectRatio: '16:9', resolution: '720p' },
    });

    assert.deepEqual(await adapter.poll(upstreamId, ctx), { state: 'running' });
    const done = await adapter.poll(upstreamId, ctx);
    assert.equal(done.state, 'succeeded');
    const output = (done as { outputs: Array<{ kind: 'video'; url?: string }> }).outputs[0];

    const opened = await adapter.openOutput(output, ctx);
    assert.equal(opened.contentType, 'video/mp4');
    assert.deepEqual(await collect(opened.body), VIDEO);
    const download = seen.find((s) => s.url.startsWith('/v1beta/files/abc'))!;
    assert.equal(download.headers['x-goog-api-key'], KEY);
    assert.equal(storageSeen.length, 1);
    assert.equal(storageSeen[0].headers['x-goog-api-key'], undefined, 'the key must not follow a redirect to another origin');
  });

  it('opens inline base64 outputs and same-origin downloads', async () => {
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url });
    const inline = await adapter.openOutput({ kind: 'video', base64: VIDEO.toString('base64'), mimeType: 'video/mp4' }, ctx);
    assert.deepEqual(await collect(inline.body), VIDEO);
    const direct = await adapter.openOutput({ kind: 'video', url: `${gemini.url}/v1beta/files/direct:download?alt=media` }, ctx);
    assert.deepEqual(await collect(direct.body), VIDEO);
  });

  it('maps a done operation filtered by RAI to content_policy_violation', async () => {
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url });
    const r = await adapter.poll('models/veo-3.1-generate-preview/operations/rai', ctx);
    assert.deepEqual(r, { state: 'failed', error: { code: 'content_policy_violation', message: "The video was blocked by the provider's safety filters: Audio could not be processed." } });
  });

  it('turns a 400 into invalid_input without leaking the key or the ?key= URL', async () => {
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url });
    const err = await adapter.submit({ taskId: 't', request: request({ operation: 'text-to-video', upstream_model: 'veo-bad' }) }, ctx).catch((e: unknown) => e);
    assert.ok(err instanceof UpstreamError);
    assert.equal(err.kind, 'invalid_input');
    assert.equal(err.httpStatus, 400);
    assert.match(err.message, /Invalid durationSeconds/);
    assert.ok(!err.message.includes(KEY));
  });

  it('turns a 429 into rate_limited with the RetryInfo delay', async () => {
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url });
    const err = await adapter.submit({ taskId: 't', request: request({ operation: 'text-to-video', upstream_model: 'veo-busy' }) }, ctx).catch((e: unknown) => e);
    assert.ok(err instanceof UpstreamError);
    assert.equal(err.kind, 'rate_limited');
    assert.equal(err.retryAfterSeconds, 17);
  });

  it('a wrong key is auth; unknown operation is not_found; a malformed name never reaches a URL', async () => {
    const wrong = createGoogleAdapter({ apiKey: 'nope', baseUrl: gemini.url });
    const authErr = await wrong.poll('models/veo-3.1-generate-preview/operations/op1', ctx).catch((e: unknown) => e);
    assert.equal((authErr as UpstreamError).kind, 'auth');
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url });
    const missing = await adapter.poll('models/veo-3.1-generate-preview/operations/none', ctx).catch((e: unknown) => e);
    assert.equal((missing as UpstreamError).kind, 'not_found');
    const before = seen.length;
    const evil = await adapter.poll('../../admin?x=1', ctx).catch((e: unknown) => e);
    assert.equal((evil as UpstreamError).kind, 'not_found');
    assert.equal(seen.length, before);
  });

  it('times out as a transient error, and a refused connection is unavailable', async () => {
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url, timeoutMs: 200 });
    const err = await adapter.submit({ taskId: 't', request: request({ operation: 'text-to-video', upstream_model: 'veo-slow' }) }, ctx).catch((e: unknown) => e);
    assert.equal((err as UpstreamError).kind, 'timeout');
    assert.equal((err as UpstreamError).transient, true);

    const closed = await startServer(() => undefined);
    const deadUrl = closed.url;
    await closed.close();
    const dead = createGoogleAdapter({ apiKey: KEY, baseUrl: deadUrl, timeoutMs: 2000 });
    const down = await dead.poll('models/x/operations/y', ctx).catch((e: unknown) => e);
    assert.equal((down as UpstreamError).kind, 'unavailable');
    assert.ok(!(down as Error).message.includes(KEY));
  });

  it("rethrows the engine's own abort instead of calling it an upstream fault", async () => {
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url, timeoutMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutdown')), 50);
    const err = await adapter.submit({ taskId: 't', request: request({ operation: 'text-to-video', upstream_model: 'veo-slow' }) }, { ...ctx, signal: controller.signal }).catch((e: unknown) => e);
    assert.equal((err as Error).message, 'shutdown');
  });

  it('on a 400 naming personGeneration, resubmits once without it; a second refusal is final', async () => {
    const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: gemini.url, timeoutMs: 3000 });
    // Interpolation (first + last frame) on Veo 3.x: the documented rules fix allow_adult, so it is sent.
    const interpolation = (upstream_model: string) =>
      request({ operation: 'start-end-to-video', start_image: `${gemini.url}/img/first.png`, end_image: `${gemini.url}/img/first.png`, image_url: undefined, duration: 8, upstream_model });
    const posts = () => seen.filter((s) => s.method === 'POST' && s.url.includes('veo-person'));
    const { upstreamId } = await adapter.submit({ taskId: `ldtask_${'1'.repeat(32)}`, request: interpolation('veo-person-once') }, ctx);
    assert.match(upstreamId, /veo-person-once/);
    const bodies = posts().map((p) => (p.body as { parameters: Record<string, unknown> }).parameters);
    assert.deepEqual(
      bodies.map((b) => b.personGeneration),
      ['allow_adult', undefined],
      'sent with it, then once without it',
    );
    await assert.rejects(adapter.submit({ taskId: `ldtask_${'2'.repeat(32)}`, request: interpolation('veo-person-never') }, ctx), (e: UpstreamError) => e.kind === 'invalid_input' && /personGeneration/.test(e.message));
    assert.equal(posts().filter((p) => p.url.includes('never')).length, 2, 'one resubmission, never more');
  });

  it('sends every duration the catalog offers for a Veo model, as the engine hands it over, as a durationSeconds the simulator accepts, the length the catalog bills', () =>
    withSimulator(async (sim) => {
      const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: sim.baseUrl, timeoutMs: 3000 });
      let n = 0;
      for (const spec of defaultCatalog()
        .all()
        .filter((m) => m.provider === 'google')) {
        for (const duration of spec.durations) {
          const asked = request({ model: spec.id, upstream_model: spec.upstream_model, operation: 'text-to-video', image_url: undefined, duration });
          // The engine sends the catalog's rendered length (Veo 3.1: 5 → 6), not the stored one.
          const req = { ...asked, duration: renderedDuration(spec, duration) };
          const submitted = await adapter.submit({ taskId: `ldtask_${(n++).toString(16).padStart(32, '0')}`, request: req }, ctx).catch((e: unknown) => e);
          assert.ok(!(submitted instanceof Error), `${spec.id} ${duration} s: ${String(submitted)}`);
          // What the adapter sends is what the simulator renders; the catalog reserves (and the finisher bills) that length.
          assert.equal(expectedSeconds(asked, spec), toPredictRequest(req, {}).parameters.durationSeconds, `${spec.id}: ${duration} s is billed as what is rendered`);
        }
      }
      assert.ok(n > 6);
    }));

  it("refuses a 5 s Veo 3.1 request handed to it unrounded (rounding is the engine's, from the catalog), as the simulator does", () =>
    withSimulator(async (sim) => {
      const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: sim.baseUrl, timeoutMs: 3000 });
      const requests = sim.stats.requests;
      const req = request({ model: 'veo3.1-fast', upstream_model: 'veo-3.1-fast-generate-preview', operation: 'text-to-video', image_url: undefined, duration: 5 });
      const err = await adapter.submit({ taskId: `ldtask_${'5'.repeat(32)}`, request: req }, ctx).catch((e: unknown) => e);
      assert.ok(err instanceof UpstreamError && err.kind === 'invalid_input', String(err));
      assert.match(err.message, /renders 4, 6 or 8 second videos only[^.]*, not 5 s\. Set duration to 4, 6 or 8\./);
      assert.equal(sim.stats.requests, requests, 'refused before anything was sent');
    }));

  it('refuses a duration Veo 3.0 does not render instead of rounding it up to 8 s', () =>
    withSimulator(async (sim) => {
      const adapter = createGoogleAdapter({ apiKey: KEY, baseUrl: sim.baseUrl, timeoutMs: 3000 });
      for (const duration of [4, 5, 6]) {
        const req = request({ model: 'veo3-fast', upstream_model: 'veo-3.0-fast-generate-001', operation: 'text-to-video', image_url: undefined, duration });
        const err = await adapter.submit({ taskId: `ldtask_${'4'.repeat(32)}`, request: req }, ctx).catch((e: unknown) => e);
        assert.ok(err instanceof UpstreamError && err.kind === 'invalid_input', `${duration} s: ${String(err)}`);
        assert.match(err.message, /Set duration to 8\./);
      }
    }));

  it('a wrong key against the simulator is auth (Google answers 400 INVALID_ARGUMENT API_KEY_INVALID), never echoed', () =>
    withSimulator(async (sim) => {
      const wrong = 'AIzaSyWRONG_key_0123456789abcdefghijklm';
      const adapter = createGoogleAdapter({ apiKey: wrong, baseUrl: sim.baseUrl, timeoutMs: 3000 });
      const err = await adapter.submit({ taskId: `ldtask_${'3'.repeat(32)}`, request: request({ operation: 'text-to-video', image_url: undefined }) }, ctx).catch((e: unknown) => e);
      assert.ok(err instanceof UpstreamError && err.kind === 'auth' && err.httpStatus === 400, String(err));
      assert.ok(!err.message.includes(wrong));
    }));
});
