import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_RETRY_SCHEDULE_MS } from '../../src/webhooks/config.js';
import { nextAttemptAt, retryWindowMs } from '../../src/webhooks/schedule.js';

const HOUR = 3_600_000;

describe('webhook retry schedule', () => {
  it('by default the first attempt is immediate and retries span at least 24 h', () => {
    assert.equal(DEFAULT_RETRY_SCHEDULE_MS[0], 0);
    assert.ok(retryWindowMs(DEFAULT_RETRY_SCHEDULE_MS) >= 24 * HOUR, `window is ${retryWindowMs(DEFAULT_RETRY_SCHEDULE_MS) / HOUR} h`);
    // Backoff: each wait is at least as long as the one before.
    for (let i = 2; i < DEFAULT_RETRY_SCHEDULE_MS.length; i++) assert.ok(DEFAULT_RETRY_SCHEDULE_MS[i] >= DEFAULT_RETRY_SCHEDULE_MS[i - 1]);
  });

  it('walks the schedule attempt by attempt and stops at its end', () => {
    const schedule = [0, 5_000, 300_000];
    assert.equal(nextAttemptAt(schedule, 0, 1_000), 1_000);
    assert.equal(nextAttemptAt(schedule, 1, 1_000), 6_000);
    assert.equal(nextAttemptAt(schedule, 2, 1_000), 301_000);
    assert.equal(nextAttemptAt(schedule, 3, 1_000), null);
  });

  it('VIDGATE_WEBHOOK_* variables configure delivery; bad values are configuration errors', () => {
    const c = loadConfig({ VIDGATE_SANDBOX: '1', VIDGATE_WEBHOOK_RETRY_SCHEDULE_MS: '0, 200,400', VIDGATE_WEBHOOK_TIMEOUT_MS: '2500' });
    assert.deepEqual(c.webhooks.retryScheduleMs, [0, 200, 400]);
    assert.equal(c.webhooks.timeoutMs, 2500);
    assert.deepEqual(loadConfig({ VIDGATE_SANDBOX: '1' }).webhooks.retryScheduleMs, [...DEFAULT_RETRY_SCHEDULE_MS]);
    for (const bad of ['0,,5', 'soon', '-1', '0,1.5']) {
      assert.throws(() => loadConfig({ VIDGATE_SANDBOX: '1', VIDGATE_WEBHOOK_RETRY_SCHEDULE_MS: bad }), ConfigError, bad);
    }
    assert.throws(() => loadConfig({ VIDGATE_SANDBOX: '1', VIDGATE_WEBHOOK_TIMEOUT_MS: '5' }), ConfigError);
  });
});
