import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from '../../src/engine/circuit-breaker.js';
import { pickFair, ServedLog, type Candidate } from '../../src/engine/fair-pick.js';

const c = (id: string, owner: string, provider = 'p', nextRunAt = 0): Candidate => ({ id, owner, provider, nextRunAt });

describe('pickFair', () => {
  it('round-robins across keys instead of draining the oldest burst first', () => {
    const burst = Array.from({ length: 5 }, (_, i) => c(`a${i}`, 'A', 'p', i));
    const late = [c('b0', 'B', 'p', 10), c('c0', 'C', 'p', 20)];
    assert.deepEqual(pickFair([...burst, ...late], new Map(), () => 4, () => true, 10), ['a0', 'b0', 'c0', 'a1']);
  });

  it('across calls, a key served last waits for the others even when its tasks are older', () => {
    const served = new ServedLog();
    const a = [c('a0', 'A', 'p', 0), c('a1', 'A', 'p', 1), c('a2', 'A', 'p', 2)];
    assert.deepEqual(pickFair(a, new Map(), () => 1, () => true, 1, served), ['a0']);
    // A's first job finished (nothing in flight); B arrived later. B is served before A's backlog.
    assert.deepEqual(pickFair([...a.slice(1), c('b0', 'B', 'p', 9)], new Map(), () => 1, () => true, 1, served), ['b0']);
    assert.deepEqual(pickFair([...a.slice(1), c('b1', 'B', 'p', 10)], new Map(), () => 1, () => true, 1, served), ['a1']);
  });

  it('serves the key with the fewest jobs already in flight first', () => {
    const inFlight = new Map([['p', new Map([['A', 3]])]]);
    assert.deepEqual(pickFair([c('a0', 'A', 'p', 0), c('b0', 'B', 'p', 5)], inFlight, () => 1, () => true, 10), ['b0']);
  });

  it('respects each provider’s free slots, the admission check and the overall maximum', () => {
    const cands = [c('x0', 'A', 'x', 0), c('x1', 'A', 'x', 1), c('y0', 'A', 'y', 2), c('y1', 'B', 'y', 3)];
    assert.deepEqual(pickFair(cands, new Map(), (p) => (p === 'x' ? 1 : 5), () => true, 10), ['x0', 'y0', 'y1']);
    assert.deepEqual(pickFair(cands, new Map(), () => 5, (p) => p !== 'x', 10), ['y0', 'y1']);
    assert.deepEqual(pickFair(cands, new Map(), () => 5, () => true, 2), ['x0', 'x1']);
    assert.deepEqual(pickFair(cands, new Map(), () => 0, () => true, 10), []);
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
});
