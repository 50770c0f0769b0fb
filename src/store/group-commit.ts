/**
 * In a batch's outcomes: this item failed, and is answered with `error` as it is — not run again
 * alone (a batch that may have committed, e.g. its writer thread died, must not be run twice).
 */
export class ItemFailed {
  constructor(readonly error: unknown) {}
}

/** How a GroupCommit forms its batches. */
export interface Batching {
  /** Items in one batch at most. */
  maxBatch?: number;
  /**
   * Batches that may be under way at once. 1 where a batch holds the connection until durable;
   * more where the committer queues them and runs those that arrived while it committed and
   * synced one together (the create writer thread): a batch then need not wait for the previous
   * one's answer to be sent.
   */
  maxInFlight?: number;
  /**
   * A batch leaves as soon as it holds this many items if a slot is free (if none is, once one
   * frees: at the end of that turn, or at the next submit), without waiting for the end of the
   * event loop's turn: the committer (a thread of its own) starts on it while this
   * thread goes on reading the turn's other requests. Otherwise a burst of N requests read in one
   * turn waits as one batch for the turn to end, and each thread idles while the other works
   * (bench/README.md, tenth session). Unset: only at the end of the turn.
   */
  leaveAt?: number;
  /**
   * An item submitted while no batch is under way leaves at once (with any still waiting): the
   * committer is idle, so waiting for company only delays it, and the items that arrive while it
   * commits form the next batch. Where a batch holds the connection until durable (maxInFlight 1)
   * this would turn the first item of every burst into a transaction of its own; it pays where the
   * committer runs beside this thread (the create writer: at 32 connections +3 to +11% a round
   * over four rounds, bench/README.md, eleventh session).
   */
  leaveWhenIdle?: boolean;
}

/**
 * Group commit: work submitted while a transaction is being committed joins the next one, so N
 * concurrent writers cost one durable commit (one fsync) instead of N. Each caller still resolves
 * only after the transaction holding its work has committed.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  /** Batches sent and not yet answered. */
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly leaveAt: number;
  private readonly leaveWhenIdle: boolean;

  constructor(
    /**
     * Runs one batch in one transaction; returns one outcome per item, in order. Throwing means
     * nothing was committed: each item is then run again alone.
     */
    private readonly runBatch: (items: I[]) => Promise<(O | ItemFailed)[]>,
    batching: Batching = {},
  ) {
    this.maxBatch = batching.maxBatch ?? 256;
    this.maxInFlight = batching.maxInFlight ?? 1;
    this.leaveAt = batching.leaveAt ?? Number.POSITIVE_INFINITY;
    this.leaveWhenIdle = batching.leaveWhenIdle ?? false;
    if (!(this.leaveAt >= 1)) throw new Error(`GroupCommit: leaveAt must be 1 or more, not ${batching.leaveAt}`);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // flush sends nothing while no slot is free: a batch's end kicks again.
      if (this.queue.length >= this.leaveAt || (this.leaveWhenIdle && this.inFlight === 0)) void this.flush();
      else this.kick();
    });
  }

  private kick(): void {
    if (this.inFlight >= this.maxInFlight || this.scheduled) return;
    this.scheduled = true;
    // setImmediate: everything that arrives in this turn of the event loop joins the first batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.inFlight++;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const out = await this.runBatch(batch.map((b) => b.item));
      for (const [i, b] of batch.entries()) settle(b, out[i]);
    } catch (err) {
      // One item's failure (or a passing deadlock) must not fail the others: each goes alone.
      if (batch.length === 1) batch[0].reject(err);
      else for (const b of batch) await this.runBatch([b.item]).then((out) => settle(b, out[0]), b.reject);
    } finally {
      this.inFlight--;
      if (this.queue.length > 0) this.kick();
    }
  }
}

function settle<O>(waiter: { resolve: (o: O) => void; reject: (e: unknown) => void }, out: O | ItemFailed): void {
  if (out instanceof ItemFailed) waiter.reject(out.error);
  else waiter.resolve(out);
}
