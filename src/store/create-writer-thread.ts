/**
 * The create writer thread's whole program (see create-writer.ts): a connection of its own to the
 * SQLite file. Batches that arrive while it works are run together in one BEGIN IMMEDIATE … COMMIT,
 * committed with `synchronous = NORMAL` (in WAL mode: no sync at COMMIT), then the WAL is synced on
 * this thread and they are answered — meanwhile the HTTP thread gathers the next batches, which
 * share the next transaction and fsync. Waiting for another connection's write lock (SQLite's
 * busy wait) or for the disk blocks this thread only. Its imports stay few (no Kysely, test/store/writer-imports.test.ts):
 * every gateway starts one.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { createTasks, type StoredOutcome } from './create-task.js';
import type { FromWriter, ToWriter, WriterData } from './create-writer.js';
import { sqliteCreateOps, type SqliteCreateOps } from './sqlite-create.js';
import { commitAfter, WalSync, writeStatements } from './wal-sync.js';

type Batch = Extract<ToWriter, { id: number }>;

const port = parentPort!;
const { file, busyTimeoutMs, walSizeLimitBytes, exitAfterCommit } = workerData as WriterData;
const db = new SQLite(file);
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
// Durability is WalSync's: nothing is answered before the WAL holding it is on disk. NORMAL, not
// OFF: in WAL mode neither syncs a commit, but NORMAL syncs the WAL header a writer rewrites when it
// restarts the WAL (the checkpointer's RESTART), before the new frames; unsynced, a power cut could
// leave the old header over old, already-copied frames, replayed over the newer database file
// (SQLite ticket ff5be73dee).
db.pragma('synchronous = NORMAL');
// Checkpoints are the HTTP thread's (WalDurability): this thread's commits are counted there.
db.pragma('wal_autocheckpoint = 0');
db.pragma(`journal_size_limit = ${walSizeLimitBytes}`);
const wal = new WalSync(path.resolve(file));
const st = writeStatements(db);
// Prepared at the first batch: the tables exist only once the HTTP thread has migrated.
let ops: SqliteCreateOps | undefined;

/** Runs `batches` in one transaction: their outcomes, and whether it wrote; throws when it rolled back. */
async function transaction(batches: Batch[]): Promise<{ outs: StoredOutcome[][]; wrote: boolean }> {
  ops ??= sqliteCreateOps(db);
  const creates = ops;
  st.begin.run();
  const done = await commitAfter(db, st, async () => {
    creates.newTransaction();
    const outs: StoredOutcome[][] = [];
    for (const b of batches) outs.push(await createTasks(creates, b.seeds));
    return outs;
  });
  return { outs: done.result, wrote: done.wrote };
}

const errorOf = (err: unknown) => {
  const e = err as { message?: unknown; code?: unknown };
  return { message: String(e?.message ?? err), code: typeof e?.code === 'string' ? e.code : undefined };
};

const waiting: Batch[] = [];
let working = false;
let closeWhenIdle = false;

/**
 * Batches whose shared transaction failed, each to be run again in a transaction of its own: the
 * failure may be one job's, and a batch answered with an error is run again by the HTTP thread only
 * job by job when it has several (a batch of one would be failed with another batch's error).
 */
const alone: Batch[] = [];

async function work(): Promise<void> {
  working = true;
  while (alone.length > 0 || waiting.length > 0) {
    const batches = alone.length > 0 ? [alone.shift()!] : waiting.splice(0);
    let done: { outs: StoredOutcome[][]; wrote: boolean };
    try {
      done = await transaction(batches);
    } catch (err) {
      // Nothing of theirs committed. Several batches: each is tried alone (not for a busy lock,
      // which every batch would wait for again). One: the HTTP thread runs each job again alone.
      if (batches.length > 1 && !errorOf(err).code?.startsWith('SQLITE_BUSY')) alone.push(...batches);
      else for (const b of batches) port.postMessage({ id: b.id, error: errorOf(err) } satisfies FromWriter);
      continue;
    }
    if (exitAfterCommit) process.exit(1);
    try {
      // Synced here, before anything else runs on this thread: the batches that arrive meanwhile
      // wait and join the next transaction, and a transaction that writes nothing (a replay, a
      // refusal) always follows the fsync of the one it may have read. An fsync run in libuv's
      // pool instead, overlapping the next transaction, was slower: its answer waited for that
      // transaction to end (bench/README.md, eleventh session).
      // A transaction that wrote nothing needs no fsync, unless one has failed: then nothing
      // written since the last good one can be vouched for, and flushNow says so.
      if (done.wrote || wal.broken) wal.flushNow();
    } catch (err) {
      // Committed but not known to be on disk: never "nothing was changed", never run again.
      for (const b of batches) port.postMessage({ id: b.id, error: errorOf(err), committed: true } satisfies FromWriter);
      continue;
    }
    for (const [i, b] of batches.entries()) port.postMessage({ id: b.id, out: done.outs[i], wrote: done.wrote } satisfies FromWriter);
  }
  working = false;
  if (closeWhenIdle) await close();
}

async function close(): Promise<void> {
  await wal.close();
  db.close();
  port.close();
}

port.on('message', (msg: ToWriter) => {
  if (msg === 'close') {
    closeWhenIdle = true;
    if (!working) void close();
    return;
  }
  waiting.push(msg);
  // Everything that arrives before this turn ends joins the same transaction.
  if (!working) {
    working = true;
    setImmediate(() => void work());
  }
});
