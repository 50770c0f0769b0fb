/**
 * Migration 008 on a database of the previous release (schema 007): tasks already sent are marked
 * as sent through their provider's default channel (they keep polling there); tasks not yet sent
 * carry no pin and are routed afresh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { PRE_CHANNEL_PIN } from '../../src/store/types.js';
import { createTestDatabase, kyselyOf, DIALECTS, type TestDatabase } from '../helpers/stores.js';

const T = 1_700_000_000_000;
const row = (id: string, state: string, upstreamId: string | null) => ({
  id,
  owner_key_id: 'key_old',
  model: 'sora-2',
  provider: 'openai',
  operation: 'text-to-video',
  state,
  request_json: '{"model":"sora-2","duration":4}',
  upstream_model: 'sora-2',
  upstream_id: upstreamId,
  progress: null,
  error_code: null,
  error_message: null,
  cancelled: 0,
  created_ms: T,
  updated_ms: T,
  submitted_ms: upstreamId ? T : null,
  completed_ms: null,
  output_expired_ms: null,
  outputs_json: null,
  video_blob: null,
  video_duration_s: null,
  video_width: null,
  video_height: null,
  video_has_audio: null,
  estimated_cost_usd: 0.4,
  cost_usd: null,
  billing_transaction_id: null,
  callback_url: null,
  version: 1,
});

for (const dialect of DIALECTS) {
  describe(`migration 008 on ${dialect}`, { timeout: 60_000 }, () => {
    let db: TestDatabase;
    let store: SqlStore;
    before(async () => {
      db = await createTestDatabase(dialect);
      store = db.open();
      const k = kyselyOf(store);
      await k.schema
        .createTable('vidgate_migrations')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('applied', 'bigint', (c) => c.notNull())
        .execute();
      for (const m of MIGRATIONS.filter((m) => m.name < '008')) {
        await m.up(k);
        await k.insertInto('vidgate_migrations').values({ name: m.name, applied: T }).execute();
      }
      await k
        .insertInto('tasks')
        .values([row('t_pending', 'pending', null), row('t_submitting', 'submitting', null), row('t_processing', 'processing', 'video_1'), row('t_failed', 'failed', null)])
        .execute();
      await store.migrate();
    });
    after(() => db.cleanup());

    it('pins what was sent to the default channel and leaves pending tasks unpinned', async () => {
      const pins = await Promise.all(['t_pending', 't_submitting', 't_processing', 't_failed'].map(async (id) => (await store.tasks.get(id))?.channelId));
      assert.deepEqual(pins, [null, PRE_CHANNEL_PIN, PRE_CHANNEL_PIN, PRE_CHANNEL_PIN]);
    });
  });
}
