import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newTaskId } from '../../src/contract/ids.js';
import type { TaskRow } from '../../src/store/schema.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { SqlStore } from '../../src/store/sql-store.js';

function row(over: Partial<TaskRow> = {}): TaskRow {
  return {
    id: newTaskId(), owner_key_id: 'key_a', model: 'veo3.1', provider: 'google', operation: 'text-to-video', state: 'pending',
    request_json: '{}', upstream_model: 'veo-3.1-generate-preview', upstream_id: null, progress: null, error_code: null, error_message: null,
    cancelled: 0, created: 1, updated: 1, next_run_at: 0, lease_owner: null, lease_until: null, attempts: 0, submitted_at: null,
    outputs_json: null, video_blob: null, video_duration: null, video_width: null, video_height: null, video_has_audio: null,
    estimated_cost_usd: 0, cost_usd: null, billing_transaction_id: null, callback_url: null, completed_at: null, output_expired_at: null, ...over,
  };
}

describe('SQLite store', () => {
  let dir: string;
  let store: SqlStore;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-store-'));
    store = openSqliteStore(path.join(dir, 'db.sqlite'));
    await store.migrate();
    await store.migrate(); // idempotent
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('claims due work once: a leased task is invisible to another worker until the lease expires', async () => {
    const a = row({ next_run_at: 100 });
    const b = row({ next_run_at: 5_000 }); // not due yet
    await store.insertTask(a);
    await store.insertTask(b);
    const first = await store.claimDue(['pending'], 1000, 10, 'w1', 500);
    assert.deepEqual(first.map((r) => r.id), [a.id]);
    assert.equal(first[0].lease_owner, 'w1');
    assert.deepEqual(await store.claimDue(['pending'], 1200, 10, 'w2', 500), []);
    const later = await store.claimDue(['pending'], 1600, 10, 'w2', 500); // w1's lease ran out
    assert.deepEqual(later.map((r) => r.id), [a.id]);
    assert.equal(later[0].lease_owner, 'w2');
  });

  it('guarded updates only apply while the guard holds', async () => {
    const t = row({ state: 'processing', lease_owner: 'w1' });
    await store.insertTask(t);
    assert.equal(await store.updateTask(t.id, { progress: 10 }, { leaseOwner: 'w2' }), false);
    assert.equal(await store.updateTask(t.id, { progress: 20 }, { leaseOwner: 'w1', state: 'processing' }), true);
    assert.equal(await store.updateTask(t.id, { progress: 30 }, { state: ['pending', 'failed'] }), false);
    assert.equal((await store.getTask(t.id))?.progress, 20);
    assert.equal(await store.releaseLeases('w1'), 1);
    assert.equal((await store.getTask(t.id))?.lease_owner, null);
  });

  it('reads its own writes through the row cache', async () => {
    const t = row({ state: 'processing', next_run_at: 0 });
    await store.insertTask(t);
    assert.equal((await store.getTask(t.id))?.progress, null); // now cached
    await store.updateTask(t.id, { progress: 42 });
    assert.equal((await store.getTask(t.id))?.progress, 42);
    await store.finishTask(t.id, { state: 'failed', error_code: 'x', error_message: 'y' }, {});
    assert.equal((await store.getTask(t.id))?.state, 'failed'); // terminal, cached for longer
    await store.updateTask(t.id, { output_expired_at: 7 });
    assert.equal((await store.getTask(t.id))?.output_expired_at, 7);
  });

  it('survives reopening: what was written is on disk', async () => {
    const t = row();
    await store.insertTask(t);
    const again = openSqliteStore(path.join(dir, 'db.sqlite'));
    assert.equal((await again.getTask(t.id))?.id, t.id);
    await again.close();
  });

  it('meta values are set once', async () => {
    assert.equal(await store.setMetaIfAbsent('k', 'first'), 'first');
    assert.equal(await store.setMetaIfAbsent('k', 'second'), 'first');
  });
});
