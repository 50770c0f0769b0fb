/**
 * The create writer thread's whole program (see create-writer.ts): a connection of its own to the
 * SQLite file; each message is one batch of creates, run in one BEGIN IMMEDIATE … COMMIT in
 * `synchronous = FULL`, so the answer comes only once the commit is on disk. Waiting for another
 * connection's write lock (SQLite's busy wait) and for the fsync blocks this thread only.
 * Its imports stay few (no Kysely): every gateway starts one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { createTasks } from './create-task.js';
import type { FromWriter, ToWriter, WriterData } from './create-writer.js';
import { sqliteCreateOps, type SqliteCreateOps } from './sqlite-create.js';

const port = parentPort!;
const { file, busyTimeoutMs, exitAfterCommit } = workerData as WriterData;
const db = new SQLite(file);
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
db.pragma('synchronous = FULL');
// Checkpoints are the HTTP thread's (WalDurability): this thread's commits are counted there.
db.pragma('wal_autocheckpoint = 0');
const st = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), totalChanges: db.prepare<[], number>('SELECT total_changes()').pluck() };
// Prepared at the first batch: the tables exist only once the HTTP thread has migrated.
let ops: SqliteCreateOps | undefined;

async function run(msg: Extract<ToWriter, { id: number }>): Promise<FromWriter> {
  try {
    ops ??= sqliteCreateOps(db);
    st.begin.run();
    const before = st.totalChanges.get()!;
    ops.newTransaction();
    const out = await createTasks(ops, msg.jobs);
    st.commit.run();
    if (exitAfterCommit) process.exit(1);
    return { id: msg.id, out, wrote: st.totalChanges.get() !== before };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    const e = err as { message?: unknown; code?: unknown };
    return { id: msg.id, error: { message: String(e?.message ?? err), code: typeof e?.code === 'string' ? e.code : undefined } };
  }
}

// One batch at a time, in the order sent.
let turn = Promise.resolve();
port.on('message', (msg: ToWriter) => {
  turn = turn.then(async () => {
    if (msg === 'close') {
      db.close();
      port.close();
      return;
    }
    port.postMessage(await run(msg));
  });
});
