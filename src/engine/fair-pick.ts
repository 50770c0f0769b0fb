/** A pending task that is due, as the fair scheduler sees it. */
export interface Candidate {
  id: string;
  owner: string;
  provider: string;
  nextRunAt: number;
}

/**
 * Chooses which due tasks to submit now. Per provider, up to its free slots; within a provider,
 * round-robin across API keys: the key with the fewest tasks in flight there goes first, then the
 * one served least recently (`served`, kept by the caller across calls and updated here), then
 * the oldest waiting task. So one key's burst cannot starve the others.
 * `admit` is asked once per pick (rate limit tokens, circuit breaker) and may refuse.
 */
export function pickFair(
  candidates: Candidate[],
  inFlight: Map<string, Map<string, number>>,
  freeSlots: (provider: string) => number,
  admit: (provider: string) => boolean,
  max: number,
  served: ServedLog = new ServedLog(),
): string[] {
  const byProvider = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = byProvider.get(c.provider) ?? [];
    list.push(c);
    byProvider.set(c.provider, list);
  }
  const picked: string[] = [];
  // Providers in order of their oldest waiting task, so no provider is always served last.
  const providers = [...byProvider.entries()].sort((a, b) => a[1][0].nextRunAt - b[1][0].nextRunAt);
  for (const [provider, list] of providers) {
    let free = freeSlots(provider);
    const queues = new Map<string, Candidate[]>();
    for (const c of list) {
      const q = queues.get(c.owner) ?? [];
      q.push(c);
      queues.set(c.owner, q);
    }
    for (const q of queues.values()) q.sort((a, b) => a.nextRunAt - b.nextRunAt || (a.id < b.id ? -1 : 1));
    const load = new Map([...queues.keys()].map((o) => [o, inFlight.get(provider)?.get(o) ?? 0]));
    while (free > 0 && picked.length < max && queues.size > 0) {
      let best: string | null = null;
      for (const [owner, q] of queues) {
        if (best === null) {
          best = owner;
          continue;
        }
        const dl = load.get(owner)! - load.get(best)!;
        const ds = served.at(provider, owner) - served.at(provider, best);
        if (dl < 0 || (dl === 0 && (ds < 0 || (ds === 0 && q[0].nextRunAt < queues.get(best)![0].nextRunAt)))) best = owner;
      }
      if (!admit(provider)) break;
      const q = queues.get(best!)!;
      picked.push(q.shift()!.id);
      load.set(best!, load.get(best!)! + 1);
      served.mark(provider, best!);
      if (q.length === 0) queues.delete(best!);
      free--;
    }
    if (picked.length >= max) break;
  }
  return picked;
}

/** When each key was last served per provider (a sequence number; 0 = never). Bounded in size. */
export class ServedLog {
  private readonly last = new Map<string, number>();
  private seq = 0;

  at(provider: string, owner: string): number {
    return this.last.get(`${provider}\u0000${owner}`) ?? 0;
  }

  mark(provider: string, owner: string): void {
    if (this.last.size > 50_000) this.last.clear();
    this.last.set(`${provider}\u0000${owner}`, ++this.seq);
  }
}
