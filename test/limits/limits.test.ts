import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InProcessLimits, RedisLimits, type Limits } from '../../src/limits/index.js';
import { freePort, SHARED_REDIS_URL, startPrivateRedis, stopProcess, uniquePrefix } from '../helpers/redis-server.js';

const quiet = { warn: () => {}, info: () => {} };

/** Takes `n` requests; if they straddled a minute boundary (windows differ), tries once more. */
async function takeMany(l: Limits, key: string, limit: number, n: number) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await l.takeRequest(key, limit));
    if (new Set(out.map((d) => d.reset)).size === 1) return out;
  }
  throw new Error('two minute boundaries in a row');
}

/** One suite, run against both implementations. */
function sharedSuite(name: string, make: () => Promise<Limits>) {
  describe(`limits: ${name}`, () => {
    const made: Limits[] = [];
    const limits = async () => {
      const l = await make();
      made.push(l);
      return l;
    };
    after(async () => {
      for (const l of made) await l.close();
    });

    it('admits a key its per-minute limit, then refuses with remaining 0 and a reset at the end of the minute', async () => {
      const l = await limits();
      const key = `key_${Math.random()}`;
      const d = await takeMany(l, key, 3, 5);
      assert.deepEqual(
        d.map((x) => x.allowed),
        [true, true, true, false, false],
      );
      assert.deepEqual(
        d.map((x) => x.remaining),
        [2, 1, 0, 0, 0],
      );
      assert.equal(d[0].limit, 3);
      const now = Date.now() / 1000;
      assert.ok(d[0].reset > now && d[0].reset <= now + 60 && d[0].reset % 60 === 0, `reset ${d[0].reset}`);
      // Another key has its own window.
      assert.equal((await l.takeRequest(`${key}-other`, 3)).remaining, 2);
    });

    it('grants submission tokens up to one minute’s worth, then refills continuously', async () => {
      const l = await limits();
      const provider = `p${Math.random()}`;
      assert.equal(await l.submissionTokens(provider, 600), 600, 'a fresh bucket is full');
      assert.equal(await l.takeSubmissions(provider, 600, 1000), 600, 'never more than the burst');
      assert.ok((await l.submissionTokens(provider, 600)) <= 1);
      assert.equal(await l.takeSubmissions(provider, 600, 0), 0);
      await new Promise((r) => setTimeout(r, 400));
      // 600/min is 10 per second: after 0.4 s about 4 more (the machine may be slow: not more than the elapsed time allows).
      const got = await l.takeSubmissions(provider, 600, 100);
      assert.ok(got >= 2 && got <= 60, `refilled ${got}`);
    });

    it('gives back tokens taken for submissions that did not happen, never beyond a full bucket', async () => {
      const l = await limits();
      const provider = `p${Math.random()}`;
      assert.equal(await l.takeSubmissions(provider, 10, 10), 10);
      await l.returnSubmissions(provider, 10, 4);
      assert.equal(await l.takeSubmissions(provider, 10, 10), 4);
      await l.returnSubmissions(provider, 10, 50);
      assert.equal(await l.submissionTokens(provider, 10), 10);
    });
  });
}

sharedSuite('in process', async () => new InProcessLimits());
sharedSuite('Redis', async () => {
  const l = new RedisLimits(SHARED_REDIS_URL, quiet, uniquePrefix('limits'));
  assert.equal(await l.connected(10_000), true, 'the shared Redis on 127.0.0.1:6379 is reachable');
  return l;
});

describe('in-process submission bucket', () => {
  it('allows a minute’s worth at once, then refills continuously (on an injected clock)', async () => {
    let now = 0;
    const r = new InProcessLimits(() => now);
    assert.equal(await r.takeSubmissions('p', 2, 1), 1);
    assert.equal(await r.takeSubmissions('p', 2, 1), 1);
    assert.equal(await r.takeSubmissions('p', 2, 1), 0);
    now = 29_000;
    assert.equal(await r.submissionTokens('p', 2), 0);
    now = 30_000;
    assert.equal(await r.takeSubmissions('p', 2, 5), 1, 'one token per 30 s at 2/min');
  });
});

describe('limits across nodes', () => {
  it('two Redis limiters (two nodes) share one limit: 20/min admits 20 requests and 20 submissions in all, not 40', async () => {
    const prefix = uniquePrefix('shared');
    const a = new RedisLimits(SHARED_REDIS_URL, quiet, prefix);
    const b = new RedisLimits(SHARED_REDIS_URL, quiet, prefix);
    try {
      assert.ok((await a.connected(10_000)) && (await b.connected(10_000)));
      let admitted = 0;
      const windows = new Set<number>();
      for (let i = 0; i < 30; i++) {
        const d = await (i % 2 ? a : b).takeRequest('key_shared', 20);
        windows.add(d.reset);
        if (d.allowed) admitted++;
      }
      if (windows.size === 1) assert.equal(admitted, 20);
      let granted = 0;
      for (let i = 0; i < 10; i++) granted += await (i % 2 ? a : b).takeSubmissions('kling', 20, 3);
      assert.ok(granted >= 20 && granted <= 21, `granted ${granted} (20 + at most one refilled during the test)`);
    } finally {
      await a.close();
      await b.close();
    }
    // The same two nodes counting on their own admit twice as many: what Redis is for.
    const x = new InProcessLimits();
    const y = new InProcessLimits();
    let alone = 0;
    for (let i = 0; i < 60; i++) if ((await (i % 2 ? x : y).takeRequest('key_shared', 20)).allowed) alone++;
    assert.ok(alone >= 40);
  });

  it('fails open per node while Redis is down (logged once), and counts in Redis again when it returns', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const logs: string[] = [];
    const log = { warn: (_o: unknown, m: string) => void logs.push(`warn ${m}`), info: (m: string) => void logs.push(`info ${m}`) };
    const prefix = uniquePrefix('outage');
    const l = new RedisLimits(`redis://127.0.0.1:${port}/0`, log, prefix);
    let redis = null;
    try {
      // Nothing listens: every answer comes from this node's own counters, at once.
      const started = Date.now();
      const d = await takeMany(l, 'key_outage', 2, 3);
      assert.deepEqual(
        d.map((x) => x.allowed),
        [true, true, false],
      );
      assert.ok(Date.now() - started < 1000, 'no waiting on a dead Redis');
      assert.equal(await l.takeSubmissions('kling', 5, 10), 5);
      assert.equal(logs.filter((m) => m.startsWith('warn')).length, 1, `logged once: ${logs.join(' | ')}`);
      assert.match(logs[0], /counted per node/);

      // Redis comes (back): a second node sharing it sees this node's counts.
      redis = await startPrivateRedis(port);
      assert.equal(await l.connected(15_000), true, 'reconnected by itself');
      const peer = new RedisLimits(`redis://127.0.0.1:${port}/0`, quiet, prefix);
      try {
        assert.equal(await peer.connected(10_000), true);
        const mine = await takeMany(l, 'key_back', 3, 2);
        const theirs = await peer.takeRequest('key_back', 3);
        if (theirs.reset === mine[0].reset) assert.equal(theirs.remaining, 0, 'the peer counted this node’s two requests');
      } finally {
        await peer.close();
      }
      assert.ok(
        logs.some((m) => m.startsWith('info') && /reachable again/.test(m)),
        logs.join(' | '),
      );

      // And down again: falls back once more, logged once more.
      await stopProcess(redis);
      redis = null;
      for (let i = 0; i < 3; i++) assert.equal((await l.takeRequest(`key_down_${i}`, 5)).allowed, true);
      assert.equal(logs.filter((m) => m.startsWith('warn')).length, 2, logs.join(' | '));
    } finally {
      await l.close();
      if (redis) await stopProcess(redis);
    }
  });
});
