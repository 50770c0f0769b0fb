import type { Lane, Task } from './types.js';

// The work queues' names, in a module of their own: the create writer thread needs the submit
// lane's without loading tasks.ts (and Kysely with it).

export const LANE_QUEUE: Record<Lane, string> = { submit: 'task.submit', poll: 'task.poll', finish: 'task.finish' };
export const WEBHOOK_QUEUE = 'webhook';
/** Not a queue of work: one partition row per channel counts its jobs in flight (never claimed). */
export const CHANNEL_COUNTS = 'channel';
/** Queues with fair (partitioned) claims. */
export const FAIR_QUEUES: ReadonlySet<string> = new Set([LANE_QUEUE.submit, WEBHOOK_QUEUE]);

/** Submissions are fair per (provider, API key); capacity is per provider. */
export function submitPartition(task: Pick<Task, 'provider' | 'owner_key_id'>): string {
  return `${task.provider}/${task.owner_key_id}`;
}
