/**
 * The engine thread routes by the model lists the HTTP thread reads. The first read starts while
 * the thread may still be starting: what it learnt must reach the thread all the same (not ten
 * minutes later, at the next read).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AvailabilityChecker, type AvailabilitySnapshot } from '../../src/channels/availability.js';
import { EngineThread } from '../../src/engine-host/thread.js';
import type { EngineThreadData } from '../../src/engine-host/protocol.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { until } from '../helpers/until.js';

describe('the engine thread and the model lists', { timeout: 60_000 }, () => {
  let gw: TestGateway;
  /** Every list the engine thread was given, in order (at start, then by message). */
  const given: AvailabilitySnapshot[] = [];
  const checks: Promise<void>[] = [];
  const real = { start: EngineThread.start, availability: EngineThread.prototype.availability, checkNow: AvailabilityChecker.prototype.checkNow };

  before(async () => {
    EngineThread.start = (data: EngineThreadData, o) => {
      given.push(data.availability);
      return real.start.call(EngineThread, data, o);
    };
    EngineThread.prototype.availability = function (this: EngineThread, lists: AvailabilitySnapshot) {
      given.push(lists);
      return real.availability.call(this, lists);
    };
    AvailabilityChecker.prototype.checkNow = function (this: AvailabilityChecker) {
      const running = real.checkNow.call(this);
      checks.push(running);
      return running;
    };
    gw = await startTestGateway({ VIDGATE_ENGINE_THREAD: '1' });
  });
  after(async () => {
    Object.assign(EngineThread, { start: real.start });
    EngineThread.prototype.availability = real.availability;
    AvailabilityChecker.prototype.checkNow = real.checkNow;
    await gw?.close();
  });

  it('the first read reaches the thread, however long the thread took to start', async () => {
    await until('the first read started', () => checks.length > 0, 10_000);
    await checks[0];
    const known = gw.availability.snapshot();
    assert.ok(known.length > 0, 'the simulators list their models');
    assert.deepEqual(given.at(-1), known, `the thread was given ${given.length} list(s), the last: ${JSON.stringify(given.at(-1))}`);
  });
});
