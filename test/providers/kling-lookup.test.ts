/** Kling: finding a job by the external_task_id we sent (our task id), against the Kling simulator. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultCatalog, resolveForModel, validateForModel } from '../../src/catalog/index.js';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createKlingAdapter } from '../../src/providers/kling/index.js';
import { createKindFor, inputsFor, toCreateRequest } from '../../src/providers/kling/mapping.js';
import { UpstreamError, type AdapterContext, type ProviderAdapter } from '../../src/providers/types.js';
import { startKlingSimulator, type KlingSimulator } from '../../src/sandbox/kling/index.js';
import { makeRequest } from '../catalog/request.js';

const AK = 'AKlookuptest0123456789';
const SK = 'SKlookuptest0123456789';
const catalog = defaultCatalog();
const ctx: AdapterContext = {
  loadMedia: () => Promise.reject(new Error('no media in these requests')),
  probeVideo: () => Promise.reject(new Error('never probes')),
};

function request(id: string, body: Record<string, unknown>): ResolvedVideoRequest {
  const spec = catalog.get(id)!;
  const req = makeRequest(spec, body);
  validateForModel(req, spec);
  return resolveForModel(req, spec);
}

let n = 0;
const taskId = () => `ldtask_${(0xabc000 + ++n).toString(16).padStart(32, '0')}`;

let sim: KlingSimulator;
let adapter: ProviderAdapter;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kling-lookup-'));
  sim = await startKlingSimulator({ accessKey: AK, secretKey: SK, workDir: join(dir, 'sim'), speed: 200 });
  adapter = createKlingAdapter({ accessKey: AK, secretKey: SK, baseUrl: sim.baseUrl, timeoutMs: 10_000 });
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Kling findByReference ↔ simulator', () => {
  const t2v = () => request('kling-v2.6-std', { prompt: 'a lighthouse', duration: 5 });

  it('a create refused because our reference already exists is ambiguous (look the job up), never a refusal of the request', async () => {
    // The race it covers: a create times out, the lookup finds nothing yet, the delayed create then
    // lands, and the resubmission meets Kling's "external_task_id must be unique per account".
    const id = taskId();
    const { upstreamId } = await adapter.submit({ taskId: id, request: t2v() }, ctx);
    const creates = sim.stats.creates;
    await assert.rejects(adapter.submit({ taskId: id, request: t2v() }, ctx), (e: unknown) => e instanceof UpstreamError && e.kind === 'ambiguous');
    assert.equal(sim.stats.creates, creates, 'no second job');
    assert.deepEqual(await adapter.findByReference!(id, t2v(), ctx), { upstreamId }, 'the lookup the engine then makes finds the first job');
  });

  it('finds a job created with our task id, as the same upstream id submit returned, without creating anything', async () => {
    const id = taskId();
    const { upstreamId } = await adapter.submit({ taskId: id, request: t2v() }, ctx);
    const creates = sim.stats.creates;
    const found = await adapter.findByReference!(id, t2v(), ctx);
    assert.deepEqual(found, { upstreamId });
    assert.equal(sim.stats.creates, creates, 'a lookup creates nothing');
    // And the upstream id it gives is one poll understands.
    const polled = await adapter.poll(found!.upstreamId, ctx);
    assert.ok(['queued', 'running', 'succeeded'].includes(polled.state), polled.state);
  });

  it('answers null (certainly not created) for a task id Kling never saw', async () => {
    assert.equal(await adapter.findByReference!(taskId(), t2v(), ctx), null);
  });

  it('looks under the family the create used: a text2video job is not found under image2video', async () => {
    const id = taskId();
    await adapter.submit({ taskId: id, request: t2v() }, ctx);
    // Same task id, but a request that would have gone to image2video: Kling keys ids per family.
    const i2v = request('kling-v2.6-std', { prompt: 'x', image_url: 'https://example.com/a.png', duration: 5 });
    assert.equal(createKindFor(i2v), 'image2video');
    assert.equal(await adapter.findByReference!(id, i2v, ctx), null);
  });

  it('throws (cannot tell) on a 5xx, a 429 or an auth failure: never null', async () => {
    const id = taskId();
    sim.faults.serverErrorNext(1, { only: 'poll' });
    await assert.rejects(adapter.findByReference!(id, t2v(), ctx), (e: unknown) => e instanceof UpstreamError && e.kind === 'unavailable');
    sim.faults.rateLimitNext(1, { only: 'poll', code: 1302 });
    await assert.rejects(adapter.findByReference!(id, t2v(), ctx), (e: unknown) => e instanceof UpstreamError && e.kind === 'rate_limited');
    const wrongKey = createKlingAdapter({ accessKey: AK, secretKey: `${SK}x`, baseUrl: sim.baseUrl, timeoutMs: 10_000 });
    await assert.rejects(wrongKey.findByReference!(id, t2v(), ctx), (e: unknown) => e instanceof UpstreamError && e.kind === 'auth');
    // Once the upstream answers again, the answer is the real one.
    assert.equal(await adapter.findByReference!(id, t2v(), ctx), null);
  });

  it('createKindFor agrees with the create body builder for every kind of request', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['kling-v2.6-std', { prompt: 'x', duration: 5 }],
      ['kling-v2.6-std', { prompt: 'x', image_url: 'https://example.com/a.png' }],
      ['kling-v2.5-turbo-pro', { start_image: 'https://example.com/a.png', end_image: 'https://example.com/b.png' }],
      ['kling-3.0-motion-control', { operation: 'motion-control', image_url: 'https://example.com/a.png', video_url: 'https://example.com/m.mp4' }],
      ['kling-video-o1-std', { prompt: 'x', duration: 5 }],
    ];
    for (const [model, body] of cases) {
      const req = request(model, body);
      assert.equal(createKindFor(req), toCreateRequest(req, 'ldtask_x', inputsFor(req)).kind, `${model} ${JSON.stringify(body)}`);
    }
  });
});
