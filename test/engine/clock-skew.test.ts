/**
 * A node's clock against the database's: the pure verdict (ok, warn past a tenth of the lease,
 * refuse at a third), the measurement against the real PostgreSQL, and the periodic watch that
 * pauses claiming while a node's clock is over the limit and resumes once it is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { ClockSkewWatch, judgeClockSkew, measureClockOffset } from '../../src/engine/clock-skew.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/stores.js';

const LEASE = 60_000;

describe('judgeClockSkew', () => {
  it('ok up to a tenth of the lease, whichever way the clock is off', () => {
    assert.deepEqual(judgeClockSkew({ offsetMs: 0, uncertaintyMs: 1 }, LEASE), { verdict: 'ok' });
    assert.deepEqual(judgeClockSkew({ offsetMs: 6_000, uncertaintyMs: 0 }, LEASE), { verdict: 'ok' });
    assert.deepEqual(judgeClockSkew({ offsetMs: -6_000, uncertaintyMs: 0 }, LEASE), { verdict: 'ok' });
  });

  it('warns past a tenth, naming the offset, its direction and the fix', () => {
    const ahead = judgeClockSkew({ offsetMs: -10_000, uncertaintyMs: 2 }, LEASE);
    assert.equal(ahead.verdict, 'warn');
    assert.match(
      ahead.message,
      /^this node's clock is 10\.0 s ahead of the database's \(±2 ms\); work leases \(VIDGATE_LEASE_MS 60000\) stop being safe at 20\.0 s: synchronise it with NTP \(chrony or systemd-timesyncd\)$/,
    );
    const behind = judgeClockSkew({ offsetMs: 7_500, uncertaintyMs: 0 }, LEASE);
    assert.ok(behind.verdict === 'warn' && /7\.5 s behind the database's/.test(behind.message));
    assert.doesNotMatch(behind.message, /\n/);
  });

  it('refuses at a third of the lease (two nodes a third off each way are two thirds apart: what the heartbeat leaves)', () => {
    const at = judgeClockSkew({ offsetMs: -20_000, uncertaintyMs: 0 }, LEASE);
    assert.equal(at.verdict, 'refuse');
    assert.ok(
      at.verdict === 'refuse' &&
        /^this node's clock is 20\.0 s ahead of the database's \(±0 ms\), at or beyond a third of the work lease \(20\.0 s of VIDGATE_LEASE_MS 60000\): it could take work another node holds; synchronise it with NTP/.test(
          at.message,
        ),
    );
    assert.equal(judgeClockSkew({ offsetMs: 120_000, uncertaintyMs: 3 }, LEASE).verdict, 'refuse');
    assert.equal(judgeClockSkew({ offsetMs: 19_999, uncertaintyMs: 0 }, LEASE).verdict, 'warn');
  });

  it('counts only what is certain: an offset within its uncertainty of a limit is judged below it', () => {
    assert.equal(judgeClockSkew({ offsetMs: 6_500, uncertaintyMs: 600 }, LEASE).verdict, 'ok');
    assert.equal(judgeClockSkew({ offsetMs: 20_400, uncertaintyMs: 500 }, LEASE).verdict, 'warn');
  });

  it('scales with the lease', () => {
    assert.equal(judgeClockSkew({ offsetMs: 10_000, uncertaintyMs: 0 }, 600_000).verdict, 'ok');
    assert.equal(judgeClockSkew({ offsetMs: 2_000, uncertaintyMs: 0 }, 5_000).verdict, 'refuse');
  });
});

describe('the clock against the real PostgreSQL', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let store: SqlStore;
  before(async () => {
    db = await createTestDatabase('postgres');
    store = db.open();
    await store.migrate();
  });
  after(() => db.cleanup());

  const databaseMs = async () => (await store.databaseTimeMs())!;

  it('measures this machine as on time, and a shifted clock as shifted by as much', async () => {
    const same = await measureClockOffset(databaseMs, { now: () => Date.now() });
    assert.ok(Math.abs(same.offsetMs) <= same.uncertaintyMs + 50, JSON.stringify(same));
    assert.ok(same.uncertaintyMs < 1_000, JSON.stringify(same));
    const ahead = await measureClockOffset(databaseMs, { now: () => Date.now() + 120_000 });
    assert.ok(Math.abs(ahead.offsetMs + 120_000) <= ahead.uncertaintyMs + 50, JSON.stringify(ahead));
  });

  it('SQLite has no clock of its own to compare with', async () => {
    const sqlite = await createTestDatabase('sqlite');
    try {
      const s = sqlite.open();
      await s.migrate();
      assert.equal(await s.databaseTimeMs(), null);
    } finally {
      await sqlite.cleanup();
    }
  });

  it('the watch pauses claiming while the clock is over the limit (an error at each check) and resumes once it is back', async () => {
    let shift = 0;
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const pauses: boolean[] = [];
    const watch = new ClockSkewWatch({ databaseMs, clock: { now: () => Date.now() + shift }, leaseMs: LEASE, intervalMs: 3_600_000, log, onPause: (p) => pauses.push(p), initial: 'ok' });
    await watch.check();
    assert.deepEqual(pauses, []);
    assert.equal(lines.length, 0);
    shift = 10_000;
    await watch.check();
    await watch.check();
    assert.deepEqual(pauses, [], 'a warning does not pause');
    assert.deepEqual(
      lines.map((l) => l.level),
      [40],
      'warned once, on entering the band',
    );
    assert.match(lines[0].msg, /10\.0 s ahead of the database's.*NTP/);
    shift = 120_000;
    await watch.check();
    await watch.check();
    assert.deepEqual(pauses, [true]);
    assert.deepEqual(
      lines.slice(1).map((l) => l.level),
      [50, 50],
      'an error at every check while over',
    );
    assert.match(lines[1].msg, /120\.0 s ahead.*this node claims no work until it is$/);
    shift = 0;
    await watch.check();
    assert.deepEqual(pauses, [true, false]);
    assert.equal(lines.at(-1)!.level, 30);
    assert.match(lines.at(-1)!.msg, /claiming work again/);
    await watch.stop();
  });
});
