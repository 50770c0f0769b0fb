import { sql, type Kysely } from 'kysely';
import type { CreateOps } from './create-task.js';
import { changed } from './db.js';
import { plusUsd, writeLedger } from './ledger.js';
import type { Database } from './schema.js';
import type { WorkQueue } from './work-queue.js';

/** The create's writes through Kysely, in the caller's transaction (PostgreSQL; any dialect). */
export function kyselyCreateOps(trx: Kysely<Database>, queue: WorkQueue): CreateOps {
  const idemRow = (owner: string, key: string) => trx.selectFrom('idempotency_keys').selectAll().where('owner_key_id', '=', owner).where('idem_key', '=', key);
  return {
    findIdempotency: (owner, key) => idemRow(owner, key).executeTakeFirst(),
    async deleteIdempotency(owner, key, taskId) {
      let q = trx.deleteFrom('idempotency_keys').where('owner_key_id', '=', owner).where('idem_key', '=', key);
      if (taskId !== undefined) q = q.where('task_id', '=', taskId);
      await q.execute();
    },
    async insertIdempotency(row) {
      const res = await trx
        .insertInto('idempotency_keys')
        .values(row)
        .onConflict((oc) => oc.columns(['owner_key_id', 'idem_key']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async reserve(owner, est) {
      const res = await trx
        .updateTable('api_keys')
        .set({ reserved_usd: plusUsd('reserved_usd', est) })
        .where('id', '=', owner)
        .where((eb) => eb.or([eb('balance_usd', 'is', null), eb(sql`balance_usd - reserved_usd`, '>=', est - 1e-9)]))
        .where((eb) => eb.or([eb('spend_limit_usd', 'is', null), eb(sql`spent_usd + reserved_usd + ${est}`, '<=', sql`spend_limit_usd + 1e-9`)]))
        .executeTakeFirst();
      return changed(res) > 0;
    },
    budget: (owner) => trx.selectFrom('api_keys').select(['balance_usd', 'reserved_usd', 'spent_usd', 'spend_limit_usd']).where('id', '=', owner).executeTakeFirstOrThrow(),
    insertLedger: (entry) => writeLedger(trx, entry),
    insertTask: (row) => trx.insertInto('tasks').values(row).execute(),
    enqueue: (item) => queue.enqueue(trx, item),
  };
}
