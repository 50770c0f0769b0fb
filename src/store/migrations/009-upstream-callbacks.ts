import type { Kysely } from 'kysely';

/**
 * Upstream callbacks (VIDGATE_CALLBACK_BASE_URL): the hash of each task's callback token per
 * channel, and when a callback last made its poll due. The token itself is never stored.
 */
export async function addUpstreamCallbacks(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('upstream_callbacks')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('ref_hash', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_poke_ms', 'bigint')
    .addPrimaryKeyConstraint('upstream_callbacks_pk', ['channel_id', 'ref_hash'])
    .execute();
  // The poll step asks whether a callback came while it was asking the upstream; retention purges by age.
  await db.schema.createIndex('upstream_callbacks_task').on('upstream_callbacks').columns(['task_id']).execute();
  await db.schema.createIndex('upstream_callbacks_created').on('upstream_callbacks').columns(['created_ms']).execute();
}
