import { roundUsd } from '../contract/money.js';
import { changed, num, type Db } from './db.js';
import { writeLedger } from './ledger.js';
import { ledgerEntry } from './ledger-entry.js';
import { fromApiKey, toApiKey } from './mappers.js';
import type { ApiKeysTable } from './schema.js';
import { BalanceRefused, MAX_BALANCE_USD, type ApiKey, type KeyLimitsPatch, type KeyRepository, type KeyUpdateOutcome } from './types.js';

/**
 * The balance rules, checked inside the update's transaction (so no reservation slips in between):
 * a prepaid balance never drops below what tasks in flight have reserved (their settlement would
 * overdraw it), and never exceeds MAX_BALANCE_USD, whether set or topped up. Null (postpaid) is
 * always allowed.
 */
function balanceRefusal(after: number | null, reservedUsd: number, patch: KeyLimitsPatch): BalanceRefused | null {
  if (after === null) return null;
  const param = patch.add_balance_usd !== undefined && patch.balance_usd === undefined ? 'add_balance_usd' : 'balance_usd';
  if (after > MAX_BALANCE_USD) return new BalanceRefused('above_cap', param, reservedUsd);
  if (after < reservedUsd - 1e-9) return new BalanceRefused('below_reserved', param, reservedUsd);
  return null;
}

/** The `meta` row naming the admin key generated on first start. */
const GENERATED_MARK = 'admin_key_bootstrap';

export class SqlKeyRepository implements KeyRepository {
  constructor(private readonly db: Db) {}

  async insert(key: ApiKey): Promise<void> {
    await this.db.tx((trx) => trx.insertInto('api_keys').values(fromApiKey(key)).execute());
  }

  /**
   * Stores a key generated on first start, unless one was generated before: the mark in `meta`
   * (naming the key) and the key go in one transaction, and `announce` runs inside it, before the
   * commit. A node that dies after announcing but before committing leaves neither, so the next
   * node to start generates one; nodes starting together wait on the first one's mark and find it.
   * A mark with no admin key ever stored (revoked ones count) is a leftover of a release that stored
   * the mark on its own and died before the key: it is taken over. False when a key was generated before.
   */
  async insertGenerated(key: ApiKey, announce: () => void): Promise<boolean> {
    return this.db.tx(async (trx) => {
      const marked = await trx
        .insertInto('meta')
        .values({ key: GENERATED_MARK, value: key.id })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if (Number(marked.numInsertedOrUpdatedRows ?? 0n) === 0) {
        let q = trx.selectFrom('meta').select('value').where('key', '=', GENERATED_MARK);
        if (this.db.dialect === 'postgres') q = q.forUpdate();
        await q.executeTakeFirst();
        if (await trx.selectFrom('api_keys').select('id').where('is_admin', '=', 1).limit(1).executeTakeFirst()) return false;
        await trx.updateTable('meta').set({ value: key.id }).where('key', '=', GENERATED_MARK).execute();
      }
      announce();
      await trx.insertInto('api_keys').values(fromApiKey(key)).execute();
      return true;
    });
  }

  async findByHash(hash: string): Promise<ApiKey | undefined> {
    const r = await this.db.kysely.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return r ? toApiKey(r) : undefined;
  }

  async get(id: string): Promise<ApiKey | undefined> {
    const r = await this.db.kysely.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toApiKey(r) : undefined;
  }

  async list(): Promise<ApiKey[]> {
    return (await this.db.kysely.selectFrom('api_keys').selectAll().orderBy('created_ms').orderBy('id').execute()).map(toApiKey);
  }

  async revoke(id: string, now_ms: number): Promise<boolean> {
    return changed(await this.db.tx((trx) => trx.updateTable('api_keys').set({ revoked_ms: now_ms }).where('id', '=', id).where('revoked_ms', 'is', null).executeTakeFirst())) > 0;
  }

  async countAdmins(): Promise<number> {
    const r = await this.db.kysely
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_admin', '=', 1)
      .where('revoked_ms', 'is', null)
      .executeTakeFirst();
    return num(r?.n ?? 0);
  }

  async updateLimits(id: string, patch: KeyLimitsPatch, now_ms: number): Promise<KeyUpdateOutcome> {
    return this.db.tx(async (trx) => {
      let q = trx.selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked_ms', 'is', null);
      // The new balance is computed from this read: on PostgreSQL (READ COMMITTED) the row is locked
      // so a concurrent top-up, settlement or reservation (another node's, or this pool's) cannot
      // land between the read and the write and be overwritten. SQLite's BEGIN IMMEDIATE already serialises.
      if (this.db.dialect === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) return { kind: 'not_found' as const };
      const key = toApiKey(row);
      const set: Partial<Pick<ApiKeysTable, 'spend_limit_usd' | 'rpm_limit' | 'webhook_url' | 'balance_usd'>> = {};
      if (patch.spend_limit_usd !== undefined) set.spend_limit_usd = patch.spend_limit_usd;
      if (patch.rpm_limit !== undefined) set.rpm_limit = patch.rpm_limit;
      if (patch.webhook_url !== undefined) set.webhook_url = patch.webhook_url;
      let balance = key.balance_usd;
      // Whole micro-dollars, as every total is kept (a settle's SQL round would otherwise snap it later, by dialect).
      if (patch.balance_usd !== undefined) balance = patch.balance_usd === null ? null : roundUsd(patch.balance_usd);
      if (patch.add_balance_usd !== undefined) balance = roundUsd((balance ?? 0) + patch.add_balance_usd);
      if (patch.balance_usd !== undefined || patch.add_balance_usd !== undefined) {
        const refusal = balanceRefusal(balance, key.reserved_usd, patch);
        if (refusal) return { kind: 'refused' as const, refusal };
        set.balance_usd = balance;
      }
      if (patch.balance_usd !== undefined) await writeLedger(trx, ledgerEntry(id, null, 'adjust', patch.balance_usd ?? 0, null, now_ms));
      if (patch.add_balance_usd !== undefined) await writeLedger(trx, ledgerEntry(id, null, 'credit', patch.add_balance_usd, null, now_ms));
      if (Object.keys(set).length > 0) await trx.updateTable('api_keys').set(set).where('id', '=', id).execute();
      const after = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return { kind: 'updated' as const, key: toApiKey(after) };
    });
  }

  async webhookSecret(id: string, generate: () => string): Promise<string | undefined> {
    const read = () => this.db.kysely.selectFrom('api_keys').select('webhook_secret').where('id', '=', id).executeTakeFirst();
    const row = await read();
    if (!row) return undefined;
    if (row.webhook_secret) return row.webhook_secret;
    await this.db.tx((trx) => trx.updateTable('api_keys').set({ webhook_secret: generate() }).where('id', '=', id).where('webhook_secret', 'is', null).execute());
    return (await read())?.webhook_secret ?? undefined;
  }

  async rotateWebhookSecret(id: string, secret: string): Promise<boolean> {
    return changed(await this.db.tx((trx) => trx.updateTable('api_keys').set({ webhook_secret: secret }).where('id', '=', id).executeTakeFirst())) > 0;
  }
}
