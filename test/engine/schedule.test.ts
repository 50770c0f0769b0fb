import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, honouredRetryAfterMs } from '../../src/engine/retry-policy.js';
import { nextPollDelayMs } from '../../src/engine/schedule.js';

describe('poll schedule', () => {
  it('is sparse early, dense near the typical finish, and backs off after', () => {
    const typical = 60;
    const early = nextPollDelayMs(0, typical);
    const near = nextPollDelayMs(50_000, typical);
    const late = nextPollDelayMs(600_000, typical);
    assert.ok(early > near, `${early} > ${near}`);
    assert.ok(late > near);
    assert.ok(late <= 30_000);
    // A 60 s job costs a handful of polls, not one a second.
    let t = 0;
    let polls = 0;
    while (t < 60_000) {
      t += nextPollDelayMs(t, typical);
      polls++;
    }
    assert.ok(polls >= 4 && polls <= 15, `polls ${polls}`);
  });

  it('a job that finishes at its typical time costs at most 12 polls (6–7), whatever that time is', () => {
    const polls = (typicalSeconds: number, finishMs: number) => {
      let t = 0;
      let n = 0;
      while (t < finishMs) {
        t += nextPollDelayMs(t, typicalSeconds);
        n++;
      }
      return n;
    };
    for (const typical of [5, 10, 30, 60, 120, 300, 600]) {
      const n = polls(typical, typical * 1000);
      assert.ok(n >= 6 && n <= 7, `${n} polls for a ${typical} s job`);
    }
    // Overdue, the gaps keep growing (up to a quarter of the typical time), so a stuck job stays cheap.
    const gaps = [2, 4, 8, 16].map((k) => nextPollDelayMs(600_000 * k, 600));
    assert.ok(
      gaps.every((g, i) => i === 0 || g >= gaps[i - 1]),
      `${gaps}`,
    );
    assert.equal(nextPollDelayMs(600_000 * 16, 600), 150_000);
  });

  it('honours Retry-After (up to an hour) and scales in the sandbox', () => {
    assert.ok(nextPollDelayMs(0, 60, 1, 45) >= 45_000);
    assert.equal(nextPollDelayMs(0, 60, 1, 31_536_000), 3_600_000, 'a year-long Retry-After is capped');
    assert.equal(honouredRetryAfterMs(undefined), 0);
    assert.equal(honouredRetryAfterMs(-5), 0);
    assert.ok(nextPollDelayMs(0, 60, 0.05) < nextPollDelayMs(0, 60, 1) / 10);
  });

  it('backoff grows exponentially with jitter and a cap', () => {
    const lo = () => 0;
    const hi = () => 0.999;
    assert.equal(backoffMs(0, 1000, 60_000, lo), 500);
    assert.equal(backoffMs(3, 1000, 60_000, lo), 4000);
    assert.ok(backoffMs(3, 1000, 60_000, hi) <= 8000);
    assert.equal(backoffMs(30, 1000, 60_000, lo), 30_000);
  });
});
