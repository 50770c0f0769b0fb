import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import type { FaultControls } from '../../src/sandbox/google/faults.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { until } from '../helpers/until.js';

describe('lease heartbeat', () => {
  let gw: TestGateway;
  before(async () => {
    // A lease much shorter than one upstream answer: without renewal the engine would take its own
    // in-flight submission for a crashed one.
    gw = await startTestGateway({ VIDGATE_LEASE_MS: '1000' });
  });
  after(async () => gw.close());

  it('keeps a slow upstream call leased, so it completes once instead of being recovered as interrupted', async () => {
    const sim = gw.sandbox!.google!;
    (sim.faults as FaultControls).setLatency(2500);
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'slow upstream', duration: 4 } });
    const done = await waitForTask(gw, ((await res.json()) as any).id, { timeoutMs: 90_000 });
    (sim.faults as FaultControls).setLatency(0);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal((sim.stats as { creates: number }).creates, 1);
  });
});

describe('a lease that runs out while its step is still in flight', () => {
  let gw: TestGateway;
  before(async () => {
    // A long lease: its heartbeat (every third of it) does not come during the test, so the lease
    // the test ends stays ended until the engine's next tick looks.
    gw = await startTestGateway({ VIDGATE_LEASE_MS: '60000' });
  });
  after(async () => gw.close());

  it('is not taken over by the engine still running it: a slow submission whose lease ran out completes once, not failed as interrupted', async () => {
    // A heartbeat that could not renew the lease for a whole lease (the database out of reach or
    // locked that long) leaves the submission's lease ended while its create still waits for the
    // upstream's answer. The engine running it must not then recover it as if its holder had died:
    // for a provider with no lookup that fails the task, and the job the upstream makes is lost.
    const sim = gw.sandbox!.google!;
    (sim.faults as FaultControls).setLatency(4000);
    try {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'a lease that ran out', duration: 4 } });
      const id = ((await res.json()) as { id: string }).id;
      const db = new SQLite(path.join(gw.dataDir, 'vidgate.sqlite'));
      try {
        const submitting = () => (db.prepare('select state from tasks where id = ?').get(id) as { state: string }).state === 'submitting';
        await until('the task is being submitted', submitting, 15_000, 20);
        // The lease, as the heartbeat that could not write left it: ended.
        const ended = db.prepare("update work_items set due_ms = ? where item_id = ? and queue = 'task.submit' and lease_owner is not null").run(Date.now() - 1, id);
        assert.equal(ended.changes, 1);
      } finally {
        db.close();
      }
      const done = await waitForTask(gw, id, { timeoutMs: 90_000 });
      assert.equal(done.status, 'completed', JSON.stringify(done));
      assert.equal((sim.stats as { creates: number }).creates, 1);
      // The engine did see the ended lease (and took it back), rather than never looking.
      assert.ok(gw.logs.some((l) => l.includes('not run twice') && l.includes(id)));
    } finally {
      (sim.faults as FaultControls).setLatency(0);
    }
  });
});
