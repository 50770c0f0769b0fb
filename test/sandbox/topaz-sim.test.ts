/**
 * The Topaz simulator against fixtures transcribed from the docs' examples (providers-1 §5.3–5.7):
 * every answer must have the documented shape (there is no official npm client to drive it).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { placeholderMedia } from '../../src/sandbox/example-media.js';
import { startTopazSimulator, type TopazSimulator } from '../../src/sandbox/topaz/index.js';
import { probe, tempDir } from './media-helpers.js';

const KEY = 'topaz-sim-test-key-0123456789abcdef';
let sim: TopazSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let source: Buffer;

/** §5.3's create body, with the source changed to the 3 s 640x360 12 fps clip we upload. */
const docBody = (size: number) => ({
  source: { container: 'mp4', size, duration: 3, frameRate: 12, frameCount: 36, resolution: { width: 640, height: 360 } },
  output: { container: 'mp4', resolution: { width: 1280, height: 720 }, frameRate: 12, audioCodec: 'AAC', audioTransfer: 'Copy', dynamicCompressionLevel: 'Mid' },
  filters: [{ model: 'prob-4', auto: 'Auto', videoType: 'Progressive' }],
});

async function api(method: string, path: string, body?: unknown, key: string | null = KEY) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['x-api-key'] = key;
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any, headers: res.headers };
}

const isRange = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number') && v[0] <= v[1];

async function statusUntil(id: string, want: string[]): Promise<any> {
  const deadline = Date.now() + 30_000;
  const seen: string[] = [];
  for (;;) {
    const { json } = await api('GET', `/video/${id}/status`);
    if (seen.at(-1) !== json.status) seen.push(json.status);
    if (want.includes(json.status)) return { ...json, seen };
    if (Date.now() > deadline) throw new Error(`stuck in ${json.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-topaz-sim-'));
  // Small parts so a few hundred kB exercise the multi-part path.
  sim = await startTopazSimulator({ apiKey: KEY, workDir: join(dir, 'sim'), speed: 40, partBytes: 1024 });
  source = (await placeholderMedia('https://example.com/topaz-sim-source.mp4', 'video')).bytes;
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('Topaz simulator vs the documented examples', () => {
  it('create → accept → PUT parts → complete-upload → status → download', async () => {
    const created = await api('POST', '/video/', docBody(source.length));
    assert.equal(created.status, 200);
    // { "requestId": "<uuid>", "estimates": { "cost": [11, 14], "time": [60, 120] } }
    assert.match(created.json.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(isRange(created.json.estimates.cost) && isRange(created.json.estimates.time));
    const id = created.json.requestId;
    assert.equal((await api('GET', `/video/${id}/status`)).json.status, 'requested');

    // { "uploadId": "2~…", "urls": ["https://…?X-Amz-Signature=…"] }
    const accepted = await api('PATCH', `/video/${id}/accept`);
    assert.equal(accepted.status, 202, "Topaz's OpenAPI answers accept with 202");
    assert.equal(typeof accepted.json.uploadId, 'string');
    const urls: string[] = accepted.json.urls;
    assert.equal(urls.length, Math.ceil(source.length / 1024));
    const partSize = Math.ceil(source.length / urls.length);
    const results = [];
    for (const [i, url] of urls.entries()) {
      const part = source.subarray(i * partSize, (i + 1) * partSize);
      const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'video/mp4' }, body: new Blob([new Uint8Array(part)]) });
      assert.equal(put.status, 200);
      const eTag = put.headers.get('etag')!;
      assert.equal(eTag, `"${createHash('md5').update(part).digest('hex')}"`, 'S3-style quoted md5 ETag');
      results.push({ partNum: i + 1, eTag: eTag.replace(/"/g, '') });
    }
    const wrong = await api('PATCH', `/video/${id}/complete-upload/`, { uploadResults: results.map((r) => ({ ...r, eTag: 'unused' })) });
    assert.equal(wrong.status, 400, 'multi-part uploads need the real ETags');
    // { "message": "..." }
    const completed = await api('PATCH', `/video/${id}/complete-upload/`, { uploadResults: results, md5Hash: createHash('md5').update(source).digest('hex') });
    assert.equal(completed.status, 202, "Topaz's OpenAPI answers complete-upload with 202");
    assert.equal(typeof completed.json.message, 'string');

    const processing = await statusUntil(id, ['processing']);
    // { status, progress, message, estimates, averageFps, combinedFps, processingJobs: [{chunkId, chunkIndex, taskIndex, status, gpuUtilization}] }
    assert.equal(typeof processing.progress, 'number');
    assert.equal(typeof processing.averageFps, 'number');
    assert.deepEqual(Object.keys(processing.processingJobs[0]).sort(), ['chunkId', 'chunkIndex', 'gpuUtilization', 'status', 'taskIndex']);
    const done = await statusUntil(id, ['complete', 'failed']);
    assert.equal(done.status, 'complete', JSON.stringify(done));
    assert.deepEqual(
      done.seen.filter((s: string) => s !== 'processing'),
      ['initializing', 'preprocessing', 'postprocessing', 'complete'].filter((s) => done.seen.includes(s)),
    );
    // { status: "complete", progress: 100, outputSize, download: { url, expiresIn, expiresAt } }
    assert.equal(done.progress, 100);
    assert.equal(typeof done.outputSize, 'number');
    // expiresIn is a TTL in milliseconds (24 h by default), expiresAt milliseconds since the epoch (Topaz's OpenAPI).
    assert.deepEqual([typeof done.download.url, done.download.expiresIn, typeof done.download.expiresAt], ['string', 86_400_000, 'number']);
    assert.ok(Math.abs(done.download.expiresAt - (Date.now() + 86_400_000)) < 60_000, `expiresAt ${done.download.expiresAt} is in ms, 24 h ahead`);
    assert.ok(Number(new URL(done.download.url).searchParams.get('expires')) <= done.download.expiresAt + 1000, 'the link expires when expiresAt says');
    const res = await fetch(done.download.url);
    assert.equal(res.status, 200);
    const file = join(dir, 'out.mp4');
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    const p = await probe(file);
    assert.deepEqual([p.video?.width, p.video?.height, p.audio], [1280, 720, undefined]);
    assert.ok(Math.abs(p.duration - 3) < 0.2);
  });

  it('answers errors in the OpenAPI shape: a body with only {message} (components.responses)', async () => {
    // Topaz's Video API OpenAPI (video-api.yaml): BadRequest, Unauthorized, PaymentRequired, Forbidden,
    // NotFound, InternalServerError, ServiceUnavailable are all `{ message: string }`.
    const bad = await api('POST', '/video/', { ...docBody(100), source: { ...docBody(100).source, size: undefined } });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.json), ['message']);
    assert.match(bad.json.message, /source\.size/);
    const model = await api('POST', '/video/', { ...docBody(100), filters: [{ model: 'nope-1' }] });
    assert.deepEqual([model.status, Object.keys(model.json)], [400, ['message']]);
    assert.match(model.json.message, /filters\.0\.model: unknown model/);
    const unauth = await api('POST', '/video/', docBody(100), null);
    assert.deepEqual([unauth.status, Object.keys(unauth.json)], [401, ['message']]);
    const missing = await api('GET', '/video/00000000-0000-0000-0000-000000000000/status');
    assert.deepEqual([missing.status, Object.keys(missing.json)], [404, ['message']]);
    sim.faults.serverErrorNext(1, { status: 503, only: 'create' });
    const down = await api('POST', '/video/', docBody(100));
    assert.deepEqual([down.status, Object.keys(down.json)], [503, ['message']]);
  });

  it('402 "Insufficient credits" on accept, 429 with Retry-After (a fault; not in the OpenAPI), a failed job with its message', async () => {
    const { json } = await api('POST', '/video/', docBody(source.length));
    sim.faults.insufficientCreditsNext();
    const refused = await api('PATCH', `/video/${json.requestId}/accept`);
    assert.deepEqual([refused.status, Object.keys(refused.json)], [402, ['message']]);
    assert.match(refused.json.message, /Insufficient credits/);
    assert.equal((await api('PATCH', `/video/${json.requestId}/accept`)).status, 202, 'accepting again after topping up works');

    sim.faults.rateLimitNext(1, { retryAfterSeconds: 5, only: 'create' });
    const limited = await api('POST', '/video/', docBody(100));
    assert.deepEqual([limited.status, limited.headers.get('retry-after')], [429, '5']);

    const small = docBody(source.length);
    const c = (await api('POST', '/video/', small)).json.requestId;
    const urls = (await api('PATCH', `/video/${c}/accept`)).json.urls as string[];
    const partSize = Math.ceil(source.length / urls.length);
    for (const [i, url] of urls.entries()) await fetch(url, { method: 'PUT', body: new Blob([new Uint8Array(source.subarray(i * partSize, (i + 1) * partSize))]) });
    sim.faults.failNextJob({ message: 'GPU fell over' });
    const etags = await Promise.all(
      urls.map(async (_, i) =>
        createHash('md5')
          .update(source.subarray(i * partSize, (i + 1) * partSize))
          .digest('hex'),
      ),
    );
    assert.equal((await api('PATCH', `/video/${c}/complete-upload/`, { uploadResults: etags.map((eTag, i) => ({ partNum: i + 1, eTag })) })).status, 202);
    const failed = await statusUntil(c, ['failed', 'complete']);
    // StatusResponse has `message` and no error code.
    assert.deepEqual([failed.status, failed.errorCode, failed.message], ['failed', undefined, 'GPU fell over']);
  });
});
