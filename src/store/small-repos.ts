import { changed, type Db } from './db.js';
import { toIdempotency } from './mappers.js';
import type { IdempotencyRecord, IdempotencyRepository, MetaRepository } from './types.js';

export class SqlMetaRepository implements MetaRepository {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.db.kysely.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.db.tx((trx) =>
      trx
        .insertInto('meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute(),
    );
    return (await this.get(key)) as string;
  }
}

export class SqlIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly db: Db) {}

  async find(ownerKeyId: string, idemKey: string): Promise<IdempotencyRecord | undefined> {
    const r = await this.db.kysely.selectFrom('idempotency_keys').selectAll().where('owner_key_id', '=', ownerKeyId).where('idem_key', '=', idemKey).executeTakeFirst();
    return r ? toIdempotency(r) : undefined;
  }

  async purge(before_ms: number): Promise<number> {
    return changed(await this.db.tx((trx) => trx.deleteFrom('idempotency_keys').where('created_ms', '<', before_ms).executeTakeFirst()));
  }
}
