/**
 * Who is waiting for which task to change. Fed by every change notice this process hears: its own
 * writes, and (PostgreSQL) other nodes' writes through LISTEN/NOTIFY. A waiter is woken by the next
 * notice for its task, or by its own deadline: waiters re-read the task, so a lost notice costs at
 * most one fallback interval, never a missed change.
 */
export class TaskChanges {
  private readonly waiters = new Map<string, Set<() => void>>();

  notify(id: string): void {
    const set = this.waiters.get(id);
    if (!set) return;
    this.waiters.delete(id);
    for (const wake of set) wake();
  }

  /** Resolves at the next notice for `id`, after `ms`, or when `signal` aborts — whichever is first. */
  next(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      let set = this.waiters.get(id);
      if (!set) {
        set = new Set();
        this.waiters.set(id, set);
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        const current = this.waiters.get(id);
        current?.delete(done);
        if (current?.size === 0) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  /** Tasks someone is waiting on right now (for tests and metrics). */
  get watched(): number {
    return this.waiters.size;
  }
}
