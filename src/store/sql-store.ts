import { randomBytes } from 'node:crypto';
import { roundUsd } from '../contract/money.js';
import { sql, type Kysely, type Transaction } from 'kysely';
import { runMigrations } from './migrations.js';
import type { ApiKeyRow, Database, IdempotencyRow, LedgerRow, TaskRow, TaskState } from './schema.js';
import { BalanceRefused, MAX_BALANCE_USD, type CreateOutcome, type KeyLimitsPatch, type Store, type TaskGuard, type TaskPatch, type UsageRow } from './types.js';

/**
 * The Store over Kysely. Everything here is dialect-neutral except claimDue, which a dialect
 * may specialise (PostgreSQL: FOR UPDATE SKIP LOCKED).
 */
export class SqlStore implements Store {
  constructor(protected readonly db: Kysely<Database>) {}

  /** For rooms with tables of their own (webhooks) that share this database and its transactions. */
  get kysely(): Kysely<Database> {
    return this.db;
  }

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

  async createTask(row: TaskRow, idem?: { record: IdempotencyRow; since: number }): Promise<CreateOutcome> {
    try {
      return await this.db.transaction().execute((trx) => this.createIn(trx, row, idem));
    } catch (err) {
      // Two nodes racing on one idempotency key: the loser's insert hits the primary key; it replays the winner.
      if (!idem) throw err;
      const winner = await this.findIdempotency(this.db, idem.record);
      if (winner && winner.task_id !== row.id) return { kind: 'replay', idem: winner };
      throw err;
    }
  }

  private findIdempotency(db: Kysely<Database>, r: IdempotencyRow): Promise<IdempotencyRow | undefined> {
    return db.selectFrom('idempotency_keys').selectAll().where('owner_key_id', '=', r.owner_key_id).where('idem_key', '=', r.idem_key).executeTakeFirst();
  }

  private async createIn(trx: Transaction<Database>, row: TaskRow, idem?: { record: IdempotencyRow; since: number }): Promise<CreateOutcome> {
    if (idem) {
      const found = await this.findIdempotency(trx, idem.record);
      if (found && found.created >= idem.since) return { kind: 'replay', idem: found };
      // An expired record is replaced: the key may be reused after its window.
      if (found) await trx.deleteFrom('idempotency_keys').where('owner_key_id', '=', found.owner_key_id).where('idem_key', '=', found.idem_key).execute();
    }
    const key = await trx.selectFrom('api_keys').selectAll().where('id', '=', row.owner_key_id).executeTakeFirstOrThrow();
    const est = row.estimated_cost_usd;
    if (key.balance_usd !== null && key.balance_usd - key.reserved_usd < est - 1e-9) {
      return { kind: 'insufficient_balance', balanceUsd: key.balance_usd, availableUsd: roundUsd(key.balance_usd - key.reserved_usd) };
    }
    if (key.spend_limit_usd !== null && key.spent_usd + key.reserved_usd + est > key.spend_limit_usd + 1e-9) {
      return { kind: 'quota_exceeded', limitUsd: key.spend_limit_usd, remainingUsd: roundUsd(Math.max(0, key.spend_limit_usd - key.spent_usd - key.reserved_usd)) };
    }
    await trx.updateTable('api_keys').set({ reserved_usd: sql`reserved_usd + ${est}` }).where('id', '=', key.id).execute();
    await trx.insertInto('ledger').values(ledgerEntry(key.id, row.id, 'reserve', est, row.model, row.created)).execute();
    await trx.insertInto('tasks').values(row).execute();
    if (idem) await trx.insertInto('idempotency_keys').values(idem.record).execute();
    return { kind: 'created' };
  }

  async finishTask(id: string, patch: TaskPatch, guard: TaskGuard): Promise<boolean> {
    if (patch.state !== 'completed' && patch.state !== 'failed') throw new Error(`finishTask needs a terminal state, got ${String(patch.state)}`);
    return this.db.transaction().execute(async (trx) => {
      const task = await trx.selectFrom('tasks').select(['owner_key_id', 'estimated_cost_usd', 'model']).where('id', '=', id).executeTakeFirst();
      if (!task) return false;
      const now = Math.floor(Date.now() / 1000);
      const completed = patch.state === 'completed';
      const entry = completed
        ? ledgerEntry(task.owner_key_id, id, 'settle', patch.cost_usd ?? 0, task.model, now)
        : ledgerEntry(task.owner_key_id, id, 'release', task.estimated_cost_usd, task.model, now);
      const full: TaskPatch = completed ? { ...patch, billing_transaction_id: entry.id } : patch;
      if (!(await this.applyGuarded(trx, id, full, guard))) return false;
      const est = task.estimated_cost_usd;
      const cost = completed ? entry.amount_usd : 0;
      await trx
        .updateTable('api_keys')
        .set({
          // Plain arithmetic (portable to PostgreSQL); amounts are rounded to micro-dollars when shown.
          reserved_usd: sql`reserved_usd - ${est}`,
          spent_usd: sql`spent_usd + ${cost}`,
          balance_usd: sql`case when balance_usd is null then null else balance_usd - ${cost} end`,
        })
        .where('id', '=', task.owner_key_id)
        .execute();
      await trx.insertInto('ledger').values(entry).execute();
      return true;
    });
  }

  async getKey(id: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateKeyLimits(id: string, patch: KeyLimitsPatch): Promise<ApiKeyRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const key = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked', 'is', null).executeTakeFirst();
      if (!key) return undefined;
      const now = Math.floor(Date.now() / 1000);
      const set: Record<string, unknown> = {};
      if (patch.spend_limit_usd !== undefined) set.spend_limit_usd = patch.spend_limit_usd;
      if (patch.rpm_limit !== undefined) set.rpm_limit = patch.rpm_limit;
      if (patch.webhook_url !== undefined) set.webhook_url = patch.webhook_url;
      if (patch.balance_usd !== undefined || patch.add_balance_usd !== undefined) checkBalanceChange(key, patch);
      if (patch.balance_usd !== undefined) {
        set.balance_usd = patch.balance_usd;
        await trx.insertInto('ledger').values(ledgerEntry(id, null, 'adjust', patch.balance_usd ?? 0, null, now)).execute();
      }
      if (patch.add_balance_usd !== undefined) {
        const base = patch.balance_usd !== undefined ? patch.balance_usd : key.balance_usd;
        set.balance_usd = roundUsd((base ?? 0) + patch.add_balance_usd);
        await trx.insertInto('ledger').values(ledgerEntry(id, null, 'credit', patch.add_balance_usd, null, now)).execute();
      }
      if (Object.keys(set).length > 0) await trx.updateTable('api_keys').set(set).where('id', '=', id).execute();
      return trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    });
  }

  async usage(keyId: string | null, fromDay: string, toDay: string): Promise<UsageRow[]> {
    let q = this.db
      .selectFrom('ledger')
      .select(['key_id', 'day', 'model', (eb) => eb.fn.countAll<number>().as('requests'), (eb) => eb.fn.sum<number>('amount_usd').as('cost_usd')])
      .where('kind', '=', 'settle')
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay);
    if (keyId !== null) q = q.where('key_id', '=', keyId);
    const rows = await q.groupBy(['key_id', 'day', 'model']).orderBy('day').orderBy('model').execute();
    return rows.map((r) => ({ key_id: r.key_id, day: r.day, model: r.model ?? '', requests: Number(r.requests), cost_usd: roundUsd(Number(r.cost_usd)) }));
  }

  async ledgerFor(keyId: string): Promise<LedgerRow[]> {
    return this.db.selectFrom('ledger').selectAll().where('key_id', '=', keyId).orderBy('created').orderBy('id').execute();
  }

  async getTask(id: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateTask(id: string, patch: TaskPatch, guard: TaskGuard = {}): Promise<boolean> {
    return this.applyGuarded(this.db, id, patch, guard);
  }

  private async applyGuarded(db: Kysely<Database>, id: string, patch: TaskPatch, guard: TaskGuard): Promise<boolean> {
    let q = db.updateTable('tasks').set(patch).where('id', '=', id);
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

  async dueCandidates(now: number, perOwner: number, limit: number, excludeProviders: string[]): Promise<{ id: string; owner_key_id: string; provider: string; next_run_at: number }[]> {
    const exclude = excludeProviders.length > 0 ? sql`and provider not in (${sql.join(excludeProviders)})` : sql``;
    // A window function keeps one key's backlog from filling the whole candidate list.
    const result = await sql<{ id: string; owner_key_id: string; provider: string; next_run_at: number }>`
      select id, owner_key_id, provider, next_run_at from (
        select id, owner_key_id, provider, next_run_at,
               row_number() over (partition by provider, owner_key_id order by next_run_at, id) as rn
        from tasks
        where state = 'pending' and next_run_at <= ${now} and (lease_until is null or lease_until < ${now}) ${exclude}
      ) ranked
      where rn <= ${perOwner}
      order by next_run_at, id
      limit ${limit}`.execute(this.db);
    return result.rows.map((r) => ({ ...r, next_run_at: Number(r.next_run_at) }));
  }

  async inFlightCounts(): Promise<{ provider: string; owner_key_id: string; n: number }[]> {
    const rows = await this.db
      .selectFrom('tasks')
      .select(['provider', 'owner_key_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', 'in', ['submitting', 'processing', 'finishing'])
      .groupBy(['provider', 'owner_key_id'])
      .execute();
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  async claimIds(ids: string[], now: number, owner: string, leaseMs: number): Promise<TaskRow[]> {
    if (ids.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('tasks')
        .set({ lease_owner: owner, lease_until: now + leaseMs })
        .where('id', 'in', ids)
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .execute();
      return trx.selectFrom('tasks').selectAll().where('id', 'in', ids).where('lease_owner', '=', owner).where('lease_until', '=', now + leaseMs).orderBy('next_run_at').execute();
    });
  }

  async expiredOutputs(completedBefore: number, limit: number): Promise<TaskRow[]> {
    return this.db
      .selectFrom('tasks')
      .selectAll()
      .where('state', '=', 'completed')
      .where('video_blob', 'is not', null)
      .where('completed_at', '<', completedBefore)
      .orderBy('completed_at')
      .limit(limit)
      .execute();
  }

  async extendLeases(ids: string[], owner: string, until: number): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.db.updateTable('tasks').set({ lease_until: until }).where('id', 'in', ids).where('lease_owner', '=', owner).executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async releaseLeases(owner: string): Promise<number> {
    // A submission still in flight keeps its lease (and expires into recovery): handing it over now
    // would let another node decide about a create whose answer has not come back yet.
    const res = await this.db.updateTable('tasks').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).where('state', '!=', 'submitting').executeTakeFirst();
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

function utcDay(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** Ledger ids double as billing_transaction_id: txn_ + 24 hex. */
function ledgerEntry(keyId: string, taskId: string | null, kind: LedgerRow['kind'], amount: number, model: string | null, created: number): LedgerRow {
  return { id: `txn_${randomBytes(12).toString('hex')}`, key_id: keyId, task_id: taskId, kind, amount_usd: roundUsd(amount), model, day: utcDay(created), created };
}

/**
 * The balance rules, checked inside the update's transaction (so no reservation slips in between):
 * a prepaid balance never drops below what tasks in flight have reserved, and never exceeds
 * MAX_BALANCE_USD, whether it is set (`balance_usd`) or topped up (`add_balance_usd`).
 * Setting it to null (postpaid, unlimited) is always allowed.
 */
function checkBalanceChange(key: ApiKeyRow, patch: KeyLimitsPatch): void {
  const base = patch.balance_usd !== undefined ? patch.balance_usd : key.balance_usd;
  const after = patch.add_balance_usd !== undefined ? roundUsd((base ?? 0) + patch.add_balance_usd) : base;
  if (after === null) return;
  const param = patch.add_balance_usd !== undefined && patch.balance_usd === undefined ? 'add_balance_usd' : 'balance_usd';
  if (after > MAX_BALANCE_USD) throw new BalanceRefused('above_cap', param, key.reserved_usd);
  if (after < key.reserved_usd - 1e-9) throw new BalanceRefused('below_reserved', param, key.reserved_usd);
}
