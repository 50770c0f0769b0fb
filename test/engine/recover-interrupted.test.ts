/**
 * recoverInterrupted with a provider that can look a job up by our reference (Kling): tasks left in
 * `submitting` by a dead worker are found upstream, or resubmitted when certainly not there, or
 * asked about again when the lookup fails, never failed or created twice. Real gateway, real
 * Kling simulator; the "dead worker" is written into the store between two gateway runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite.js';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { generateSecret } from '../../src/keys/keys.js';
import { createKlingAdapter } from '../../src/providers/kling/index.js';
import type { KlingFaultControls } from '../../src/sandbox/kling/faults.js';
import { startGateway, type RunningGateway } from '../../src/server.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-recover-'));
const adminKey = generateSecret();
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function start(env: Record<string, string>): Promise<RunningGateway> {
  const config = loadConfig({
    PORT: '0',
    VIDGATE_DATA_DIR: dataDir,
    VIDGATE_ADMIN_KEY: adminKey,
    VIDGATE_SANDBOX: '1',
    VIDGATE_SANDBOX_SPEED: '40',
    VIDGATE_ENGINE_TICK_MS: '50',
    ...env,
  });
  return startGateway(config, pino({ level: 'silent' }));
}

const api = (gw: RunningGateway, p: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${gw.url}${p}`, {
    ...init,
    headers: { authorization: `Bearer ${adminKey}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });

async function waitTerminal(gw: RunningGateway, id: string): Promise<Record<string, any>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const t = (await (await api(gw, `/v1/tasks/${id}`)).json()) as Record<string, any>;
    if (t.status === 'completed' || t.status === 'failed') return t;
    assert.ok(Date.now() < deadline, `task ${id} not terminal: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('recoverInterrupted, with a lookup by reference (Kling)', { timeout: 120_000 }, () => {
  it('found → continues that job; not found → resubmits once; lookup errors → asks again; none fails', async () => {
    // 1. Three Kling tasks, stored but never worked on (an API-only node has no engine).
    const apiOnly = await start({ VIDGATE_ROLE: 'api' });
    const ids: string[] = [];
    for (const prompt of ['landed before the crash', 'never reached Kling', 'lookup fails at first']) {
      const res = await api(apiOnly, '/v1/videos/generations', { method: 'POST', json: { model: 'kling-v2.6-std', prompt, duration: 5 } });
      assert.equal(res.status, 200, await res.clone().text());
      ids.push(((await res.json()) as { id: string }).id);
    }
    await apiOnly.close();
    const [landed, never] = ids;

    // 2. A worker "died" mid-submission on all three: it claimed them (state submitting, durably),
    //    pinned them to the channel it was sending through, and never came back; its lease runs out
    //    in a few seconds — long enough for step 3 (a gateway's start) on a loaded CI machine, where
    //    4 s once was not.
    const dead = openSqliteStore(path.join(dataDir, 'vidgate.sqlite'));
    const deadLeaseMs = 8000;
    const leaseUntil = Date.now() + deadLeaseMs;
    const claimed = await dead.tasks.claimPending({ now_ms: leaseUntil - deadLeaseMs, limit: 10, owner: 'worker_dead', lease_ms: deadLeaseMs, admission: { admit: () => true, refund: () => undefined } });
    assert.deepEqual(claimed.map((c) => c.task.id).sort(), [...ids].sort());
    assert.ok(claimed.every((c) => c.task.state === 'submitting'));
    // As a worker does right before it sends a create: the task is pinned to the channel it goes through.
    for (const c of claimed) assert.equal(await dead.tasks.pinChannel(c, 'worker_dead', 'kling-api-key', undefined), 'pinned');
    const landedRequest: ResolvedVideoRequest = claimed.find((c) => c.task.id === landed)!.task.request;
    await dead.close();

    // 3. A new gateway; before the dead lease expires, Kling gets the create that "landed" (with our
    //    task id as external_task_id, as the adapter sends it), and two failing answers queued for lookups.
    const gw = await start({ VIDGATE_LEASE_MS: '1000' });
    try {
      const sim = gw.sandbox!.kling!;
      const kling = createKlingAdapter({ apiKey: sim.credentials.KLING_API_KEY, baseUrl: sim.baseUrl });
      const ctx = { loadMedia: () => Promise.reject(new Error('no media')), probeVideo: () => Promise.reject(new Error('no probe')) };
      const { upstreamId } = await kling.submit({ taskId: landed, request: landedRequest }, ctx);
      (sim.faults as KlingFaultControls).serverErrorNext(2, { only: 'poll', status: 503 });
      const stats = sim.stats as { creates: number; faulted: number };
      assert.equal(stats.creates, 1);
      assert.ok(Date.now() < leaseUntil, 'set up before the dead worker’s lease ran out (the test machine is too slow otherwise)');

      const done = await Promise.all(ids.map((id) => waitTerminal(gw, id)));
      for (const t of done) {
        assert.equal(t.status, 'completed', JSON.stringify(t));
        assert.equal(t.model, 'kling-v2.6-std');
      }
      assert.equal(stats.faulted, 2, 'the two queued lookup failures were met and retried past');
      // One upstream job per task: the landed one reused, the two others created once each.
      assert.equal(stats.creates, 3);
      const reader = new SQLite(path.join(dataDir, 'vidgate.sqlite'), { readonly: true });
      const upstream = Object.fromEntries((reader.prepare('select id, upstream_id from tasks').all() as { id: string; upstream_id: string }[]).map((r) => [r.id, r.upstream_id]));
      reader.close();
      assert.equal(upstream[landed], upstreamId, 'the job created before the crash is the one polled and stored');
      assert.notEqual(upstream[never], upstreamId);
      assert.equal(new Set(Object.values(upstream)).size, 3);
      // Nothing left reserved; all three billed once.
      const keys = ((await (await api(gw, '/v1/admin/keys')).json()) as { data: any[] }).data;
      assert.deepEqual(
        keys.map((k) => k.reserved_usd),
        [0],
      );
    } finally {
      await gw.close();
    }
  });
});

describe('recoverInterrupted, a submission claimed but never pinned to a channel', { timeout: 120_000 }, () => {
  it('is sent again without a lookup (nothing was sent: a create is always pinned first), even where the provider has no lookup', async () => {
    const apiOnly = await start({ VIDGATE_ROLE: 'api' });
    const res = await api(apiOnly, '/v1/videos/generations', { method: 'POST', json: { model: 'sora-2', prompt: 'claimed, never sent', duration: 4 } });
    assert.equal(res.status, 200, await res.clone().text());
    const id = ((await res.json()) as { id: string }).id;
    await apiOnly.close();
    const dead = openSqliteStore(path.join(dataDir, 'vidgate.sqlite'));
    const claimed = await dead.tasks.claimPending({ now_ms: Date.now(), limit: 10, owner: 'worker_dead_2', lease_ms: 1000, admission: { admit: () => true, refund: () => undefined } });
    assert.deepEqual(
      claimed.map((c) => [c.task.id, c.task.channelId]),
      [[id, null]],
    );
    await dead.close();
    const gw = await start({ VIDGATE_LEASE_MS: '1000' });
    try {
      const done = await waitTerminal(gw, id);
      assert.equal(done.status, 'completed', JSON.stringify(done));
      assert.equal((gw.sandbox!.openai!.stats as { creates: number }).creates, 1);
    } finally {
      await gw.close();
    }
  });
});
