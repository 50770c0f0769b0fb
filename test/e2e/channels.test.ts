/**
 * Channels through the whole gateway, against real simulators over loopback:
 * - sandbox mode: one channel per kind in GET /v1/admin/channels (never a secret); a channel taken
 *   down (its simulator answering 503 to creates) and every task still completes through the other
 *   channel of the same provider (OpenAI → Azure OpenAI, BytePlus → Volcengine Ark, Kling API key →
 *   Kling JWT); the admin task view names the channel, the public one does not;
 * - VIDGATE_CONFIG with two OpenAI simulators of different keys: priority, capacity and rate routing,
 *   all_channels_failed when every channel refuses, and a task pinned to its channel keeps using
 *   that channel's key after a restart that changes the priorities — and fails clearly after a
 *   restart that removes the channel.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSecret } from '../../src/keys/keys.js';
import { startOpenAISimulator, type OpenAIFaultControls, type OpenAISimulator, type OpenAISimulatorStats } from '../../src/sandbox/openai/index.js';
import type { SeedanceFaultControls, SeedanceSimulatorStats } from '../../src/sandbox/seedance/index.js';
import type { KlingFaultControls } from '../../src/sandbox/kling/faults.js';
import { probeTaskVideo } from '../helpers/e2e-provider.js';
import { startTestGateway, waitForStatus, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { OwnApiChecker } from '../helpers/own-openapi.js';

async function create(gw: TestGateway, body: Record<string, unknown>): Promise<string> {
  const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

/** Answers are checked against the gateway's own OpenAPI document. */
const checkers = new WeakMap<TestGateway, OwnApiChecker>();
async function documented(gw: TestGateway): Promise<OwnApiChecker> {
  let api = checkers.get(gw);
  if (!api) {
    api = new OwnApiChecker(await (await gw.api('/openapi.json', { key: null })).json());
    checkers.set(gw, api);
  }
  return api;
}

async function adminTask(gw: TestGateway, id: string): Promise<Record<string, any>> {
  const res = await gw.api(`/v1/admin/tasks/${id}`);
  assert.equal(res.status, 200);
  return (await documented(gw)).answer('get', '/v1/admin/tasks/{id}', res);
}

async function channelsView(gw: TestGateway): Promise<Record<string, any>[]> {
  const res = await gw.api('/v1/admin/channels');
  assert.equal(res.status, 200);
  return (await (await documented(gw)).answer<{ data: Record<string, any>[] }>('get', '/v1/admin/channels', res)).data;
}

describe('channels in sandbox mode', { timeout: 300_000 }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw?.close());

  it('GET /v1/admin/channels lists one channel per kind, with breaker state and counts, and never a credential', async () => {
    const channels = await channelsView(gw);
    const byProvider = (p: string) =>
      channels
        .filter((c) => c.provider === p)
        .map((c) => c.protocol)
        .sort();
    assert.deepEqual(byProvider('openai'), ['azure-openai', 'openai']);
    assert.deepEqual(byProvider('seedance'), ['byteplus-ark', 'volcengine-ark']);
    assert.deepEqual(byProvider('kling'), ['kling-api-key', 'kling-jwt']);
    assert.deepEqual(byProvider('google'), ['gemini-api', 'vertex-ai']);
    for (const p of ['minimax', 'dashscope', 'vidu', 'xai', 'topaz']) assert.deepEqual(byProvider(p), [p]);
    const azure = channels.find((c) => c.id === 'azure-openai')!;
    assert.equal(azure.state, 'closed');
    assert.ok(azure.models.includes('sora-2'));
    assert.equal(typeof azure.in_flight, 'number');
    assert.ok(channels.find((c) => c.id === 'openai')!.priority > azure.priority, 'the default protocol first, the other standing by');
    // No secret of any simulator appears, not even in part.
    const text = JSON.stringify(channels);
    const secrets = Object.values(gw.sandbox!).flatMap((s) => s!.channels.flatMap((c) => Object.values(c.credentials)));
    assert.ok(secrets.length >= 12);
    for (const secret of secrets) for (const part of [secret, secret.slice(0, 12), secret.slice(-12)]) assert.ok(!text.includes(part), 'a credential shows in the channel list');
    // Admins only.
    const created = await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'plain' } });
    const plain = ((await created.json()) as { key: string }).key;
    assert.equal((await gw.api('/v1/admin/channels', { key: plain })).status, 403);
  });

  it('veo3.1-fast with output_audio=false goes to the Vertex AI channel and completes silent; with sound it stays on the Gemini API', async () => {
    const silent = await waitForTask(gw, await create(gw, { model: 'veo3.1-fast', prompt: 'a quiet lake', duration: 4, output_audio: false }));
    assert.equal(silent.status, 'completed', JSON.stringify(silent.error));
    assert.equal((await adminTask(gw, silent.id)).channel.id, 'vertex-ai', 'the channel that renders it silent upstream');
    const probe = await probeTaskVideo(gw, silent, 'sandbox-vertex-silent');
    assert.equal(probe.hasAudio, false);
    const loud = await waitForTask(gw, await create(gw, { model: 'veo3.1-fast', prompt: 'a loud lake', duration: 4 }));
    assert.equal(loud.status, 'completed', JSON.stringify(loud.error));
    assert.equal((await adminTask(gw, loud.id)).channel.id, 'gemini-api', 'the default protocol first');
  });

  it('OpenAI down (503 to every create): every Sora task completes through Azure OpenAI', async () => {
    const openai = gw.sandbox!.openai!;
    const azure = gw.sandbox!['azure-openai']!;
    const azureBefore = (azure.stats as OpenAISimulatorStats).creates;
    (openai.faults as OpenAIFaultControls).serverErrorNext(1000, { status: 503, only: 'create' });
    try {
      const ids = await Promise.all([1, 2, 3].map((i) => create(gw, { model: 'sora-2', prompt: `failover ${i}`, duration: 4 })));
      for (const id of ids) {
        const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
        assert.equal(done.status, 'completed', JSON.stringify(done));
        assert.ok(!('channel' in done) && !JSON.stringify(done).includes('azure'), 'the public view shows no routing');
        const admin = await adminTask(gw, id);
        assert.deepEqual(admin.channel, { id: 'azure-openai', provider: 'openai', protocol: 'azure-openai' });
      }
      assert.equal((azure.stats as OpenAISimulatorStats).creates - azureBefore, 3);
      const view = await channelsView(gw);
      assert.ok(view.find((c) => c.id === 'openai')!.failures >= 3, 'the refused creates are counted on the channel that refused them');
      assert.ok(view.find((c) => c.id === 'azure-openai')!.submissions >= 3);
    } finally {
      (openai.faults as OpenAIFaultControls).reset();
    }
  });

  it('BytePlus down: Seedance completes through Volcengine Ark (its own model ids); a Kling API key refused: the JWT channel takes over', async () => {
    const byteplus = gw.sandbox!.seedance!;
    const volcengine = gw.sandbox!['volcengine-ark']!;
    const volcBefore = (volcengine.stats as SeedanceSimulatorStats).creates;
    (byteplus.faults as SeedanceFaultControls).serverErrorNext(1000, { status: 503, only: 'create' });
    // One Kling simulator serves both kinds: the first create (through the API key) answers 503, the next one (the JWT pair) is taken.
    (gw.sandbox!.kling!.faults as KlingFaultControls).serverErrorNext(1, { status: 503, only: 'create' });
    try {
      const seedance = await create(gw, { model: 'seedance-2.0-fast', prompt: 'failover to Volcengine', duration: 4, resolution: '480p', output_audio: false });
      const kling = await create(gw, { model: 'kling-v2.6-std', prompt: 'failover to the JWT channel', duration: 5 });
      for (const [id, channel] of [
        [seedance, 'volcengine-ark'],
        [kling, 'kling-jwt'],
      ]) {
        const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
        assert.equal(done.status, 'completed', JSON.stringify(done));
        assert.equal((await adminTask(gw, id)).channel.id, channel);
      }
      assert.equal((volcengine.stats as SeedanceSimulatorStats).creates - volcBefore, 1);
    } finally {
      (byteplus.faults as SeedanceFaultControls).reset();
    }
  });
});

describe('channels from VIDGATE_CONFIG', { timeout: 300_000 }, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-channels-e2e-'));
  const dataDir = path.join(work, 'data');
  const adminKey = generateSecret();
  let simA: OpenAISimulator;
  let simB: OpenAISimulator;
  let gw: TestGateway | undefined;

  const channel = (id: string, sim: OpenAISimulator, extra: object = {}) => ({
    id,
    provider: 'openai',
    protocol: 'openai',
    base_url: sim.baseUrl,
    credentials: { OPENAI_API_KEY: sim.apiKey },
    models: ['sora-2'],
    ...extra,
  });
  // Two more channels whose keys both sims refuse, serving only sora-2-pro.
  const refused = (id: string, sim: OpenAISimulator) => ({ id, provider: 'openai', base_url: sim.baseUrl, credentials: { OPENAI_API_KEY: `sk-proj-wrong-${id}-000000000000` }, models: ['sora-2-pro'], priority: 9 });

  async function start(channels: object[], env: Record<string, string> = {}): Promise<TestGateway> {
    const file = path.join(work, `vidgate-${Date.now()}.json`);
    fs.writeFileSync(file, JSON.stringify({ channels }));
    return startTestGateway({
      VIDGATE_SANDBOX: '0',
      VIDGATE_CONFIG: file,
      VIDGATE_DATA_DIR: dataDir,
      VIDGATE_ADMIN_KEY: adminKey,
      // Polls scheduled around a short job, as the sandbox would (here time runs at its real pace).
      VIDGATE_CATALOG_OVERRIDES: JSON.stringify({ 'sora-2': { typical_seconds: 4 } }),
      ...env,
    });
  }

  before(async () => {
    simA = await startOpenAISimulator({ apiKey: 'sk-proj-channel-a-0123456789abcdef', workDir: path.join(work, 'a'), speed: 2 });
    simB = await startOpenAISimulator({ apiKey: 'sk-proj-channel-b-0123456789abcdef', workDir: path.join(work, 'b'), speed: 20 });
  });
  after(async () => {
    await gw?.close();
    await Promise.all([simA?.close(), simB?.close()]);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('routes by priority and capacity, fails with all_channels_failed when every channel refuses, and keeps a task on its channel across restarts', async () => {
    // A first (priority 1) but one job at a time; B stands by.
    gw = await start([channel('sora-a', simA, { priority: 1, concurrency: 1 }), channel('sora-b', simB), refused('wrong-1', simA), refused('wrong-2', simB)]);
    const pinned = await create(gw, { model: 'sora-2', prompt: 'pinned to A, a long job', duration: 4 });
    await waitForStatus(gw, pinned, ['processing']);
    assert.equal((await adminTask(gw, pinned)).channel.id, 'sora-a');
    // A is full: the next ones go to B.
    const spill = await Promise.all([1, 2].map((i) => create(gw!, { model: 'sora-2', prompt: `spill ${i}`, duration: 4 })));
    for (const id of spill) {
      assert.equal((await waitForTask(gw, id)).status, 'completed');
      assert.equal((await adminTask(gw, id)).channel.id, 'sora-b');
    }
    const view = await channelsView(gw);
    assert.equal(view.find((c) => c.id === 'sora-a')!.in_flight, 1);
    assert.equal(view.find((c) => c.id === 'sora-a')!.concurrency, 1);

    // Every channel serving sora-2-pro refuses the key: failed at once, naming what each said.
    const none = await waitForTask(gw, await create(gw, { model: 'sora-2-pro', prompt: 'nobody takes this', duration: 4 }));
    assert.equal(none.status, 'failed');
    assert.equal(none.error.code, 'all_channels_failed');
    assert.match(none.error.message, /wrong-[12]: .*; wrong-[12]: /);
    assert.ok(!none.error.message.includes('sk-proj-wrong'), 'the refused keys are not echoed');

    // Restart with B preferred: the task pinned to A is still polled through A, with A's key.
    await gw.close();
    const pollsA = (simA.stats as OpenAISimulatorStats).polls;
    const pollsB = (simB.stats as OpenAISimulatorStats).polls;
    gw = await start([channel('sora-a', simA), channel('sora-b', simB, { priority: 1 })]);
    const done = await waitForTask(gw, pinned, { timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal((await adminTask(gw, pinned)).channel.id, 'sora-a');
    assert.ok((simA.stats as OpenAISimulatorStats).polls > pollsA, 'polled A after the restart');
    assert.equal((simB.stats as OpenAISimulatorStats).polls, pollsB, 'never asked B about a job of A');
    const fresh = await create(gw, { model: 'sora-2', prompt: 'new work goes to B now', duration: 4 });
    assert.equal((await waitForTask(gw, fresh)).status, 'completed');
    assert.equal((await adminTask(gw, fresh)).channel.id, 'sora-b');

    // A task pinned to a channel that is gone after a restart fails, saying which channel it needs.
    const stuck = await create(gw, { model: 'sora-2', prompt: 'on B, which goes away [sim:hang]', duration: 4 });
    await waitForStatus(gw, stuck, ['processing']);
    await gw.close();
    gw = await start([channel('sora-a', simA)]);
    const lost = await waitForTask(gw, stuck, { timeoutMs: 60_000 });
    assert.equal(lost.status, 'failed');
    assert.equal(lost.error.code, 'all_channels_failed');
    assert.match(lost.error.message, /channel 'sora-b', which is no longer configured/);
    assert.deepEqual((await adminTask(gw, stuck)).channel, { id: 'sora-b', provider: 'openai', protocol: null });
  });

  it('a channel out of submissions for this minute hands new work to the next one', async () => {
    await gw?.close();
    gw = await start([channel('rate-a', simA, { priority: 1, rpm: 1 }), channel('rate-b', simB)]);
    const first = await create(gw, { model: 'sora-2', prompt: 'takes the one token of rate-a', duration: 4 });
    await waitForStatus(gw, first, ['processing', 'completed']);
    const second = await create(gw, { model: 'sora-2', prompt: 'rate-a has none left this minute', duration: 4 });
    await waitForStatus(gw, second, ['processing', 'completed']);
    assert.deepEqual([(await adminTask(gw, first)).channel.id, (await adminTask(gw, second)).channel.id], ['rate-a', 'rate-b']);
    const view = await channelsView(gw);
    assert.deepEqual([view.find((c) => c.id === 'rate-a')!.rpm, view.find((c) => c.id === 'rate-a')!.submissions, view.find((c) => c.id === 'rate-b')!.submissions], [1, 1, 1]);
  });

  it('a channel whose key is refused hands over to one that is only busy: the task waits for it, it does not fail with the refusal', async () => {
    await gw?.close();
    // First in line, a key the upstream refuses; behind it, a good channel with room for one job.
    gw = await start([
      { id: 'revoked', provider: 'openai', base_url: simB.baseUrl, credentials: { OPENAI_API_KEY: 'sk-proj-revoked-0000000000000000' }, models: ['sora-2'], priority: 1 },
      channel('one-slot', simA, { concurrency: 1 }),
    ]);
    const first = await create(gw, { model: 'sora-2', prompt: 'takes the one slot', duration: 4 });
    await waitForStatus(gw, first, ['processing']);
    const refusedBefore = simB.stats.requests;
    const waitStarted = Date.now();
    const second = await create(gw, { model: 'sora-2', prompt: 'waits for the slot', duration: 4 });
    for (const id of [first, second]) {
      const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      assert.equal((await adminTask(gw, id)).channel.id, 'one-slot');
    }
    // Meanwhile the refusing channel rested for its breaker's cooldown (30 s, then the probe): it was
    // not asked again at every tick of the wait.
    const refusals = simB.stats.requests - refusedBefore;
    assert.ok(refusals >= 1 && refusals <= 4, `the revoked channel was asked ${refusals} times in a wait of ${Math.round((Date.now() - waitStarted) / 1000)} s`);
  });

  it('a channel throttled for a moment gets the task again then, not after the breaker of the other one has rested', async () => {
    await gw?.close();
    // One failure opens a breaker, for ten minutes.
    gw = await start([channel('first', simA, { priority: 1 }), channel('second', simB)], { VIDGATE_BREAKER_THRESHOLD: '1', VIDGATE_BREAKER_COOLDOWN_MS: '600000' });
    try {
      // Both refuse once: 'second' is down (its breaker opens), 'first' busy; the retry goes to 'first'.
      simA.faults.rateLimitNext(1, { only: 'create' });
      simB.faults.serverErrorNext(1, { status: 503, only: 'create' });
      const opened = await waitForTask(gw, await create(gw, { model: 'sora-2', prompt: 'opens the breaker of second', duration: 4 }));
      assert.equal(opened.status, 'completed', JSON.stringify(opened.error));
      assert.equal((await channelsView(gw)).find((c) => c.id === 'second')!.state, 'open');
      // 'first' says 429, try again in a second; 'second' rests for ten minutes.
      simA.faults.rateLimitNext(1, { retryAfterSeconds: 1, only: 'create' });
      const started = Date.now();
      const id = await create(gw, { model: 'sora-2', prompt: 'throttled for a second', duration: 4 });
      await waitForStatus(gw, id, ['processing', 'completed'], 20_000);
      assert.ok(Date.now() - started < 20_000);
      assert.equal((await adminTask(gw, id)).channel.id, 'first');
    } finally {
      simA.faults.reset();
      simB.faults.reset();
    }
  });
});
