/** The MiniMax adapter against the MiniMax simulator over loopback: submit → poll → retrieve + download. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createMinimaxAdapter } from '../../src/providers/minimax/index.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { startMinimaxSimulator, type MinimaxSimulator } from '../../src/sandbox/minimax/index.js';
import { passThroughContext, pollAdapterUntilTerminal, rejectedWithout, startAdapterSim } from '../helpers/adapter-context.js';
import { probe } from '../sandbox/media-helpers.js';

const KEY = 'sk-api-adapter-test-0123456789abcdef';
let sim: MinimaxSimulator;
let adapter: ProviderAdapter;
let dir: string;
let cleanup: () => Promise<void>;

const ctx = passThroughContext('MiniMax fetches image URLs itself; the adapter must not load media');

function request(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'hailuo-2.3-standard',
    operation: 'text-to-video',
    operation_explicit: true,
    sent: [],
    prompt: 'A paper boat on a river',
    duration: 6,
    resolution: '720p',
    aspect_ratio: '16:9',
    output_audio: false,
    upstream_model: 'MiniMax-Hailuo-2.3',
    ...over,
  };
}

const pollUntilTerminal = (id: string) => pollAdapterUntilTerminal(adapter, ctx, id);
const rejected = (p: Promise<unknown>) => rejectedWithout(KEY, p);

before(async () => {
  ({ sim, adapter, dir, cleanup } = await startAdapterSim(
    'vidgate-minimax-adapter-',
    (workDir) => startMinimaxSimulator({ apiKey: KEY, speed: 200, workDir }),
    (sim) => createMinimaxAdapter({ apiKey: KEY, baseUrl: sim.baseUrl, timeoutMs: 5000 }),
  ));
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('MiniMax adapter ↔ simulator', () => {
  it('image-to-video from a public URL: submit, poll to success, open the output (retrieve + download)', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 't1', request: request({ operation: 'image-to-video', image_url: 'https://example.com/portrait.jpg', aspect_ratio: 'adaptive' }) }, ctx);
    assert.match(upstreamId, /^\d+$/);
    const done = await pollUntilTerminal(upstreamId);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const output = done.state === 'succeeded' ? done.outputs[0] : assert.fail();
    const retrievesBefore = sim.stats.retrieves;
    const opened = await adapter.openOutput(output, ctx);
    assert.equal(opened.contentType, 'video/mp4');
    const chunks: Buffer[] = [];
    for await (const c of opened.body) chunks.push(c as Buffer);
    const path = join(dir, 'out.mp4');
    await writeFile(path, Buffer.concat(chunks));
    const p = await probe(path);
    assert.ok(Math.abs(p.duration - 6) < 0.2);
    assert.deepEqual([p.video?.width, p.video?.height], [1366, 768], 'the 640x360 placeholder is 16:9');
    assert.equal(sim.stats.retrieves, retrievesBefore + 1, 'the download URL is fetched fresh from files/retrieve');
    // A second open asks again (signed URLs expire): the adapter never caches it.
    const again = await adapter.openOutput(output, ctx);
    again.body.destroy();
    assert.equal(sim.stats.retrieves, retrievesBefore + 2);
  });

  it('an operator override to an 01-series model (T2V-01-Director, I2V-01-live) renders at 720P, as MiniMax documents for them', async () => {
    const t2v = await adapter.submit({ taskId: 't01', request: request({ upstream_model: 'T2V-01-Director' }) }, ctx);
    const done = await pollUntilTerminal(t2v.upstreamId);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const i2v = await adapter.submit({ taskId: 't01i', request: request({ operation: 'image-to-video', image_url: 'https://example.com/portrait.jpg', aspect_ratio: 'adaptive', upstream_model: 'I2V-01-live' }) }, ctx);
    assert.equal((await pollUntilTerminal(i2v.upstreamId)).state, 'succeeded');
  });

  it('refusals on HTTP 200 map to kinds: rate limit, balance, sensitive input, bad params, bad key', async () => {
    const before = sim.stats.creates;
    assert.equal((await rejected(adapter.submit({ taskId: 't', request: request({ prompt: 'busy [sim:429]' }) }, ctx))).kind, 'rate_limited');
    assert.equal((await rejected(adapter.submit({ taskId: 't', request: request({ prompt: 'x [sim:balance]' }) }, ctx))).kind, 'quota');
    assert.equal((await rejected(adapter.submit({ taskId: 't', request: request({ prompt: 'x [sim:policy]' }) }, ctx))).kind, 'content_policy');
    sim.faults.errorCodeNext(1, 2013, { message: 'invalid params, something odd' });
    assert.equal((await rejected(adapter.submit({ taskId: 't', request: request({}) }, ctx))).kind, 'invalid_input');
    const wrongKey = createMinimaxAdapter({ apiKey: 'sk-api-wrong-key-000000', baseUrl: sim.baseUrl });
    const auth = await rejected(wrongKey.submit({ taskId: 't', request: request({}) }, ctx));
    assert.equal(auth.kind, 'auth');
    assert.match(auth.message, /MINIMAX_API_KEY/);
    assert.equal(sim.stats.creates, before);
  });

  it('an edge 429 carries Retry-After; 503 is transient', async () => {
    sim.faults.rateLimitNext(1, { http429: true, retryAfterSeconds: 4, only: 'create' });
    const rate = await rejected(adapter.submit({ taskId: 't', request: request({}) }, ctx));
    assert.deepEqual([rate.kind, rate.retryAfterSeconds, rate.transient], ['rate_limited', 4, true]);
    sim.faults.serverErrorNext(1, { status: 503, only: 'query' });
    assert.equal((await rejected(adapter.poll('123', ctx))).kind, 'unavailable');
  });

  it('failed jobs: output sensitivity is content_policy_violation; unknown task ids are not_found', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 't', request: request({ prompt: 'x [sim:policy-output]' }) }, ctx);
    const failed = await pollUntilTerminal(upstreamId);
    assert.deepEqual(failed.state === 'failed' && failed.error.code, 'content_policy_violation');
    const { upstreamId: id2 } = await adapter.submit({ taskId: 't', request: request({ prompt: 'x [sim:fail]' }) }, ctx);
    const failed2 = await pollUntilTerminal(id2);
    assert.deepEqual(failed2.state === 'failed' && failed2.error.code, 'upstream_error');
    assert.equal((await rejected(adapter.poll('424242', ctx))).kind, 'not_found');
    assert.equal((await rejected(adapter.poll('../etc', ctx))).kind, 'not_found');
  });

  it('codes 1028 and 1030 (quota or balance used up) are quota, never retried as a rate limit', async () => {
    for (const code of [1028, 1030]) {
      sim.faults.errorCodeNext(1, code, { message: 'quota exhausted', only: 'create' });
      const err = await rejected(adapter.submit({ taskId: 't', request: request({}) }, ctx));
      assert.deepEqual([err.kind, err.transient, err.upstreamCode], ['quota', false, String(code)]);
    }
  });

  it("the official table's 2045 (rate growth limit) is retried later; 2056 (usage limit exceeded, next 5-hour window) is quota", async () => {
    sim.faults.errorCodeNext(1, 2045, { only: 'create' });
    const growth = await rejected(adapter.submit({ taskId: 't', request: request({}) }, ctx));
    assert.deepEqual([growth.kind, growth.transient, growth.upstreamCode], ['rate_limited', true, '2045']);
    assert.match(growth.message, /rate growth limit/);
    sim.faults.errorCodeNext(1, 2056, { only: 'create' });
    const usage = await rejected(adapter.submit({ taskId: 't', request: request({}) }, ctx));
    assert.deepEqual([usage.kind, usage.transient, usage.upstreamCode], ['quota', false, '2056']);
    assert.match(usage.message, /usage limit exceeded/);
  });

  it('a job failed as "Failed" (not only "Fail") ends failed instead of polling forever', async () => {
    sim.faults.failNextJob({ status_code: 1000, status_msg: 'unknown error' }, 'Failed');
    const { upstreamId } = await adapter.submit({ taskId: 't', request: request({}) }, ctx);
    const failed = await pollUntilTerminal(upstreamId);
    assert.equal(failed.state, 'failed');
  });
});
