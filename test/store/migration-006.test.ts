/**
 * An existing database (schema 005, as the previous release left it) upgrades in place: times
 * become milliseconds, unfinished tasks carry on from the work queue (an interrupted submission
 * keeps its lease, so recovery looks it up), and pending webhook events stay queued.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { createTestDatabase, kyselyOf, DIALECTS, type TestDatabase } from '../helpers/stores.js';

const T = 1_700_000_000; // Unix seconds, as schema 005 kept most times
const task = (id: string, state: string, extra: Record<string, unknown> = {}) => ({
  id,
  owner_key_id: 'key_old',
  model: 'veo3.1-fast',
  provider: 'google',
  operation: 'text-to-video',
  state,
  request_json: '{"model":"veo3.1-fast","duration":4}',
  upstream_model: 'veo-3.1-fast-generate-preview',
  upstream_id: null,
  progress: null,
  error_code: null,
  error_message: null,
  cancelled: 0,
  created: T,
  updated: T + 5,
  next_run_at: T * 1000 + 500,
  lease_owner: null,
  lease_until: null,
  attempts: 2,
  submitted_at: null,
  outputs_json: null,
  video_blob: null,
  video_duration: null,
  video_width: null,
  video_height: null,
  video_has_audio: null,
  estimated_cost_usd: 0.4,
  cost_usd: null,
  billing_transaction_id: null,
  callback_url: null,
  completed_at: null,
  output_expired_at: null,
  ...extra,
});

for (const dialect of DIALECTS) {
  describe(`migration 006 on ${dialect}`, { timeout: 60_000 }, () => {
    let db: TestDatabase;
    let store: SqlStore;
    before(async () => {
      db = await createTestDatabase(dialect);
      store = db.open();
      const k = kyselyOf(store);
      // Schema 005, by the previous release's migrations.
      await k.schema
        .createTable('vidgate_migrations')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('applied', 'bigint', (c) => c.notNull())
        .execute();
      for (const m of MIGRATIONS.filter((m) => m.name < '006')) {
        await m.up(k);
        await k.insertInto('vidgate_migrations').values({ name: m.name, applied: T }).execute();
      }
      await k
        .insertInto('api_keys')
        .values({
          id: 'key_old',
          name: 'old',
          hash: 'h',
          prefix: 'sk-abcd',
          is_admin: 1,
          created: T,
          revoked: null,
          balance_usd: 10,
          spend_limit_usd: null,
          reserved_usd: 1.2,
          spent_usd: 0.5,
          rpm_limit: null,
          webhook_url: null,
          webhook_secret: 'whsec_x',
        })
        .execute();
      await k
        .insertInto('tasks')
        .values([
          task('t_pending', 'pending'),
          task('t_submitting', 'submitting', { lease_owner: 'worker_gone', lease_until: T * 1000 + 60_000 }),
          task('t_processing', 'processing', { upstream_id: 'op/1', submitted_at: T * 1000 + 100 }),
          task('t_done', 'completed', {
            upstream_id: 'op/2',
            video_blob: 'videos/t_done.mp4',
            video_duration: 4,
            video_width: 1280,
            video_height: 720,
            video_has_audio: 1,
            cost_usd: 0.3,
            completed_at: T + 60,
            callback_url: 'https://hooks.example.com/x',
          }),
        ])
        .execute();
      await k
        .insertInto('webhook_events')
        .values({
          id: 'msg_old',
          task_id: 't_done',
          owner_key_id: 'key_old',
          event_type: 'video.generation.completed',
          url: 'https://hooks.example.com/x',
          created: T + 60,
          status: 'pending',
          round: 0,
          round_attempts: 1,
          attempt_count: 1,
          next_attempt_at: T * 1000 + 65_000,
          last_response_status: 500,
          last_error: 'HTTP 500',
          delivered_at: null,
          lease_owner: null,
          lease_until: null,
        })
        .execute();
      await k
        .insertInto('webhook_attempts')
        .values({ id: 'wha_1', event_id: 'msg_old', attempt: 1, trigger: 'initial', started: T + 60, duration_ms: 12, response_status: 500, error: 'HTTP 500', succeeded: 0 })
        .execute();
      await store.migrate();
    });
    after(() => db.cleanup());

    it('keeps keys and tasks, with every time in milliseconds', async () => {
      const key = (await store.keys.get('key_old'))!;
      assert.deepEqual([key.created_ms, key.is_admin, key.reserved_usd], [T * 1000, true, 1.2]);
      const done = (await store.tasks.get('t_done'))!;
      assert.deepEqual([done.created_ms, done.updated_ms, done.completed_ms], [T * 1000, (T + 5) * 1000, (T + 60) * 1000]);
      assert.deepEqual(done.video, { blob_key: 'videos/t_done.mp4', duration_s: 4, width: 1280, height: 720, has_audio: true });
      assert.equal(done.request.duration, 4);
    });

    it('unfinished tasks carry on from the work queue, the interrupted submission into recovery', async () => {
      const now = T * 1000 + 120_000;
      const opts = { now_ms: now, limit: 10, owner: 'new_worker', lease_ms: 1000 };
      assert.deepEqual(
        (await store.tasks.claim('poll', opts)).map((c) => [c.task.id, c.attempts]),
        [['t_processing', 2]],
      );
      assert.deepEqual(
        (await store.tasks.claim('submit', opts)).map((c) => c.task.id),
        ['t_submitting'],
        'recovery, not a fresh submission',
      );
      const fresh = await store.tasks.claimPending({ ...opts, admission: { admit: () => true, refund: () => undefined } });
      assert.deepEqual(
        fresh.map((c) => c.task.id),
        ['t_pending'],
      );
      assert.deepEqual(await store.tasks.inFlightByProvider(), { google: 3 });
    });

    it('a pending webhook event stays queued with its history', async () => {
      const [event] = await store.webhooks.listForOwner('key_old', { limit: 5 });
      assert.deepEqual([event.id, event.status, event.attempt_count, event.created_ms], ['msg_old', 'pending', 1, (T + 60) * 1000]);
      const attempts = await store.webhooks.attemptsFor(['msg_old']);
      assert.deepEqual(
        attempts.map((a) => [a.started_ms, a.succeeded]),
        [[(T + 60) * 1000, false]],
      );
      const claimed = await store.webhooks.claim({ now_ms: T * 1000 + 70_000, limit: 5, owner: 'w', lease_ms: 1000, admit: () => true });
      assert.deepEqual(
        claimed.map((c) => [c.event.id, c.trigger, c.attempt]),
        [['msg_old', 'retry', 2]],
      );
    });

    it('running the migrations again changes nothing', async () => {
      await store.migrate();
      const rows = await sql<{ n: number }>`select count(*) as n from vidgate_migrations`.execute(kyselyOf(store));
      assert.equal(Number(rows.rows[0].n), MIGRATIONS.length);
    });
  });
}
