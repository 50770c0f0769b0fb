/**
 * A workload against misbehaving upstreams (the in-process simulators' fault controls): 429s with
 * Retry-After, 5xx, calls slower than the gateway's upstream timeout, and a job that never finishes.
 * Every task ends completed or failed with the right error, upstream calls stay within the retry
 * budget, nothing is created twice, and the key is billed for what completed only.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';

/** What these tests use of every simulator's fault controls and counters. */
interface Faults {
  rateLimitNext(count: number, opts?: { retryAfterSeconds?: number; only?: string }): void;
  serverErrorNext(count: number, opts?: { status?: 500 | 503; only?: string }): void;
  setLatency(ms: number): void;
  hangNextJob(): void;
  reset(): void;
}
interface Stats {
  creates: number;
  requests: number;
  faulted: number;
  createAttemptTimes?: number[];
}

const UPSTREAM_TIMEOUT_MS = 1000;
/** engine settings.maxTransientAttempts: transient failures tolerated per step. */
const MAX_ATTEMPTS = 8;
const BALANCE = 20;

describe('upstream faults: every task ends right, within the retry budget', { timeout: 240_000 }, () => {
  let gw: TestGateway;
  let key: { id: string; key: string };
  const taskIds: string[] = [];

  before(async () => {
    gw = await startTestGateway({
      VIDGATE_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      // A wedged Wan job gives up after 3 s instead of 30 minutes.
      VIDGATE_CATALOG_OVERRIDES: JSON.stringify({ 'wan-2.5': { max_runtime_seconds: 3 } }),
    });
    key = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'faults' } })).json()) as { id: string; key: string };
    assert.equal((await gw.api(`/v1/admin/keys/${key.id}`, { method: 'PATCH', json: { balance_usd: BALANCE } })).status, 200);
  });
  after(async () => gw.close());

  const sim = (p: string) => ({ faults: gw.sandbox![p as 'google']!.faults as Faults, stats: gw.sandbox![p as 'google']!.stats as Stats });
  async function create(body: Record<string, unknown>): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body, key: key.key });
    assert.equal(res.status, 200, await res.clone().text());
    const id = ((await res.json()) as { id: string }).id;
    taskIds.push(id);
    return id;
  }
  const finish = (id: string) => waitForTask(gw, id, { key: key.key, timeoutMs: 90_000 });
  function row(id: string): { state: string; attempts: number; cost_usd: number | null } {
    const db = new SQLite(path.join(gw.dataDir, 'vidgate.sqlite'), { readonly: true });
    try {
      // The step's attempt count lives on the task's work-queue item.
      return db.prepare('select t.state, coalesce(w.attempts, 0) as attempts, t.cost_usd from tasks t left join work_items w on w.item_id = t.id where t.id = ?').get(id) as {
        state: string;
        attempts: number;
        cost_usd: number | null;
      };
    } finally {
      db.close();
    }
  }
  async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      assert.ok(Date.now() < deadline, `timed out waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('429 with Retry-After on create: waits as told, then creates each job exactly once', async () => {
    const { faults, stats } = sim('seedance');
    faults.rateLimitNext(2, { only: 'create', retryAfterSeconds: 2 });
    // The standby Seedance channel (Volcengine Ark) is throttled too: each refused attempt tries it, then waits.
    const standby = sim('volcengine-ark');
    standby.faults.rateLimitNext(2, { only: 'create', retryAfterSeconds: 2 });
    const ids = [await create({ model: 'seedance-1.5-pro', prompt: 'kite', duration: 4, resolution: '480p' }), await create({ model: 'seedance-1.5-pro', prompt: 'sea', duration: 4, resolution: '480p' })];
    for (const id of ids) assert.equal((await finish(id)).status, 'completed');
    assert.equal(stats.creates, 2, 'one job per task');
    assert.equal(stats.faulted, 2);
    const times = stats.createAttemptTimes!;
    assert.equal(times.length, 4, 'two refused attempts, two accepted: no more');
    // Each task's retry came no sooner than the 2 s the upstream asked for after its own refusal
    // (refusals and retries keep their order: the n-th retry belongs to the n-th refusal).
    assert.ok(times[2] - times[0] >= 1900, `first retry ${times[2] - times[0]} ms after its refusal, Retry-After was 2 s`);
    assert.ok(times[3] - times[1] >= 1900, `second retry ${times[3] - times[1]} ms after its refusal, Retry-After was 2 s`);
    assert.deepEqual([standby.stats.faulted, standby.stats.creates], [2, 0], 'the standby refused each once and created nothing');
  });

  it('5xx on create and on poll: retried, each task completed, each job created once', async () => {
    const { faults, stats } = sim('google');
    faults.serverErrorNext(2, { only: 'create', status: 503 });
    faults.serverErrorNext(3, { only: 'poll', status: 500 });
    // The standby Veo channel (Vertex AI) refuses its first two creates too: each refused create fails over to it, then waits.
    const standby = sim('vertex-ai');
    standby.faults.serverErrorNext(2, { only: 'create', status: 503 });
    const ids = [await create({ model: 'veo3.1-fast', prompt: 'storm', duration: 4 }), await create({ model: 'veo3.1-fast', prompt: 'calm', duration: 4 })];
    for (const id of ids) assert.equal((await finish(id)).status, 'completed');
    assert.equal(stats.creates, 2);
    assert.equal(stats.faulted, 5, 'every injected error was met once, none swallowed silently');
    assert.deepEqual([standby.stats.faulted, standby.stats.creates], [2, 0], 'the standby refused each once and created nothing');
    // Create attempts (refused + accepted) within the budget of MAX_ATTEMPTS per task.
    assert.ok(stats.creates + 2 <= MAX_ATTEMPTS * ids.length);
  });

  it('a create slower than the upstream timeout fails with timeout_error and is never sent again', async () => {
    const { faults, stats } = sim('xai');
    faults.setLatency(UPSTREAM_TIMEOUT_MS * 3);
    const before = stats.requests;
    const id = await create({ model: 'grok-imagine-video', operation: 'text-to-video', prompt: 'slow', duration: 1, resolution: '480p' });
    const done = await finish(id);
    assert.equal(done.status, 'failed');
    assert.equal(done.error.code, 'timeout_error', JSON.stringify(done.error));
    assert.equal(stats.requests - before, 1, 'one attempt only: a timed-out create may have landed, so it is not resent');
    faults.reset();
  });

  it('polls slower than the upstream timeout are retried until the upstream answers again', async () => {
    const { faults, stats } = sim('vidu');
    const id = await create({ model: 'viduq2', operation: 'text-to-video', prompt: 'fog', duration: 1 });
    // As soon as the job is submitted (the first poll is ≥ 0.7 s away), every upstream call becomes too slow.
    await until('submitted', () => row(id).state === 'processing');
    faults.setLatency(UPSTREAM_TIMEOUT_MS * 3);
    const before = stats.requests;
    await until('two polls timed out', () => row(id).attempts >= 2);
    assert.equal(row(id).state, 'processing', 'a poll timeout never fails the task');
    faults.reset();
    assert.equal((await finish(id)).status, 'completed');
    assert.equal(stats.creates, 1);
    // Polls while the upstream was too slow: each one counted as an attempt, within the budget.
    assert.ok(stats.requests - before <= MAX_ATTEMPTS + 2, `polls: ${stats.requests - before}`);
  });

  it('a wedged job (never finishes) fails with timeout_error after the model’s max runtime, its reservation refunded', async () => {
    const { faults, stats } = sim('dashscope');
    faults.hangNextJob();
    const id = await create({ model: 'wan-2.5', prompt: 'forever', resolution: '480p' });
    const done = await finish(id);
    assert.equal(done.status, 'failed');
    assert.equal(done.error.code, 'timeout_error');
    assert.match(done.error.message, /3 s/);
    assert.equal(stats.creates, 1);
    assert.equal(row(id).cost_usd ?? 0, 0);
  });

  it('the key paid for what completed, nothing for what failed, and has nothing left reserved', async () => {
    const keyRow = ((await (await gw.api('/v1/admin/keys')).json()) as { data: any[] }).data.find((k) => k.id === key.id);
    let billed = 0;
    let completed = 0;
    for (const id of taskIds) {
      const t = (await (await gw.api(`/v1/tasks/${id}`, { key: key.key })).json()) as Record<string, any>;
      assert.ok(t.status === 'completed' || t.status === 'failed');
      if (t.status === 'completed') {
        completed++;
        const cost = row(id).cost_usd;
        assert.ok(cost !== null && cost > 0, `completed ${t.model} has a cost`);
        billed += cost;
      }
    }
    assert.equal(completed, 5);
    assert.equal(taskIds.length, 7);
    assert.equal(keyRow.reserved_usd, 0);
    assert.ok(Math.abs(BALANCE - billed - keyRow.balance_usd) < 1e-6, `balance ${keyRow.balance_usd} vs ${BALANCE} − ${billed}`);
    assert.ok(Math.abs(keyRow.spent_usd - billed) < 1e-6);
  });
});
