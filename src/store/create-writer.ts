import type { Worker } from 'node:worker_threads';
import { threadProgram } from '../thread-program.js';
import type { CreateSeed, StoredOutcome } from './create-task.js';
import { StoreUnavailableError } from './errors.js';
import { ItemFailed } from './group-commit.js';

export interface WriterData {
  file: string;
  busyTimeoutMs: number;
  /** journal_size_limit: this connection restarts the WAL most often under creates. */
  walSizeLimitBytes: number;
  /** Tests: the thread exits right after its first COMMIT, without answering. */
  exitAfterCommit?: boolean;
}
export type ToWriter = { id: number; seeds: CreateSeed[] } | 'close';
/** `committed`: the batch committed, but the fsync that would make it durable failed. */
export type FromWriter = { id: number; out: StoredOutcome[]; wrote: boolean } | { id: number; error: { message: string; code?: string }; committed?: boolean };

export interface CreateWriterOptions extends WriterData {
  /** Whether a task row with this id is in the database (read on this thread's own connection). */
  taskExists(id: string): boolean;
  /** The writer committed a transaction that wrote, of so many creates (they count towards the WAL checkpoint). */
  onCommit(creates: number): void;
  /** Syncs the WAL from this thread: a dead writer's last commit may not have been synced yet. */
  syncWal(): Promise<void>;
  /** The first wait before starting a dead writer again (doubling up to RESTART_MAX_MS). */
  restartDelayMs?: number;
  /** Another program in place of the writer's (tests). */
  program?: (data: WriterData) => Worker;
}

const RESTART_DELAY_MS = 100;
const RESTART_MAX_MS = 10_000;

type Batch = { seeds: CreateSeed[]; resolve: (out: (StoredOutcome | ItemFailed)[]) => void; reject: (err: unknown) => void };

/**
 * The create writer thread (VIDGATE_SQLITE_WRITER, on by default), seen from the HTTP thread: a
 * batch of creates (one GroupCommit batch) goes out as one message and comes back as one outcome per
 * job, once committed durably (the thread syncs the WAL after each transaction, then answers; the
 * batches that arrive meanwhile share its next one); the HTTP thread does none of the SQLite
 * writes, and never waits for the write lock or the disk.
 *
 * If the thread dies with a batch in flight, the batch may or may not have committed (the thread may
 * die after COMMIT, before answering). Once it is gone its transaction is settled either way (an
 * unfinished one is rolled back), so each job is looked up: a job whose task row is there was
 * created (answered so once this thread has synced the WAL: a 200 for a committed, synced row); any other job wrote nothing that stayed
 * (its batch rolled back, or it was a replay or a refusal, which leave nothing behind) and fails with
 * StoreUnavailableError: a 503 "nothing was changed", truthfully; an Idempotency-Key retry then
 * creates it, or replays it. The thread is started again after a pause that doubles while it keeps dying.
 */
export class CreateWriter {
  private worker: Worker | null = null;
  private readonly inFlight = new Map<number, Batch>();
  private nextId = 1;
  private restartDelay: number;
  /** While the thread is down: resolves when it has been started again (or the writer closed). */
  private restarted: Promise<void> | null = null;
  private restartNow: (() => void) | null = null;
  /** The answers still awaited (close waits for them). */
  private readonly outstanding = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly o: CreateWriterOptions) {
    this.restartDelay = o.restartDelayMs ?? RESTART_DELAY_MS;
    this.start();
  }

  /** Runs one batch in the writer thread (see CreateBatch in tasks.ts). */
  async run(seeds: CreateSeed[]): Promise<(StoredOutcome | ItemFailed)[]> {
    if (!this.worker && this.restarted) await this.restarted;
    const worker = this.worker;
    if (this.closing || !worker) throw new StoreUnavailableError('the create writer thread is stopped');
    const id = this.nextId++;
    const answered = new Promise<(StoredOutcome | ItemFailed)[]>((resolve, reject) => {
      this.inFlight.set(id, { seeds, resolve, reject });
      // Held while a batch is out, so a process waiting only for its answer does not exit.
      if (this.inFlight.size === 1) worker.ref();
      worker.postMessage({ id, seeds } satisfies ToWriter);
    });
    const forget = () => this.outstanding.delete(answered);
    this.outstanding.add(answered);
    answered.then(forget, forget);
    return answered;
  }

  /** Lets the batches in flight finish, then closes the thread (and its connection). */
  async close(): Promise<void> {
    this.closing = true;
    this.restartNow?.();
    await Promise.allSettled([...this.outstanding]);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.ref();
    worker.postMessage('close' satisfies ToWriter);
    await exited;
  }

  private start(): void {
    const data: WriterData = { file: this.o.file, busyTimeoutMs: this.o.busyTimeoutMs, walSizeLimitBytes: this.o.walSizeLimitBytes };
    const worker = (this.o.program ?? writerProgram)(data);
    worker.unref();
    this.worker = worker;
    let reason = 'it exited';
    worker.on('message', (msg: FromWriter) => this.answer(msg));
    worker.on('error', (err) => (reason = err.message));
    worker.on('exit', (code) => this.gone(worker, this.closing ? '' : `${reason} (exit code ${code})`));
  }

  private answer(msg: FromWriter): void {
    const batch = this.inFlight.get(msg.id);
    if (!batch) return;
    this.settled(msg.id);
    if ('error' in msg) {
      const err = Object.assign(new Error(msg.error.message), { code: msg.error.code });
      // Committed, not known to be on disk: each job fails as it is, never run again.
      if (msg.committed) batch.resolve(batch.seeds.map(() => new ItemFailed(err)));
      // Rolled back: GroupCommit runs each job again alone.
      else batch.reject(err);
      return;
    }
    this.restartDelay = this.o.restartDelayMs ?? RESTART_DELAY_MS;
    if (msg.wrote) this.o.onCommit(batch.seeds.length);
    batch.resolve(msg.out);
  }

  private settled(id: number): void {
    this.inFlight.delete(id);
    if (this.inFlight.size === 0) this.worker?.unref();
  }

  private gone(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    // The thread's transaction is over (committed, or rolled back with its connection): look.
    const lost = new StoreUnavailableError(`the create writer thread stopped before answering: ${reason}`);
    // Its last commit may not be on disk yet (the thread answers only after its fsync): synced
    // here before any of its creates is answered created, and before a new thread starts (a replay
    // there writes nothing, so it would be answered without an fsync of the row it names).
    const synced = this.inFlight.size > 0 ? this.o.syncWal() : Promise.resolve();
    for (const [id, batch] of [...this.inFlight]) {
      this.settled(id);
      const outcomes = batch.seeds.map((s) => this.lookUp(s, lost));
      synced.then(
        () => batch.resolve(outcomes),
        (err: unknown) => batch.resolve(outcomes.map((o) => (o instanceof ItemFailed ? o : new ItemFailed(err)))),
      );
    }
    if (this.closing) return;
    const delay = this.restartDelay;
    this.restartDelay = Math.min(delay * 2, RESTART_MAX_MS);
    this.restarted = new Promise((resolve) => {
      // Started whether the sync worked or not (its failure is each lost create's answer).
      const restart = () => this.restartNow?.();
      const timer = setTimeout(() => void synced.then(restart, restart), delay);
      this.restartNow = () => {
        clearTimeout(timer);
        this.restarted = this.restartNow = null;
        if (!this.closing) this.start();
        resolve();
      };
    });
  }

  /** A job of a batch whose thread died: created if its row is there, else nothing of it stayed. */
  private lookUp(seed: CreateSeed, lost: Error): StoredOutcome | ItemFailed {
    try {
      return this.o.taskExists(seed.id) ? { kind: 'created' } : new ItemFailed(lost);
    } catch (err) {
      // Not known either way: never "nothing was changed" (that is StoreUnavailableError's word).
      return new ItemFailed(new Error(`the create writer thread stopped, and whether task ${seed.id} was stored could not be read: ${(err as Error).message}`));
    }
  }
}

export function writerProgram(workerData: WriterData): Worker {
  return threadProgram(import.meta.url, './create-writer-thread', { workerData, name: 'vidgate-create-writer' });
}
