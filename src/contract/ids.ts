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

export function newTaskId(): string {
  return `ldtask_${randomHex(16)}`;
}

export function isTaskId(v: string): boolean {
  return TASK_ID_PATTERN.test(v);
}
