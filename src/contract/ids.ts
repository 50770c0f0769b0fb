import { randomBytes } from 'node:crypto';

/** TokenLab's task id pattern: ldtask_ + 32 lowercase hex. */
export const TASK_ID_PATTERN = /^ldtask_[0-9a-f]{32}$/;

export function newTaskId(): string {
  return `ldtask_${randomBytes(16).toString('hex')}`;
}

export function isTaskId(v: string): boolean {
  return TASK_ID_PATTERN.test(v);
}
