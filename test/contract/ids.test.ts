import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTaskId, newTaskId, timeOrderedHex } from '../../src/contract/ids.js';
import { ledgerEntry, utcDay } from '../../src/store/ledger-entry.js';

describe('ids', () => {
  it("task ids keep TokenLab's pattern, lead with the creation time and differ in 80 random bits", () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0);
    const ids = Array.from({ length: 10_000 }, () => newTaskId(now));
    for (const id of ids.slice(0, 100)) assert.ok(isTaskId(id), id);
    assert.equal(new Set(ids).size, ids.length, 'unique within one millisecond');
    assert.equal(Number.parseInt(ids[0].slice('ldtask_'.length, 'ldtask_'.length + 12), 16), now);
    // The random tail is spread over every hex digit, not a counter.
    const tails = new Set(ids.map((id) => id.slice(-20, -18)));
    assert.ok(tails.size > 200, `${tails.size} distinct leading tail bytes`);
  });

  it('sort by creation (B-tree inserts append instead of landing on random pages)', () => {
    const times = [1_700_000_000_000, 1_700_000_000_001, 1_700_000_060_000, 1_800_000_000_000];
    const ids = times.map((t) => newTaskId(t));
    assert.deepEqual([...ids].sort(), ids);
    const txns = times.map((t) => ledgerEntry('key', null, 'reserve', 1, null, t).id);
    assert.deepEqual([...txns].sort(), txns);
    for (const t of txns) assert.match(t, /^txn_[0-9a-f]{24}$/);
    assert.equal(timeOrderedHex(4, 255).slice(0, 12), '0000000000ff');
    for (const odd of [-1, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5]) assert.ok(isTaskId(newTaskId(odd)), `clock ${odd}`);
  });

  it('the clock part and the ledger day, kept from the last call, are what formatting them afresh gives', () => {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const hexOf = (ms: number) =>
      Math.min(Math.max(0, Math.floor(ms)), 2 ** 48 - 1)
        .toString(16)
        .padStart(12, '0');
    const D = 86_400_000;
    // Day edges (before and after 1970, fractional ms), repeated and in both directions.
    const edges = [0, -0.5, -1, 0.5, D - 0.5, D, -D, -D - 0.5, -D + 0.5, 1.7e12, 1.7e12 + 0.3, Date.UTC(2026, 11, 1) - 1, Date.UTC(2026, 11, 1)];
    const times = [...edges, ...[...edges].reverse(), ...Array.from({ length: 2_000 }, (_, i) => -5 * D + i * 7_777_777.7)];
    for (const ms of [...times, ...[...times].reverse()]) {
      assert.equal(utcDay(ms), day(ms), `day of ${ms}`);
      if (ms >= 0) assert.equal(timeOrderedHex(6, ms).slice(0, 12), hexOf(ms), `clock of ${ms}`);
      assert.equal(ledgerEntry('key', null, 'reserve', 1, null, ms).day, day(ms));
    }
    assert.throws(() => utcDay(Number.NaN), RangeError);
  });
});
