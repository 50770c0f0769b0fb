import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Batching, GroupCommit } from '../../src/store/group-commit.js';
import { until } from '../helpers/until.js';

/**
 * A GroupCommit whose batches are recorded with whether they left in the current turn (before
 * `turnOver` is set) or later; each batch takes 10 ms and answers each item negated.
 */
function recordingCommit(batching: Batching) {
  const rec = { batches: [] as { items: number[]; sentInTurn: boolean }[], turnOver: false };
  const gc = new GroupCommit<number, number>(async (items) => {
    rec.batches.push({ items, sentInTurn: !rec.turnOver });
    await new Promise((r) => setTimeout(r, 10));
    return items.map((i) => -i);
  }, batching);
  return { gc, rec };
}

/**
 * A GroupCommit whose batches run until the test ends them (`end(i)`, i-th batch): which batch
 * leaves when depends on the order of events, never on timers (a loaded machine can fire a 5 ms
 * timer before the end of the turn it was set in). Answers each item plus one.
 */
function gatedCommit(batching: Batching = {}) {
  const batches: number[][] = [];
  const ends: (() => void)[] = [];
  const seen = { running: 0, most: 0 };
  const gc = new GroupCommit<number, number>(async (items) => {
    batches.push(items);
    seen.most = Math.max(seen.most, ++seen.running);
    await new Promise<void>((r) => ends.push(r));
    seen.running--;
    return items.map((i) => i + 1);
  }, batching);
  return { gc, batches, seen, end: (i: number) => ends[i]() };
}

/** `n` turns of the event loop. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Until the `n`-th batch has left (waits on the batch, not on a timer firing first). */
const untilBatches = (batches: unknown[], n: number) => until(`batch ${n} to leave`, () => batches.length === n, 5_000, 1);

describe('group commit', () => {
  it('what arrives while a batch runs joins the next one; each caller gets its own outcome', async () => {
    const { gc, batches, end } = gatedCommit();
    const first = [1, 2, 3].map((i) => gc.submit(i));
    await untilBatches(batches, 1); // the first batch is running now
    const second = [4, 5].map((i) => gc.submit(i));
    await turns(5);
    assert.deepEqual(batches, [[1, 2, 3]], 'the second waits while the first runs');
    end(0);
    assert.deepEqual(await Promise.all(first), [2, 3, 4]);
    await untilBatches(batches, 2);
    end(1);
    assert.deepEqual(await Promise.all(second), [5, 6]);
    assert.deepEqual(batches, [
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('a batch that fails is retried item by item, so one bad item fails alone', async () => {
    const gc = new GroupCommit<string, string>(async (items) => {
      if (items.includes('bad')) throw new Error('constraint failed');
      return items.map((i) => i.toUpperCase());
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((i) => gc.submit(i)));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['A', 'constraint failed', 'C'],
    );
  });

  it('with room for two batches in flight, the next batch goes while the first is still under way', async () => {
    const { gc, batches, seen, end } = gatedCommit({ maxInFlight: 2 });
    const first = [1, 2].map((i) => gc.submit(i));
    await untilBatches(batches, 1);
    // One slot free: this one goes while the first still runs.
    const second = [3].map((i) => gc.submit(i));
    await untilBatches(batches, 2);
    assert.equal(seen.running, 2);
    // Both slots taken: this one waits for a batch to finish.
    const third = [4, 5].map((i) => gc.submit(i));
    await turns(5);
    assert.equal(batches.length, 2, 'a third batch left with both slots taken');
    end(0);
    await untilBatches(batches, 3);
    end(1);
    end(2);
    assert.deepEqual(await Promise.all([...first, ...second, ...third]), [2, 3, 4, 5, 6]);
    assert.equal(seen.most, 2);
    assert.deepEqual(batches, [[1, 2], [3], [4, 5]]);
  });

  it('a batch that reaches leaveAt leaves at once, in the same turn; the rest waits for the end of the turn', async () => {
    const { gc, rec } = recordingCommit({ maxInFlight: 2, leaveAt: 3 });
    const batches = rec.batches;
    // Seven creates read in one turn: two full batches could leave, but only two slots exist; the
    // third batch is sent once one of them is answered, with everything still waiting.
    const all = [1, 2, 3, 4, 5, 6, 7].map((i) => gc.submit(i));
    const inTurn = batches.map((b) => b.items);
    rec.turnOver = true;
    assert.deepEqual(inTurn, [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(await Promise.all(all), [-1, -2, -3, -4, -5, -6, -7]);
    assert.deepEqual(batches, [
      { items: [1, 2, 3], sentInTurn: true },
      { items: [4, 5, 6], sentInTurn: true },
      { items: [7], sentInTurn: false },
    ]);
  });

  it('with leaveWhenIdle, an item that finds no batch under way leaves at once, alone; the others of its turn form the next batch', async () => {
    const { gc, rec } = recordingCommit({ maxInFlight: 2, leaveAt: 3, leaveWhenIdle: true });
    const batches = rec.batches;
    const all = [1, 2, 3, 4, 5, 6].map((i) => gc.submit(i));
    const inTurn = batches.map((b) => b.items);
    rec.turnOver = true;
    // 1 found the committer idle; 2-4 reached leaveAt; 5 and 6 wait for a free slot.
    assert.deepEqual(inTurn, [[1], [2, 3, 4]]);
    assert.deepEqual(await Promise.all(all), [-1, -2, -3, -4, -5, -6]);
    assert.deepEqual(batches.slice(2), [{ items: [5, 6], sentInTurn: false }]);
    // Idle again: the next item leaves at once.
    batches.length = 0;
    rec.turnOver = false;
    const later = gc.submit(7);
    assert.deepEqual(batches, [{ items: [7], sentInTurn: true }]);
    assert.equal(await later, -7);
  });

  it('without leaveAt, the items of a turn wait for the end of the turn and leave as one batch', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      return items;
    });
    const all = [1, 2, 3, 4, 5].map((i) => gc.submit(i));
    assert.deepEqual(batches, []);
    await Promise.all(all);
    assert.deepEqual(batches, [[1, 2, 3, 4, 5]]);
  });

  it('with leaveAt, a batch that fails still has each of its items run again alone, beside batches that went on', async () => {
    const batches: string[][] = [];
    const gc = new GroupCommit<string, string>(
      async (items) => {
        batches.push(items);
        await new Promise((r) => setTimeout(r, 5));
        if (items.includes('bad')) throw new Error('constraint failed');
        return items.map((i) => i.toUpperCase());
      },
      { maxInFlight: 2, leaveAt: 2 },
    );
    const results = await Promise.allSettled(['a', 'bad', 'c', 'd', 'e'].map((i) => gc.submit(i)));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['A', 'constraint failed', 'C', 'D', 'E'],
    );
    // The two full batches left in the turn; 'e' at its end once a slot freed; the failed batch's items alone.
    assert.deepEqual(batches.slice(0, 2), [
      ['a', 'bad'],
      ['c', 'd'],
    ]);
    assert.deepEqual(
      batches.slice(2).sort((x, y) => x.join().localeCompare(y.join())),
      [['a'], ['bad'], ['e']],
    );
  });

  it('refuses a leaveAt below 1 (every item alone would be a batch per item; NaN would never leave)', () => {
    for (const leaveAt of [0, -1, Number.NaN]) assert.throws(() => new GroupCommit(async (items: number[]) => items, { leaveAt }), /leaveAt must be 1 or more/);
  });
});
