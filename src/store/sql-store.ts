import type { Kysely } from 'kysely';
import { runMigrations } from './migrations.js';
import type { ApiKeyRow, Database, IdempotencyRow, TaskRow, TaskState } from './schema.js';
import type { Store, TaskGuard, TaskPatch } from './types.js';

/**
 * The Store over Kysely. Everything here is dialect-neutral except claimDue, which a dialect
 * may specialise (PostgreSQL: FOR UPDATE SKIP LOCKED).
 */
export class SqlStore implements Store {
  constructor(protected readonly db: Kysely<Database>) {}

  async migrate(): Promise<void> {
    await runMigrations(this.db as Kysely<any>);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setMetaIfAbsent(key: string, value: string): Promise<string> {
    await this.db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
    return (await this.getMeta(key)) as string;
  }

  async insertKey(row: ApiKeyRow): Promise<void> {
    await this.db.insertInto('api_keys').values(row).execute();
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
  }

  async listKeys(): Promise<ApiKeyRow[]> {
    return this.db.selectFrom('api_keys').selectAll().orderBy('created', 'asc').orderBy('id', 'asc').execute();
  }

  async revokeKey(id: string, now: number): Promise<boolean> {
    const res = await this.db.updateTable('api_keys').set({ revoked: now }).where('id', '=', id).where('revoked', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async countAdminKeys(): Promise<number> {
    const row = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_admin', '=', 1)
      .where('revoked', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async insertTask(row: TaskRow): Promise<void> {
    await this.db.insertInto('tasks').values(row).execute();
  }

  async insertTaskIdempotently(row: TaskRow, idem: IdempotencyRow, since: number): Promise<{ existing: IdempotencyRow | null }> {
    try {
      return await this.insertIdempotentOnce(row, idem, since);
    } catch (err) {
      // Two nodes racing on one key: the loser's insert hits the primary key; it replays the winner.
      const winner = await this.db.selectFrom('idempotency_keys').selectAll().where('owner_key_id', '=', idem.owner_key_id).where('idem_key', '=', idem.idem_key).executeTakeFirst();
      if (winner && winner.task_id !== row.id) return { existing: winner };
      throw err;
    }
  }

  private async insertIdempotentOnce(row: TaskRow, idem: IdempotencyRow, since: number): Promise<{ existing: IdempotencyRow | null }> {
    return this.db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('owner_key_id', '=', idem.owner_key_id)
        .where('idem_key', '=', idem.idem_key)
        .executeTakeFirst();
      if (found && found.created >= since) return { existing: found };
      // An expired record is replaced: the key may be reused after its window.
      if (found) await trx.deleteFrom('idempotency_keys').where('owner_key_id', '=', idem.owner_key_id).where('idem_key', '=', idem.idem_key).execute();
      await trx.insertInto('tasks').values(row).execute();
      await trx.insertInto('idempotency_keys').values(idem).execute();
      return { existing: null };
    });
  }

  async getTask(id: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateTask(id: string, patch: TaskPatch, guard: TaskGuard = {}): Promise<boolean> {
    let q = this.db.updateTable('tasks').set(patch).where('id', '=', id);
    if (guard.state !== undefined) {
      const states = Array.isArray(guard.state) ? guard.state : [guard.state];
      q = q.where('state', 'in', states);
    }
    if (guard.leaseOwner !== undefined) q = q.where('lease_owner', '=', guard.leaseOwner);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async claimDue(states: TaskState[], now: number, limit: number, owner: string, leaseMs: number): Promise<TaskRow[]> {
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('tasks')
        .select('id')
        .where('state', 'in', states)
        .where('next_run_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('next_run_at', 'asc')
        .limit(limit)
        .execute();
      if (due.length === 0) return [];
      const ids = due.map((r) => r.id);
      await trx.updateTable('tasks').set({ lease_owner: owner, lease_until: now + leaseMs }).where('id', 'in', ids).execute();
      return trx.selectFrom('tasks').selectAll().where('id', 'in', ids).orderBy('next_run_at', 'asc').execute();
    });
  }

  async releaseLeases(owner: string): Promise<number> {
    const res = await this.db.updateTable('tasks').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('tasks')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
