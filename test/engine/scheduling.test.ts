import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noteOutcome } from '../../src/engine/failover.js';
import { CircuitBreaker } from '../../src/limits/circuit-breaker.js';
import { UpstreamError } from '../../src/providers/types.js';
import { planFair, type PartitionHead } from '../../src/store/work-queue.js';

const head = (partition_key: string, group_key = 'p', in_flight = 0, served_ms = 0): PartitionHead => ({ partition_key, group_key, in_flight, served_ms });
const picks = (plan: Map<PartitionHead, number>) => Object.fromEntries([...plan].map(([h, n]) => [h.partition_key, n]));

describe('planFair', () => {
  it('round-robins across partitions instead of draining one', () => {
    assert.deepEqual(picks(planFair([head('A'), head('B'), head('C')], 4, () => true)), { A: 2, B: 1, C: 1 });
  });

  it('serves the partition with the fewest in flight first, then the one served least recently', () => {
    assert.deepEqual(picks(planFair([head('A', 'p', 3), head('B', 'p', 0)], 1, () => true)), { B: 1 });
    assert.deepEqual(picks(planFair([head('A', 'p', 0, 50), head('B', 'p', 0, 10)], 1, () => true)), { B: 1 });
    // B catches up with A's load before A gets another.
    assert.deepEqual(picks(planFair([head('A', 'p', 2), head('B', 'p', 0)], 3, () => true)), { A: 1, B: 2 });
  });

  it('asks admission for every pick; a refused partition is skipped for the rest of the plan', () => {
    let xs = 0;
    const admit = (h: PartitionHead) => h.group_key !== 'x' || xs++ < 1;
    assert.deepEqual(picks(planFair([head('X1', 'x'), head('X2', 'x'), head('Y', 'y')], 10, admit)), { X1: 1, Y: 9 });
    assert.deepEqual(picks(planFair([head('A')], 10, () => false)), {});
  });
});

describe('CircuitBreaker', () => {
  const opts = { threshold: 3, cooldownMs: 1000, maxCooldownMs: 4000 };

  it('opens after consecutive outages, admits one probe after the cooldown, closes on success', () => {
    const b = new CircuitBreaker(opts);
    b.failure('p', 0);
    b.failure('p', 0);
    assert.equal(b.admit('p', 0), true);
    b.failure('p', 0);
    assert.equal(b.state('p', 10), 'open');
    assert.equal(b.admit('p', 500), false);
    assert.equal(b.admit('p', 1000), true, 'the probe');
    assert.equal(b.admit('p', 1001), false, 'only one probe at a time');
    b.success('p');
    assert.equal(b.state('p', 1002), 'closed');
    assert.equal(b.admit('q', 0), true, 'providers are independent');
  });

  it('a failed probe re-opens for twice as long, capped', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 3; i++) b.failure('p', 0);
    assert.equal(b.admit('p', 1000), true);
    b.failure('p', 1000);
    assert.equal(b.admit('p', 2500), false);
    assert.equal(b.admit('p', 3000), true);
    b.failure('p', 3000);
    assert.equal(b.admit('p', 6999), false);
    assert.equal(b.admit('p', 7000), true);
    b.failure('p', 7000);
    assert.equal(b.admit('p', 11_000), true, 'cooldown capped at 4 s');
  });

  it('a probe that never reports back expires, so the breaker cannot stick open', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 3; i++) b.failure('p', 0);
    assert.equal(b.admit('p', 1000), true);
    assert.equal(b.admit('p', 1500), false);
    assert.equal(b.admit('p', 2001), true);
  });

  it('rest: a closed breaker opens for the cooldown, an open one keeps its time, a refused probe counts as a failed one', () => {
    const b = new CircuitBreaker(opts);
    let now = 0;
    const deps = { breaker: b, clock: { now: () => now } };
    b.failure('p', 0);
    b.rest('p', 100);
    assert.equal(b.state('p', 100), 'open');
    assert.equal(b.retryInMs('p', 100), 1000);
    assert.equal(b.admit('p', 1099), false);
    // Already open: resting again does not push the end of the cooldown further.
    b.rest('p', 600);
    assert.equal(b.retryInMs('p', 600), 500);
    assert.equal(b.admit('p', 1100), true, 'the probe, at the end of the first cooldown');
    // The probe's create refused too, as the engine reports it (the outcome, then the rest while
    // another channel can take the task): re-opened for twice as long, as after a failed probe.
    now = 1100;
    noteOutcome(deps, 'p', new UpstreamError('auth', 'revoked', 401));
    b.rest('p', now);
    assert.equal(b.admit('p', 3099), false);
    assert.equal(b.admit('p', 3100), true);
    // A probe that goes through closes it and forgets the rest: one outage then does not re-open it.
    b.success('p');
    b.failure('p', 3200);
    assert.equal(b.state('p', 3200), 'closed');
  });

  it('noteOutcome: a probe the upstream answers with a refusal or a 429 closes the breaker; a 5xx or a timeout re-opens it', () => {
    let now = 0;
    const breaker = new CircuitBreaker(opts);
    const deps = { breaker, clock: { now: () => now } };
    const openAndProbe = (at: number) => {
      for (let i = 0; i < 3; i++) noteOutcome(deps, 'p', new UpstreamError('unavailable', 'down', 503));
      now = at + 1000;
      assert.equal(breaker.admit('p', now), true, 'the probe');
    };
    openAndProbe(0);
    noteOutcome(deps, 'p', new UpstreamError('invalid_input', 'bad prompt', 400));
    assert.equal(breaker.state('p', now + 1), 'closed', 'a 400 shows the upstream is up');
    openAndProbe(now);
    noteOutcome(deps, 'p', new UpstreamError('rate_limited', 'slow down', 429, 2));
    assert.equal(breaker.state('p', now + 1), 'closed', 'a 429 shows it is up, only busy');
    openAndProbe(now);
    noteOutcome(deps, 'p', new UpstreamError('timeout', 'no answer'));
    assert.equal(breaker.state('p', now + 1), 'open', 'a timed-out probe re-opens it');
    assert.equal(breaker.retryInMs('p', now), 2000, 'for twice as long');
    // An outage run is consecutive: an answer between two 5xx starts it again.
    const b2 = new CircuitBreaker(opts);
    const d2 = { breaker: b2, clock: { now: () => 0 } };
    noteOutcome(d2, 'q', new UpstreamError('unavailable', 'down', 503));
    noteOutcome(d2, 'q', new UpstreamError('unavailable', 'down', 503));
    noteOutcome(d2, 'q', new UpstreamError('auth', 'revoked', 401));
    noteOutcome(d2, 'q', new UpstreamError('unavailable', 'down', 503));
    assert.equal(b2.state('q', 0), 'closed');
  });

  it('a rest for a refused key or quota outlives the polls of the tasks the channel has in flight; a create that gets through ends it', () => {
    let now = 0;
    const breaker = new CircuitBreaker(opts);
    const deps = { breaker, clock: { now: () => now } };
    // A create refused for quota, while another channel can take the task: the channel rests.
    noteOutcome(deps, 'p', new UpstreamError('quota', 'no balance', 402));
    breaker.rest('p', now);
    // Its tasks in flight poll on: a status answered (or refused, once the key is revoked) is no create accepted.
    now = 100;
    noteOutcome(deps, 'p', undefined, 'poll');
    noteOutcome(deps, 'p', new UpstreamError('auth', 'revoked', 401), 'poll');
    assert.equal(breaker.state('p', now), 'open', 'still resting: waiting tasks do not ask it again at every tick');
    assert.equal(breaker.retryInMs('p', now), 900);
    // A poll 5xx still counts toward an outage; a create that gets through ends the rest, and polls close again.
    now = 1000;
    assert.equal(breaker.admit('p', now), true, 'the probe');
    noteOutcome(deps, 'p');
    assert.equal(breaker.state('p', now), 'closed');
    for (let i = 0; i < 3; i++) noteOutcome(deps, 'p', new UpstreamError('unavailable', 'down', 503), 'poll');
    assert.equal(breaker.state('p', now), 'open', 'outage answers to polls open it, as before');
    noteOutcome(deps, 'p', undefined, 'poll');
    assert.equal(breaker.state('p', now), 'closed', 'and a poll answered closes an outage breaker, as before');
  });
});
