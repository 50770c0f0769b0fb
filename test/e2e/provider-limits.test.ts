import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import type { FaultControls } from '../../src/sandbox/google/faults.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';

const clip = (prompt: string) => ({ model: 'veo3.1-fast', prompt, duration: 4 });

/** Reads the gateway's own SQLite file (read-only, alongside the running gateway: WAL allows it). */
function db(gw: TestGateway): SQLite.Database {
  return new SQLite(path.join(gw.dataDir, 'vidgate.sqlite'), { readonly: true });
}

describe('per-provider concurrency, fairly shared across API keys', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_PROVIDER_LIMITS: JSON.stringify({ google: { concurrency: 1 } }) });
  });
  after(async () => gw.close());

  it('never has more than the limit in flight, and a burst from one key does not starve another', async () => {
    const other = ((await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'B' } })).json()) as any).key as string;
    const burst: string[] = [];
    for (let i = 0; i < 4; i++) burst.push(((await (await gw.api('/v1/videos/generations', { method: 'POST', json: clip(`burst ${i}`) })).json()) as any).id);
    const late = ((await (await gw.api('/v1/videos/generations', { method: 'POST', json: clip('late but fair'), key: other })).json()) as any).id as string;

    const reader = db(gw);
    let maxInFlight = 0;
    const sampler = setInterval(() => {
      const n = (reader.prepare("select count(*) n from tasks where provider = 'google' and state in ('submitting','processing','finishing')").get() as { n: number }).n;
      maxInFlight = Math.max(maxInFlight, n);
    }, 20);
    try {
      for (const id of [...burst, late]) assert.equal((await waitForTask(gw, id, { timeoutMs: 120_000, key: id === late ? other : undefined })).status, 'completed');
    } finally {
      clearInterval(sampler);
    }
    assert.equal(maxInFlight, 1);
    const order = (reader.prepare(`select id from tasks where id in (${[...burst, late].map(() => '?').join(',')}) order by submitted_ms`).all(...burst, late) as { id: string }[]).map((r) => r.id);
    reader.close();
    // The first burst task was already running; the other key's task goes next, not after the whole burst.
    assert.ok(order.indexOf(late) <= 1, `submission order ${order.map((id) => (id === late ? 'LATE' : 'burst')).join(', ')}`);
  });
});

describe('circuit breaker', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_BREAKER_THRESHOLD: '2', VIDGATE_BREAKER_COOLDOWN_MS: '1500' });
  });
  after(async () => gw.close());

  it('stops sending to a provider that is down, probes it back, and then every task completes', async () => {
    const sim = gw.sandbox!.google!;
    const faults = sim.faults as FaultControls;
    const stats = sim.stats as { requests: number; faulted: number; creates: number };
    faults.serverErrorNext(1000, { status: 503, only: 'create' });
    // Veo's other channel (Vertex AI) is down too, or it would simply take over (failover).
    const standby = gw.sandbox!['vertex-ai']!;
    (standby.faults as FaultControls).serverErrorNext(1000, { status: 503, only: 'create' });
    const standbyStats = standby.stats as { faulted: number; creates: number };
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(((await (await gw.api('/v1/videos/generations', { method: 'POST', json: clip(`outage ${i}`) })).json()) as any).id);
    await new Promise((r) => setTimeout(r, 2500));
    // Without a breaker 4 tasks retry independently (≥ 8 attempts per channel in 2.5 s). With one per
    // channel: at most one attempt per task already on its way when the breaker opened, then one probe.
    for (const [channel, attempts] of [
      ['gemini-api', stats.faulted],
      ['vertex-ai', standbyStats.faulted],
    ] as const)
      assert.ok(attempts <= ids.length + 1, `attempts while ${channel} was down: ${attempts}`);
    for (const id of ids) assert.equal(((await (await gw.api(`/v1/tasks/${id}`)).json()) as any).status, 'pending', 'tasks wait, they do not fail');
    faults.reset();
    (standby.faults as FaultControls).reset();
    for (const id of ids) assert.equal((await waitForTask(gw, id, { timeoutMs: 60_000 })).status, 'completed');
    assert.equal(stats.creates + standbyStats.creates, 4, 'each task created upstream exactly once');
  });
});
