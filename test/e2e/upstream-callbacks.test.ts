/**
 * Upstream callbacks end to end: the real gateway with VIDGATE_CALLBACK_BASE_URL, the real
 * simulators calling it back over loopback. Each callback-capable provider completes through its
 * callback (one confirming poll, long before the sparse fallback would poll); forged, replayed,
 * late and duplicate callbacks change nothing (task version and upstream polls checked); with the
 * callbacks dropped, the sparse fallback poll still completes the task.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { Webhook } from 'standardwebhooks';
import type { ProviderName } from '../../src/catalog/types.js';
import { startOpenAISimulator, type OpenAISimulator } from '../../src/sandbox/openai/index.js';
import { createTask } from '../helpers/e2e-provider.js';
import { startTestGateway, waitForStatus, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { freePort } from '../helpers/processes.js';

type Stats = { polls: number; callbacks: { sent: number; delivered: number; dropped: number; attempts: number; finishedAt: Record<string, number> } };
type CallbackFaults = { dropNextCallbacks(n: number): void; duplicateNextCallbacks(n: number): void; forgeNextCallbacks(n: number): void; reset(): void; hangNextJob(): void };

const CASES: Partial<Record<ProviderName, Record<string, unknown>>> = {
  kling: { model: 'kling-v2.5-turbo-std', prompt: 'a paper boat on a pond' },
  vidu: { model: 'viduq2', operation: 'text-to-video', prompt: 'fog walk', duration: 1, aspect_ratio: '4:3' },
  minimax: { model: 'hailuo-2.3-standard', prompt: 'A paper boat drifts down a rainy street' },
  seedance: { model: 'seedance-1.5-pro', operation: 'text-to-video', prompt: 'A red kite over the sea', duration: 4, resolution: '480p' },
  openai: { model: 'sora-2', prompt: 'A calm shot of a cat in a garden', duration: 4 },
};

describe('upstream callbacks', () => {
  let gw: TestGateway;
  let base: string;
  const stats = (p: ProviderName) => gw.sandbox![p]!.stats as Stats;
  const faults = (p: ProviderName) => gw.sandbox![p]!.faults as CallbackFaults;
  const etag = async (id: string) => (await gw.api(`/v1/tasks/${id}`)).headers.get('etag');
  const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gw = await startTestGateway({ PORT: String(port), VIDGATE_CALLBACK_BASE_URL: base });
  });
  after(() => gw?.close());

  it('every callback-capable provider completes through its callback: one poll, well before the sparse fallback', async () => {
    const entries = Object.entries(CASES) as [ProviderName, Record<string, unknown>][];
    const before = new Map(entries.map(([p]) => [p, stats(p).polls]));
    const started = Date.now();
    const ids = await Promise.all(entries.map(([, body]) => createTask(gw, body)));
    const done = await Promise.all(ids.map((id) => waitForTask(gw, id, { timeoutMs: 30_000 })));
    for (const [i, [p]] of entries.entries()) {
      assert.equal(done[i].status, 'completed', `${p}: ${JSON.stringify(done[i].error)}`);
      assert.ok(stats(p).callbacks.delivered >= 1, `${p} delivered no callback`);
      // The sparse fallback's first poll comes at 1.5× the typical time (≥ 4.5 s here): one poll means the callback brought it.
      assert.equal(stats(p).polls - before.get(p)!, 1, `${p} polled ${stats(p).polls - before.get(p)!} times; its callbacks: ${JSON.stringify({ ...stats(p).callbacks, finishedAt: undefined })}`);
    }
    assert.ok(Date.now() - started < 15_000);
  });

  it('dropped callbacks: the sparse fallback poll still completes the task', async () => {
    faults('kling').dropNextCallbacks(10);
    faults('minimax').dropNextCallbacks(10);
    const polls = { kling: stats('kling').polls, minimax: stats('minimax').polls };
    const ids = [await createTask(gw, { ...CASES.kling!, prompt: 'callbacks lost' }), await createTask(gw, { ...CASES.minimax!, prompt: 'callbacks lost too' })];
    const done = await Promise.all(ids.map((id) => waitForTask(gw, id, { timeoutMs: 40_000 })));
    assert.deepEqual(
      done.map((d) => d.status),
      ['completed', 'completed'],
    );
    assert.ok(stats('kling').callbacks.dropped >= 1 && stats('minimax').callbacks.dropped >= 1);
    // Sparse: a handful of polls at most, not the adaptive schedule's.
    assert.ok(stats('kling').polls - polls.kling <= 3, `kling polled ${stats('kling').polls - polls.kling}×`);
    assert.ok(stats('minimax').polls - polls.minimax <= 3, `minimax polled ${stats('minimax').polls - polls.minimax}×`);
    faults('kling').reset();
    faults('minimax').reset();
  });

  it('MiniMax checks the callback URL first: the gateway echoes the challenge of a URL it issued only', async () => {
    const s = gw.sandbox!.minimax!.stats as { challengesPassed: number; challengesFailed: number };
    assert.ok(s.challengesPassed >= 1);
    assert.equal(s.challengesFailed, 0);
    const token = randomBytes(32).toString('base64url');
    const res = await post(`/v1/upstream-callbacks/minimax/${token}`, JSON.stringify({ challenge: 'abc' }));
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as any).error.code, 'callback_not_found');
  });

  it('forged, unknown and malformed callbacks change nothing and answer at once', async () => {
    faults('kling').hangNextJob();
    faults('vidu').hangNextJob();
    const [k, v] = [await createTask(gw, { ...CASES.kling!, prompt: 'hangs: kling' }), await createTask(gw, { ...CASES.vidu!, prompt: 'hangs: vidu' })];
    await Promise.all([waitForStatus(gw, k, ['processing']), waitForStatus(gw, v, ['processing'])]);
    const tags = [await etag(k), await etag(v)];
    const polls = [stats('kling').polls, stats('vidu').polls];
    const token = randomBytes(32).toString('base64url');
    const body = JSON.stringify({ task_id: '1', task_status: 'succeed' });
    for (const [path, status] of [
      [`/v1/upstream-callbacks/kling/${token}`, 404], // a token we never issued
      ['/v1/upstream-callbacks/kling/short', 404],
      [`/v1/upstream-callbacks/nosuchchannel/${token}`, 404],
      ['/v1/upstream-callbacks/kling', 404], // per-task channels have no channel-wide URL
      [`/v1/upstream-callbacks/vidu/${token}`, 401], // unsigned: Vidu signs every callback
      ['/v1/upstream-callbacks/openai', 401], // unsigned project webhook
    ] as const) {
      const t0 = Date.now();
      const res = await post(path, body);
      assert.equal(res.status, status, path);
      assert.ok(((await res.json()) as any).error.message, path);
      assert.ok(Date.now() - t0 < 1000);
    }
    const big = await post(`/v1/upstream-callbacks/kling/${token}`, JSON.stringify({ pad: 'x'.repeat(100_000) }));
    assert.equal(big.status, 413);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([await etag(k), await etag(v)], tags);
    assert.deepEqual([stats('kling').polls, stats('vidu').polls], polls);
  });

  it("a simulator's forged callback (a lying body, or a bad signature) changes nothing", async () => {
    // Kling: the next callback (→ processing) claims the task succeeded; the confirming poll finds it running.
    faults('kling').hangNextJob();
    faults('kling').forgeNextCallbacks(1);
    const polled = stats('kling').polls;
    const k = await createTask(gw, { ...CASES.kling!, prompt: 'forged body' });
    await waitForStatus(gw, k, ['processing']);
    const before = stats('kling').callbacks.sent;
    const deadline = Date.now() + 10_000;
    while (stats('kling').callbacks.sent === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    const task = (await (await gw.api(`/v1/tasks/${k}`)).json()) as any;
    assert.equal(task.status, 'processing');
    assert.equal(task.video_url ?? null, null);
    // The callback bought its confirming poll and one recheck (the upstream might lag its callback), no more.
    assert.equal(stats('kling').polls - polled, 2);
    // Vidu: the end callback carries a bad signature: refused, so the task waits for its fallback poll.
    faults('vidu').forgeNextCallbacks(10);
    const polls = stats('vidu').polls;
    const v = await createTask(gw, { ...CASES.vidu!, prompt: 'forged signature' });
    await waitForStatus(gw, v, ['processing']);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(stats('vidu').polls, polls, 'a forged Vidu callback made the gateway poll');
    assert.ok(stats('vidu').callbacks.attempts > 0);
    faults('vidu').reset();
  });

  it('OpenAI webhooks: verified as the openai SDK verifies them; replays, late and stale ones change nothing', async () => {
    const secret = gw.sandbox!.openai!.credentials.OPENAI_WEBHOOK_SECRET;
    const sdk = new OpenAI({ apiKey: 'unused', webhookSecret: secret });
    const signed = (body: string, at = new Date()) => {
      const id = `msg_${randomBytes(8).toString('hex')}`;
      return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, body) };
    };
    // A running video: the first genuine event makes it due (one poll); the same request again is a replay.
    faults('openai').hangNextJob();
    // sora-2-pro: its typical time (300 s) puts the first fallback poll 22 s away, outside this test's windows.
    const id = await createTask(gw, { ...CASES.openai!, model: 'sora-2-pro', prompt: 'a hanging video' });
    await waitForStatus(gw, id, ['processing']);
    const videoId = await upstreamVideoId(gw, 'a hanging video');
    const event = JSON.stringify({ id: 'evt_1', object: 'event', created_at: Math.floor(Date.now() / 1000), type: 'video.completed', data: { id: videoId } });
    const headers = signed(event);
    // Our check agrees with the SDK's: what it unwraps, the gateway accepts.
    assert.equal(((await sdk.webhooks.unwrap(event, headers)) as any).data.id, videoId);
    const polls = stats('openai').polls;
    assert.equal((await post('/v1/upstream-callbacks/openai', event, headers)).status, 200);
    await until(() => stats('openai').polls > polls);
    await new Promise((r) => setTimeout(r, 2500));
    const afterFirst = stats('openai').polls;
    assert.ok(afterFirst - polls <= 3, `one callback cost ${afterFirst - polls} polls`);
    // (The callback's poll went the normal way: it may have written the job's progress.)
    const tag = await etag(id);
    assert.equal((await post('/v1/upstream-callbacks/openai', event, headers)).status, 200); // replay
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(stats('openai').polls, afterFirst);
    assert.equal(await etag(id), tag, 'a callback wrote the task');
    // Tampered body, and a genuine signature 10 minutes old: refused by both the SDK and the gateway.
    const tampered = event.replace('video.completed', 'video.failed');
    await assert.rejects(sdk.webhooks.unwrap(tampered, headers));
    assert.equal((await post('/v1/upstream-callbacks/openai', tampered, headers)).status, 401);
    const stale = signed(event, new Date(Date.now() - 600_000));
    await assert.rejects(sdk.webhooks.unwrap(event, stale));
    assert.equal((await post('/v1/upstream-callbacks/openai', event, stale)).status, 401);
    // Late: an event for a finished video (a completed task) changes nothing.
    const doneTask = await createTask(gw, { ...CASES.openai!, prompt: 'a finished video' });
    const done = await waitForTask(gw, doneTask);
    assert.equal(done.status, 'completed');
    const doneTag = await etag(doneTask);
    const donePolls = stats('openai').polls;
    const late = JSON.stringify({ id: 'evt_2', object: 'event', created_at: 1, type: 'video.completed', data: { id: await upstreamVideoId(gw, 'a finished video') } });
    assert.equal((await post('/v1/upstream-callbacks/openai', late, signed(late))).status, 200);
    // An event for a video this gateway never made is acknowledged (OpenAI would retry otherwise), and ignored.
    const foreign = JSON.stringify({ id: 'evt_3', object: 'event', created_at: 1, type: 'video.completed', data: { id: 'video_not_ours' } });
    assert.equal((await post('/v1/upstream-callbacks/openai', foreign, signed(foreign))).status, 200);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(stats('openai').polls, donePolls);
    assert.equal(await etag(doneTask), doneTag);
  });

  it('duplicated callbacks cost one poll', async () => {
    faults('seedance').duplicateNextCallbacks(5);
    const polls = stats('seedance').polls;
    const id = await createTask(gw, { ...CASES.seedance!, prompt: 'duplicated callbacks' });
    assert.equal((await waitForTask(gw, id)).status, 'completed');
    assert.equal(stats('seedance').polls - polls, 1);
  });
});

/** The simulator's video made for this prompt (the public task view never shows upstream ids). */
async function upstreamVideoId(gw: TestGateway, prompt: string): Promise<string> {
  const sim = gw.sandbox!.openai!;
  const res = await fetch(`${sim.baseUrl}/videos?limit=100`, { headers: { authorization: `Bearer ${sim.credentials.OPENAI_API_KEY}` } });
  const found = ((await res.json()) as { data: { id: string; prompt: string }[] }).data.filter((v) => v.prompt === prompt);
  assert.equal(found.length, 1, `videos for "${prompt}"`);
  return found[0].id;
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OpenAI project webhook shared by a key pool', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-project-webhook-'));
  let gw: TestGateway | undefined;
  let sim: OpenAISimulator | undefined;
  after(async () => {
    await gw?.close();
    await sim?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("one project's webhook URL (named after one channel of the pool) brings the end of a job sent through another channel", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    // Two keys of one project (here the same simulator): its one webhook is configured with the first channel's URL.
    sim = await startOpenAISimulator({ apiKey: 'sk-proj-pool-0123456789abcdef', workDir: path.join(work, 'sim'), speed: 20, projectWebhook: { url: `${base}/v1/upstream-callbacks/pool-1`, secret } });
    const channel = (id: string, priority: number) => ({ id, provider: 'openai', base_url: sim!.baseUrl, credentials: { OPENAI_API_KEY: sim!.apiKey }, models: ['sora-2'], priority });
    const file = path.join(work, 'vidgate.json');
    fs.writeFileSync(file, JSON.stringify({ channels: [channel('pool-1', 0), channel('pool-2', 1)] }));
    gw = await startTestGateway({
      PORT: String(port),
      VIDGATE_SANDBOX: '0',
      VIDGATE_CONFIG: file,
      VIDGATE_CALLBACK_BASE_URL: base,
      OPENAI_WEBHOOK_SECRET: secret,
      // The sparse fallback's first poll at 1.5 × 20 s: a task done well before came by its callback.
      VIDGATE_CATALOG_OVERRIDES: JSON.stringify({ 'sora-2': { typical_seconds: 20 } }),
    });
    const started = Date.now();
    const id = await createTask(gw, { model: 'sora-2', prompt: 'sent through the second key', duration: 4 });
    const done = await waitForTask(gw, id, { timeoutMs: 60_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(((await (await gw.api(`/v1/admin/tasks/${id}`)).json()) as { channel: { id: string } }).channel.id, 'pool-2');
    assert.ok(sim.stats.callbacks.delivered >= 1, 'the project webhook was called');
    assert.ok(Date.now() - started < 20_000, `completed after ${Date.now() - started} ms: the callback was ignored, the fallback poll found it`);
  });
});
