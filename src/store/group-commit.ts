/**
 * In a batch's outcomes: this item failed, and is answered with `error` as it is — not run again
 * alone (a batch that may have committed, e.g. its writer thread died, must not be run twice).
 */
export class ItemFailed {
  constructor(readonly error: unknown) {}
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

  constructor(
    /**
     * Runs one batch in one transaction; returns one outcome per item, in order. Throwing means
     * nothing was committed: each item is then run again alone.
     */
    private readonly runBatch: (items: I[]) => Promise<(O | ItemFailed)[]>,
    private readonly maxBatch = 256,
    /**
     * Batches that may be under way at once. 1 where a batch holds the connection until durable;
     * more where the committer queues them and overlaps one's fsync with the next's writes (the
     * create writer thread): a batch then need not wait for the previous one's disk round trip.
     */
    private readonly maxInFlight = 1,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
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
