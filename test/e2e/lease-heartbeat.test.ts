import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FaultControls } from '../../src/sandbox/google/faults.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';

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
