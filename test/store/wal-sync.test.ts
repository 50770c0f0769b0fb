/**
 * WalSync: the fsync behind every durable SQLite commit. Once one fails, no later commit can be
 * promised durable (the kernel may have dropped the failed pages), so every later flush fails too —
 * including those that were waiting behind the failed one — instead of a later fsync's success
 * being taken as proof.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WalSync } from '../../src/store/wal-sync.js';

describe('WAL sync', () => {
  it('a failed fsync fails that flush, the one queued behind it and every later one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-walsync-'));
    const file = path.join(dir, 'db.sqlite');
    fs.writeFileSync(`${file}-wal`, 'x');
    const wal = new WalSync(file);
    await wal.flush();
    assert.equal(wal.syncs, 1);
    // The descriptor it syncs is closed behind its back: its next fsync fails (EBADF), as a disk error would.
    fs.closeSync((wal as unknown as { fd: number }).fd);
    const first = wal.flush();
    const queued = wal.flush();
    await assert.rejects(first, /could not be synced to disk/);
    await assert.rejects(queued, /could not be synced to disk/);
    await assert.rejects(wal.flush(), /no commit since can be promised durable/);
    assert.equal(wal.syncs, 2, 'no fsync is tried after the failure');
    assert.throws(() => wal.flushNow(), /no commit since can be promised durable/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('flushNow syncs on the calling thread; once one fails, every later flush of either kind fails', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-walsync-'));
    const file = path.join(dir, 'db.sqlite');
    fs.writeFileSync(`${file}-wal`, 'x');
    const wal = new WalSync(file);
    wal.flushNow();
    wal.flushNow();
    assert.equal(wal.syncs, 2);
    assert.equal(wal.broken, false);
    fs.closeSync((wal as unknown as { fd: number }).fd);
    assert.throws(() => wal.flushNow(), /could not be synced to disk/);
    assert.equal(wal.broken, true);
    assert.throws(() => wal.flushNow(), /no commit since can be promised durable/);
    await assert.rejects(wal.flush(), /no commit since can be promised durable/);
    assert.equal(wal.syncs, 3, 'no fsync is tried after the failure');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a WAL that cannot be opened fails the flush with a clear message (no stack trace for the caller to read)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-walsync-'));
    const wal = new WalSync(path.join(dir, 'missing.sqlite'));
    assert.throws(() => wal.flushNow(), /write-ahead log could not be synced to disk \(ENOENT/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
