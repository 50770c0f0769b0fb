/** The DashScope adapter against the DashScope simulator over loopback: submit → poll → download, cancel, errors. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { createDashScopeAdapter } from '../../src/providers/dashscope/index.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { startDashScopeSimulator, type DashScopeSimulator } from '../../src/sandbox/dashscope/index.js';
import { passThroughContext, pollAdapterUntilTerminal, rejectedWithout, startAdapterSim } from '../helpers/adapter-context.js';
import { probe } from '../sandbox/media-helpers.js';

const KEY = 'sk-dashscope-adapter-test-0123456789';
let sim: DashScopeSimulator;
let adapter: ProviderAdapter;
let dir: string;
let cleanup: () => Promise<void>;

const ctx = passThroughContext('DashScope fetches media URLs itself; the adapter must not load media');

function request(over: Partial<ResolvedVideoRequest>): ResolvedVideoRequest {
  return {
    model: 'wan-2.6',
    operation: 'text-to-video',
    operation_explicit: true,
    sent: [],
    prompt: 'A paper boat on a river',
    duration: 2,
    resolution: '720p',
    aspect_ratio: '9:16',
    output_audio: true,
    upstream_model: 'wan2.6-t2v',
    ...over,
  };
}

const pollUntilTerminal = (id: string) => pollAdapterUntilTerminal(adapter, ctx, id);
const rejected = (p: Promise<unknown>) => rejectedWithout(KEY, p);

before(async () => {
  ({ sim, adapter, dir, cleanup } = await startAdapterSim(
    'vidgate-dashscope-adapter-',
    (workDir) => startDashScopeSimulator({ apiKey: KEY, speed: 400, workDir }),
    (sim) => createDashScopeAdapter({ apiKey: KEY, baseUrl: sim.apiBaseUrl, timeoutMs: 5000 }),
  ));
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('DashScope adapter ↔ simulator', () => {
  it('text-to-video 9:16 720p with audio off: submit (async header), poll, download a silent 720x1280 MP4', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 't1', request: request({ output_audio: false }) }, ctx);
    assert.match(upstreamId, /^[0-9a-f-]{36}$/);
    const done = await pollUntilTerminal(upstreamId);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const opened = await adapter.openOutput(done.state === 'succeeded' ? done.outputs[0] : assert.fail(), ctx);
    const chunks: Buffer[] = [];
    for await (const c of opened.body) chunks.push(c as Buffer);
    const path = join(dir, 'out.mp4');
    await writeFile(path, Buffer.concat(chunks));
    const p = await probe(path);
    assert.ok(Math.abs(p.duration - 2) < 0.2);
    assert.deepEqual([p.video?.width, p.video?.height], [720, 1280]);
    assert.equal(p.audio, undefined);
  });

  it('cancel succeeds while PENDING and the task then polls as cancelled; refused once running', async () => {
    const { upstreamId } = await adapter.submit({ taskId: 't2', request: request({ prompt: 'wait [sim:hang]' }) }, ctx);
    assert.equal(await adapter.cancel!(upstreamId, ctx), true);
    assert.deepEqual(await adapter.poll(upstreamId, ctx), { state: 'cancelled' });
    assert.equal(await adapter.cancel!(upstreamId, ctx), false);
  });

  it('UNKNOWN is not_found, FAILED moderation is content_policy_violation', async () => {
    assert.equal((await rejected(adapter.poll('0385dc79-5ff8-4d82-bcb6-5d0a6c1e2b77', ctx))).kind, 'not_found');
    const { upstreamId } = await adapter.submit({ taskId: 't3', request: request({ prompt: 'x [sim:policy-output]' }) }, ctx);
    const failed = await pollUntilTerminal(upstreamId);
    assert.equal(failed.state === 'failed' && failed.error.code, 'content_policy_violation');
  });

  it('create refusals: input moderation, throttling with Retry-After, arrearage, bad key, outage', async () => {
    const before = sim.stats.creates;
    assert.equal((await rejected(adapter.submit({ taskId: 't', request: request({ prompt: 'x [sim:policy]' }) }, ctx))).kind, 'content_policy');
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 5, only: 'create' });
    const rate = await rejected(adapter.submit({ taskId: 't', request: request({}) }, ctx));
    assert.deepEqual([rate.kind, rate.retryAfterSeconds], ['rate_limited', 5]);
    sim.faults.errorNext(1, { status: 400, code: 'Arrearage', message: 'Access denied, please make sure your account is in good standing.' });
    assert.equal((await rejected(adapter.submit({ taskId: 't', request: request({}) }, ctx))).kind, 'quota');
    sim.faults.serverErrorNext(1, { status: 500 });
    assert.equal((await rejected(adapter.submit({ taskId: 't', request: request({}) }, ctx))).kind, 'unavailable');
    const wrong = createDashScopeAdapter({ apiKey: 'sk-wrong-0000000000', baseUrl: sim.apiBaseUrl });
    assert.equal((await rejected(wrong.submit({ taskId: 't', request: request({}) }, ctx))).kind, 'auth');
    assert.equal(sim.stats.creates, before);
  });
});
