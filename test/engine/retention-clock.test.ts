/**
 * The retention sweeper reads time only from the engine's injected clock (design.md: engine/ talks
 * to the world through an injected clock): a sweep at a clock past the retention period deletes the
 * output and marks the task at that instant, whatever the wall clock says.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { LocalBlobStore } from '../../src/blobs/local.js';
import { RetentionSweeper } from '../../src/engine/retention.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { createTestDatabase, finishedTasks, testKey, type TestDatabase } from '../helpers/stores.js';

describe('retention sweeper clock', () => {
  let db: TestDatabase;
  let store: SqlStore;
  let dir: string;
  before(async () => {
    db = await createTestDatabase('sqlite');
    store = db.open();
    await store.migrate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-retention-'));
  });
  after(async () => {
    await db.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('expires outputs by the injected clock, not the wall clock', async () => {
    const blobs = new LocalBlobStore(dir);
    const key = await testKey(store, 'retained');
    const [id] = await finishedTasks(store, key, 1);
    const blobKey = (await store.tasks.get(id))!.video!.blob_key!;
    await blobs.put(blobKey, Readable.from([Buffer.from('mp4 bytes')]));
    const retentionSeconds = 3600;
    let now = Date.now();
    const sweeper = new RetentionSweeper({ store, blobs, retentionSeconds, intervalMs: 60_000, log: pino({ level: 'silent' }), clock: { now: () => now } });

    assert.equal(await sweeper.sweep(), 0, 'within the retention period nothing goes');
    assert.ok(await blobs.stat(blobKey));

    now += (retentionSeconds + 1) * 1000;
    assert.equal(await sweeper.sweep(), 1, 'an hour later by the clock, the output goes');
    assert.equal(await blobs.stat(blobKey), null);
    assert.equal((await store.tasks.get(id))!.output_expired_ms, now, 'marked at the clock instant');
  });
});
