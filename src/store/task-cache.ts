import { isTerminal, type Task } from './types.js';

/**
 * Task reads are the hot path (clients poll). Tasks are cached briefly: finished ones for 5 s (only
 * retention changes them), unfinished ones for 0.5 s. Every write through this process evicts, and
 * so does every change notice from elsewhere (another thread or node), so readers see changes at once
 * where notices reach them and within the TTL everywhere.
 */
export class TaskCache {
  private readonly entries = new Map<string, { task: Task; until: number }>();
  static readonly TERMINAL_TTL_MS = 5_000;
  static readonly ACTIVE_TTL_MS = 500;
  static readonly MAX_ENTRIES = 10_000;

  get(id: string, now = Date.now()): Task | undefined {
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    if (hit.until > now) return hit.task;
    this.entries.delete(id);
    return undefined;
  }

  put(task: Task, now = Date.now()): void {
    if (this.entries.size >= TaskCache.MAX_ENTRIES) this.entries.clear();
    this.entries.set(task.id, { task, until: now + (isTerminal(task.state) ? TaskCache.TERMINAL_TTL_MS : TaskCache.ACTIVE_TTL_MS) });
  }

  evict(id: string): void {
    this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}
