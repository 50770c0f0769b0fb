/**
 * SQLite group commit and checkpoints: concurrent creates share commits, everything committed is
 * there after reopening, and the WAL is folded into the database file by the checkpointer thread
 * (so the WAL does not grow without end and the database file holds the data).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { newTask, testKey } from '../helpers/stores.js';

describe('SQLite durability and checkpoints', { timeout: 120_000 }, () => {
  it('folds the WAL into the database file in the background, and keeps every commit across a reopen', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-wal-'));
    const file = path.join(dir, 'db.sqlite');
    try {
      const store = openSqliteStore(file);
      await store.migrate();
      const key = await testKey(store, 'wal');
      const dbBytesBefore = fs.statSync(file).size;
      const ids: string[] = [];
      // Over a thousand separate commits (one create each), the checkpoint interval.
      for (let i = 0; i < 1100; i++) {
        const o = await store.tasks.create(newTask(key));
        if (o.kind === 'created') ids.push(o.task.id);
      }
      const deadline = Date.now() + 20_000;
      while (fs.statSync(file).size <= dbBytesBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(fs.statSync(file).size > dbBytesBefore, 'the checkpointer copied committed pages into the database file');
      await store.close();
      const again = openSqliteStore(file);
      for (const id of [ids[0], ids[550], ids.at(-1)!]) assert.equal((await again.tasks.get(id))?.state, 'pending');
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
