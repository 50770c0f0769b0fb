import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google/index.js';
import { colorAt, isBluish, isFaststart, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

const MODEL = 'veo-3.1-generate-preview';
const KEY = 'AIza-test-key-0123456789';
/** An 8x8 green PNG, usable while the test table is built (before any hook runs). */
const TINY_PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAABAAAAAQBPJcTWAAAAEElEQVR4nGNgqGfAjoaWBABofB/BxrsbhAAAAABJRU5ErkJggg==';

let sim: GoogleSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let redB64: string;
let blueB64: string;

type Json = Record<string, any>;

async function api(method: string, path: string, opts: { body?: unknown; key?: string | null; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.key !== null) headers['x-goog-api-key'] = opts.key ?? KEY;
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Json };
}

const create = (body: unknown, model = MODEL) => api('POST', `/v1beta/models/${model}:predictLongRunning`, { body });

async function pollUntilDone(name: string, timeoutMs = 20_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, json } = await api('GET', `/v1beta/${name}`);
    assert.equal(status, 200, JSON.stringify(json));
    if (json.done) return json;
    if (Date.now() > deadline) throw new Error(`operation ${name} not done in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET the video uri with the key, following the redirect like `curl -L`. */
async function download(uri: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return fetch(uri, { headers: { 'x-goog-api-key': KEY, ...extraHeaders } });
}

function assertGoogleError(res: { status: number; json: Json }, code: number, status: string, message?: RegExp) {
  assert.equal(res.status, code, JSON.stringify(res.json));
  assert.equal(res.json.error.code, code);
  assert.equal(res.json.error.status, status);
  assert.equal(typeof res.json.error.message, 'string');
  if (message) assert.match(res.json.error.message, message);
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-google-sim-'));
  redB64 = (await solidImage(dir, 'red', 'red.png')).toString('base64');
  blueB64 = (await solidImage(dir, 'blue', 'blue.jpg')).toString('base64');
  // speed 500: simulated 11–60 s jobs take 22–120 ms.
  sim = await startGoogleSimulator({ apiKey: KEY, speed: 500, workDir: join(dir, 'work') });
});
after(async () => {
  await sim.close();
  await cleanup();
});
beforeEach(() => sim.faults.reset());

describe('auth', () => {
  it('answers a missing key with 403 PERMISSION_DENIED and a wrong key with 400 INVALID_ARGUMENT API_KEY_INVALID, as Google does', async () => {
    assertGoogleError(await api('POST', `/v1beta/models/${MODEL}:predictLongRunning`, { body: {}, key: null }), 403, 'PERMISSION_DENIED');
    const wrong = await api('GET', `/v1beta/models/${MODEL}/operations/x`, { key: 'wrong' });
    assertGoogleError(wrong, 400, 'INVALID_ARGUMENT', /API key not valid/);
    assert.ok(wrong.json.error.details.some((d: Json) => d.reason === 'API_KEY_INVALID'));
    assertGoogleError(await api('GET', '/v1beta/files/abc:download?alt=media', { key: null }), 403, 'PERMISSION_DENIED');
  });

  it('accepts the key as ?key=', async () => {
    const res = await api('GET', `/v1beta/models/${MODEL}/operations/nope?key=${KEY}`, { key: null });
    assertGoogleError(res, 404, 'NOT_FOUND');
  });
});

describe('create validation', () => {
  const GIF_B64 = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(32)]).toString('base64');
  const BMP_B64 = Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(40)]).toString('base64');
  const img = () => ({ bytesBase64Encoded: TINY_PNG_B64, mimeType: 'image/png' });
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['two instances', { instances: [{ prompt: 'a' }, { prompt: 'b' }] }, MODEL, /exactly one instance/],
    ['no instances', { parameters: {} }, MODEL, /exactly one instance/],
    ['duration 5 on Veo 3.1', { instances: [{ prompt: 'a' }], parameters: { durationSeconds: 5 } }, MODEL, /durationSeconds/],
    ['duration 4 on Veo 2', { instances: [{ prompt: 'a' }], parameters: { durationSeconds: 4 } }, 'veo-2.0-generate-001', /5, 6, 8/],
    ['1080p with 6 s', { instances: [{ prompt: 'a' }], parameters: { durationSeconds: 6, resolution: '1080p' } }, MODEL, /must be 8/],
    ['4k with 4 s', { instances: [{ prompt: 'a' }], parameters: { durationSeconds: 4, resolution: '4k' } }, MODEL, /must be 8/],
    ['references with 6 s', { instances: [{ prompt: 'a', referenceImages: [{ image: img(), referenceType: 'asset' }] }], parameters: { durationSeconds: 6 } }, MODEL, /must be 8/],
    ['aspect 1:1', { instances: [{ prompt: 'a' }], parameters: { aspectRatio: '1:1' } }, MODEL, /aspectRatio/],
    ['resolution 480p', { instances: [{ prompt: 'a' }], parameters: { resolution: '480p' } }, MODEL, /resolution/],
    ['4k on lite', { instances: [{ prompt: 'a' }], parameters: { resolution: '4k', durationSeconds: 8 } }, 'veo-3.1-lite-generate-preview', /resolution/],
    ['resolution on Veo 2', { instances: [{ prompt: 'a' }], parameters: { resolution: '720p' } }, 'veo-2.0-generate-001', /resolution/],
    ['lastFrame without image', { instances: [{ prompt: 'a', lastFrame: img() }] }, MODEL, /lastFrame requires image/],
    ['4 reference images', { instances: [{ prompt: 'a', referenceImages: [1, 2, 3, 4].map(() => ({ image: img(), referenceType: 'asset' })) }], parameters: { durationSeconds: 8 } }, MODEL, /1 to 3/],
    ['references on Veo 3.0', { instances: [{ prompt: 'a', referenceImages: [{ image: img(), referenceType: 'asset' }] }], parameters: { durationSeconds: 8 } }, 'veo-3.0-generate-001', /referenceImages/],
    ['references on lite', { instances: [{ prompt: 'a', referenceImages: [{ image: img(), referenceType: 'asset' }] }], parameters: { durationSeconds: 8 } }, 'veo-3.1-lite-generate-preview', /referenceImages/],
    ['generateAudio', { instances: [{ prompt: 'a' }], parameters: { generateAudio: true } }, MODEL, /generateAudio/],
    ['gcsUri image', { instances: [{ prompt: 'a', image: { gcsUri: 'gs://b/o.png', mimeType: 'image/png' } }] }, MODEL, /gcsUri/],
    ['not an image', { instances: [{ prompt: 'a', image: { inlineData: { mimeType: 'image/png', data: Buffer.from('hello').toString('base64') } } }] }, MODEL, /Unable to process input image/],
    // The Gemini API takes the registered names only: 'image/jpg' is answered "Unsupported MIME type: image/jpg" (see validate.ts).
    ['image/jpg (not a registered type)', { instances: [{ prompt: 'a', image: { bytesBase64Encoded: TINY_PNG_B64, mimeType: 'image/jpg' } }] }, MODEL, /^Unsupported MIME type: image\/jpg$/],
    // GIF and BMP are not Google's: refused by type when declared, by their bytes when not.
    ['image/gif declared', { instances: [{ prompt: 'a', image: { bytesBase64Encoded: GIF_B64, mimeType: 'image/gif' } }] }, MODEL, /^Unsupported MIME type: image\/gif$/],
    ['GIF bytes with no mimeType', { instances: [{ prompt: 'a', image: { bytesBase64Encoded: GIF_B64 } }] }, MODEL, /the bytes are not a PNG, JPEG or WebP image/],
    ['BMP bytes declared image/png', { instances: [{ prompt: 'a', image: { inlineData: { mimeType: 'image/png', data: BMP_B64 } } }] }, MODEL, /the bytes are not a PNG, JPEG or WebP image/],
    ['image/pjpeg as a last frame', { instances: [{ prompt: 'a', image: img(), lastFrame: { inlineData: { mimeType: 'image/pjpeg', data: TINY_PNG_B64 } } }] }, MODEL, /^Unsupported MIME type: image\/pjpeg$/],
    ['no prompt', { instances: [{}] }, MODEL, /prompt is required/],
    ['2 samples on Veo 3.1', { instances: [{ prompt: 'a' }], parameters: { sampleCount: 2 } }, MODEL, /sampleCount/],
    ['allow_adult for text-to-video on 3.1', { instances: [{ prompt: 'a' }], parameters: { personGeneration: 'allow_adult' } }, MODEL, /personGeneration/],
    [
      'allow_adult for image-to-video on 3.1 (reported refused)',
      { instances: [{ prompt: 'a', image: { bytesBase64Encoded: TINY_PNG_B64, mimeType: 'image/png' } }], parameters: { personGeneration: 'allow_adult' } },
      MODEL,
      /personGeneration/,
    ],
    [
      'reference images without a prompt',
      { instances: [{ referenceImages: [{ image: { bytesBase64Encoded: TINY_PNG_B64, mimeType: 'image/png' }, referenceType: 'asset' }] }], parameters: { durationSeconds: 8 } },
      MODEL,
      /prompt is required/,
    ],
    ['4k on Veo 3.0 (4k arrived with 3.1)', { instances: [{ prompt: 'a' }], parameters: { resolution: '4k', durationSeconds: 8 } }, 'veo-3.0-generate-001', /resolution/],
    ['1080p 9:16 on Veo 3.0', { instances: [{ prompt: 'a' }], parameters: { resolution: '1080p', aspectRatio: '9:16', durationSeconds: 8 } }, 'veo-3.0-generate-001', /16:9/],
    // Veo 3.0 renders 8-second videos only (Google's Veo cookbook: "always 8s for Veo 3"); 4/6 are Veo 3.1's.
    ['4 s on Veo 3.0', { instances: [{ prompt: 'a' }], parameters: { durationSeconds: 4 } }, 'veo-3.0-generate-001', /durationSeconds.*Supported values: 8\./],
    ['6 s on Veo 3.0 Fast', { instances: [{ prompt: 'a' }], parameters: { durationSeconds: 6 } }, 'veo-3.0-fast-generate-001', /durationSeconds.*Supported values: 8\./],
  ];
  for (const [name, body, model, message] of cases) {
    it(`rejects ${name} with 400 INVALID_ARGUMENT`, async () => {
      assertGoogleError(await create(body, model), 400, 'INVALID_ARGUMENT', message);
    });
  }

  it('rejects malformed JSON with 400', async () => {
    const res = await api('POST', `/v1beta/models/${MODEL}:predictLongRunning`, { raw: '{"instances": [' });
    assertGoogleError(res, 400, 'INVALID_ARGUMENT', /Invalid JSON payload/);
  });

  it('answers 404 NOT_FOUND for unknown models, operations, files and paths', async () => {
    assertGoogleError(await create({ instances: [{ prompt: 'a' }] }, 'veo-9-imaginary'), 404, 'NOT_FOUND', /veo-9-imaginary/);
    assertGoogleError(await api('GET', `/v1beta/models/${MODEL}/operations/doesnotexist`), 404, 'NOT_FOUND');
    assertGoogleError(await api('GET', '/v1beta/files/doesnotexist:download?alt=media'), 404, 'NOT_FOUND');
    assertGoogleError(await api('GET', '/v1beta/nothing/here'), 404, 'NOT_FOUND');
  });

  it('does not count rejected requests as creates', async () => {
    const before = sim.stats.creates;
    await create({ instances: [{ prompt: 'a' }], parameters: { durationSeconds: 3 } });
    assert.equal(sim.stats.creates, before);
  });
});

describe('create → poll → download', () => {
  it('runs an image-to-video job with a last frame at 9:16 and serves a real MP4', async () => {
    const before = { ...sim.stats };
    const res = await create({
      instances: [
        {
          prompt: 'The lantern flickers on',
          image: { inlineData: { mimeType: 'image/png', data: redB64 } },
          lastFrame: { bytesBase64Encoded: blueB64, mimeType: 'image/jpeg' },
        },
      ],
      parameters: { aspectRatio: '9:16', durationSeconds: 6, personGeneration: 'allow_adult', negativePrompt: 'text', numberOfVideos: 1 },
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.match(res.json.name, new RegExp(`^models/${MODEL}/operations/[a-z0-9]+$`));
    assert.equal(res.json.done, undefined);

    // Right after create the job is still running: only the name comes back.
    const first = await api('GET', `/v1beta/${res.json.name}`);
    assert.deepEqual(first.json, { name: res.json.name });

    const op = await pollUntilDone(res.json.name);
    assert.equal(op.name, res.json.name);
    assert.equal(op.error, undefined);
    assert.equal(op.response['@type'], 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse');
    const samples = op.response.generateVideoResponse.generatedSamples;
    assert.equal(samples.length, 1);
    const uri: string = samples[0].video.uri;
    assert.match(uri, /^http:\/\/127\.0\.0\.1:\d+\/v1beta\/files\/[a-z0-9]+:download\?alt=media$/);

    // The download is authenticated and redirects to a short-lived signed link.
    const redirect = await fetch(uri, { headers: { 'x-goog-api-key': KEY }, redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.match(redirect.headers.get('location')!, /signature=/);
    const unauthenticated = await fetch(uri, { redirect: 'manual' });
    assert.equal(unauthenticated.status, 403);

    const video = await download(uri);
    assert.equal(video.status, 200);
    assert.equal(video.headers.get('content-type'), 'video/mp4');
    const bytes = Buffer.from(await video.arrayBuffer());
    assert.ok(isFaststart(bytes));
    const file = join(dir, 'i2v.mp4');
    await writeFile(file, bytes);
    const p = await probe(file);
    assert.ok(Math.abs(p.duration - 6) < 0.1, `duration ${p.duration}`);
    assert.deepEqual([p.video?.width, p.video?.height], [720, 1280]);
    assert.equal(p.audio?.codec, 'aac', 'Veo 3.x on the Gemini API always has audio');
    assert.ok(isReddish(await colorAt(file, 0)), 'starts on the first-frame image');
    assert.ok(isBluish(await colorAt(file, 5.9)), 'ends on the last-frame image');

    assert.equal(sim.stats.creates, before.creates + 1);
    assert.ok(sim.stats.polls >= before.polls + 2);
    assert.equal(sim.stats.downloads, before.downloads + 2);
  });

  it('serves byte ranges from the signed link and refuses a tampered signature', async () => {
    const { json } = await create({ instances: [{ prompt: 'range me' }], parameters: { durationSeconds: 4 } });
    const op = await pollUntilDone(json.name);
    const uri = op.response.generateVideoResponse.generatedSamples[0].video.uri;
    const whole = Buffer.from(await (await download(uri)).arrayBuffer());
    const part = await download(uri, { range: 'bytes=10-19' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 10-19/${whole.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), whole.subarray(10, 20));
    const unsatisfiable = await download(uri, { range: `bytes=${whole.length + 5}-` });
    assert.equal(unsatisfiable.status, 416);

    const location = (await fetch(uri, { headers: { 'x-goog-api-key': KEY }, redirect: 'manual' })).headers.get('location')!;
    // Change the signature's first character to a different one (replacing it with '0' left a '0' unchanged: a 1-in-16 flake).
    const tampered = await fetch(location.replace(/signature=(.)/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`));
    assert.equal(tampered.status, 403);
  });

  it('renders Veo 2 silent, two samples, with the requested duration', async () => {
    const { status, json } = await create({ instances: [{ prompt: 'veo two' }], parameters: { durationSeconds: '5', sampleCount: 2 } }, 'veo-2.0-generate-001');
    assert.equal(status, 200, JSON.stringify(json));
    const op = await pollUntilDone(json.name);
    const samples = op.response.generateVideoResponse.generatedSamples;
    assert.equal(samples.length, 2);
    assert.notEqual(samples[0].video.uri, samples[1].video.uri);
    const file = join(dir, 'veo2.mp4');
    await writeFile(file, Buffer.from(await (await download(samples[1].video.uri)).arrayBuffer()));
    const p = await probe(file);
    assert.ok(Math.abs(p.duration - 5) < 0.1);
    assert.equal(p.audio, undefined);
    assert.deepEqual([p.video?.width, p.video?.height], [1280, 720]);
  });

  it('extends a previous generation given its uri', async () => {
    const { json } = await create({ instances: [{ prompt: 'source clip' }], parameters: { durationSeconds: 4 } });
    const source = await pollUntilDone(json.name);
    const uri = source.response.generateVideoResponse.generatedSamples[0].video.uri;
    const ext = await create({ instances: [{ prompt: 'keep going', video: { uri } }], parameters: { durationSeconds: 8 } });
    assert.equal(ext.status, 200, JSON.stringify(ext.json));
    const done = await pollUntilDone(ext.json.name);
    assert.ok(done.response.generateVideoResponse.generatedSamples[0].video.uri);
    const bad = await create({ instances: [{ prompt: 'x', video: { uri: 'https://example.com/v.mp4' } }], parameters: { durationSeconds: 8 } });
    assertGoogleError(bad, 400, 'INVALID_ARGUMENT');
  });

  it('answers an operation only under its own model', async () => {
    const { json } = await create({ instances: [{ prompt: 'model check' }], parameters: { durationSeconds: 4 } });
    const id = json.name.split('/').pop();
    assertGoogleError(await api('GET', `/v1beta/models/veo-2.0-generate-001/operations/${id}`), 404, 'NOT_FOUND');
  });
});

describe('faults', () => {
  it('answers 429 RESOURCE_EXHAUSTED with Retry-After and RetryInfo, then recovers', async () => {
    sim.faults.rateLimitNext(2, { retryAfterSeconds: 7, only: 'create' });
    const before = sim.stats.creates;
    const body = { instances: [{ prompt: 'busy' }], parameters: { durationSeconds: 4 } };
    for (let i = 0; i < 2; i++) {
      const res = await create(body);
      assertGoogleError(res, 429, 'RESOURCE_EXHAUSTED');
      assert.equal(res.headers.get('retry-after'), '7');
      const retryInfo = res.json.error.details.find((d: Json) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
      assert.equal(retryInfo.retryDelay, '7s');
    }
    assert.equal(sim.stats.creates, before);
    assert.equal((await create(body)).status, 200);
    assert.equal(sim.stats.creates, before + 1);
  });

  it('answers 500/503 on the targeted route only', async () => {
    const { json } = await create({ instances: [{ prompt: 'flaky polls' }], parameters: { durationSeconds: 4 } });
    sim.faults.serverErrorNext(1, { status: 503, only: 'poll' });
    sim.faults.serverErrorNext(1, { status: 500, only: 'poll' });
    assertGoogleError(await api('GET', `/v1beta/${json.name}`), 503, 'UNAVAILABLE');
    assertGoogleError(await api('GET', `/v1beta/${json.name}`), 500, 'INTERNAL');
    assert.equal((await api('GET', `/v1beta/${json.name}`)).status, 200);
  });

  it('fails the next job with done + error', async () => {
    sim.faults.failNextJob({ code: 3, message: 'The prompt could not be submitted.', status: 'INVALID_ARGUMENT' });
    const { json } = await create({ instances: [{ prompt: 'doomed' }], parameters: { durationSeconds: 4 } });
    const op = await pollUntilDone(json.name);
    assert.deepEqual(op.error, { code: 3, message: 'The prompt could not be submitted.', status: 'INVALID_ARGUMENT' });
    assert.equal(op.response, undefined);
    // Only the next job is affected.
    const next = await pollUntilDone((await create({ instances: [{ prompt: 'fine' }], parameters: { durationSeconds: 4 } })).json.name);
    assert.equal(next.error, undefined);
  });

  it('RAI-filters the next job: done, no samples, no error', async () => {
    sim.faults.raiFilterNextJob(['filtered for testing']);
    const { json } = await create({ instances: [{ prompt: 'filtered' }], parameters: { durationSeconds: 4 } });
    const op = await pollUntilDone(json.name);
    assert.equal(op.error, undefined);
    assert.deepEqual(op.response.generateVideoResponse, { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ['filtered for testing'] });
  });

  it('leaves a hung job running forever', async () => {
    sim.faults.hangNextJob();
    const { json } = await create({ instances: [{ prompt: 'stuck' }], parameters: { durationSeconds: 4 } });
    await new Promise((r) => setTimeout(r, 300)); // well past 60 s / 500
    assert.deepEqual((await api('GET', `/v1beta/${json.name}`)).json, { name: json.name });
  });

  it('adds latency to API answers', async () => {
    sim.faults.setLatency(150);
    const started = Date.now();
    await api('GET', `/v1beta/models/${MODEL}/operations/whatever`);
    assert.ok(Date.now() - started >= 140);
  });

  it('honours prompt markers for black-box tests', async () => {
    const run = async (prompt: string) => pollUntilDone((await create({ instances: [{ prompt }], parameters: { durationSeconds: 4 } })).json.name);
    assert.equal((await run('x [sim:fail]')).error.status, 'INTERNAL');
    assert.equal((await run('x [sim:rai]')).response.generateVideoResponse.raiMediaFilteredCount, 1);

    const hung = await create({ instances: [{ prompt: 'x [sim:hang]' }], parameters: { durationSeconds: 4 } });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await api('GET', `/v1beta/${hung.json.name}`)).json.done, undefined);

    assertGoogleError(await create({ instances: [{ prompt: 'x [sim:429]' }] }), 429, 'RESOURCE_EXHAUSTED');
    assertGoogleError(await create({ instances: [{ prompt: 'x [sim:429]' }] }), 429, 'RESOURCE_EXHAUSTED');
    assertGoogleError(await create({ instances: [{ prompt: 'y [sim:429-once]' }] }), 429, 'RESOURCE_EXHAUSTED');
    assert.equal((await create({ instances: [{ prompt: 'y [sim:429-once]' }] })).status, 200);
    assertGoogleError(await create({ instances: [{ prompt: 'z [sim:503-once]' }] }), 503, 'UNAVAILABLE');
    assert.equal((await create({ instances: [{ prompt: 'z [sim:503-once]' }] })).status, 200);
  });
});

describe('lifecycle', () => {
  it('closes promptly while renders are in flight', async () => {
    const { dir: d, cleanup: c } = await tempDir('vidgate-google-close-');
    const s = await startGoogleSimulator({ apiKey: KEY, speed: 10_000, workDir: d });
    const res = await fetch(`${s.baseUrl}/v1beta/models/${MODEL}:predictLongRunning`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEY },
      body: JSON.stringify({ instances: [{ prompt: 'closing' }], parameters: { durationSeconds: 8, resolution: '1080p' } }),
    });
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await s.close();
    assert.ok(Date.now() - started < 1000, 'close should kill ffmpeg, not wait for it');
    await c();
  });
});
