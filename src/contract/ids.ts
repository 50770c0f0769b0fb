import { randomFillSync } from 'node:crypto';

/** TokenLab's task id pattern: ldtask_ + 32 lowercase hex. */
export const TASK_ID_PATTERN = /^ldtask_[0-9a-f]{32}$/;

/**
 * Random hex from a pool refilled 4 KiB at a time: ids are made on every create, and one
 * randomBytes call per id costs more than the rest of building it. Same CSPRNG, fewer calls.
 */
const pool = Buffer.alloc(4096);
let offset = pool.length;

export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/**
 * Hex that sorts by creation: 12 hex digits of the millisecond clock, then `randomBytes` random bytes.
 * Rows keyed by such ids are appended at the right edge of their B-trees instead of landing on a
 * random page each, so a create dirties (and writes to the WAL) a few pages rather than one per
 * index per row: about 1.4× the create rate on SQLite (bench/README.md).
 */
export function timeOrderedHex(randomBytes: number, nowMs = Date.now()): string {
  // 48 bits of milliseconds last until the year 10889; a clock before 1970 (an odd test clock) counts as 0.
  const ms = Number.isNaN(nowMs) ? 0 : Math.min(Math.max(0, Math.floor(nowMs)), 2 ** 48 - 1);
  // Creates come several to a millisecond under load (and a ledger entry with each): the clock's hex is kept for the next id.
  if (ms !== lastMs) {
    lastMs = ms;
    lastMsHex = ms.toString(16).padStart(12, '0');
  }
  return `${lastMsHex}${randomHex(randomBytes)}`;
}

let lastMs = -1;
let lastMsHex = '';

/** ldtask_ + 32 hex: creation time (ms) in the first 12, then 80 random bits (unguessable; ownership is checked anyway). */
export function newTaskId(nowMs = Date.now()): string {
  return `ldtask_${timeOrderedHex(10, nowMs)}`;
}

export function isTaskId(v: string): boolean {
  return TASK_ID_PATTERN.test(v);
}
