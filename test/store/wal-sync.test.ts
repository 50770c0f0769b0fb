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

/** A temporary directory holding a database's WAL file (`file` is the database's path). */
function walFixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-walsync-'));
  const file = path.join(dir, 'db.sqlite');
  fs.writeFileSync(`${file}-wal`, 'x');
  return { dir, file };
}

describe('WAL sync', () => {
  it('a failed fsync fails that flush, the one queued behind it and every later one', async () => {
    const { dir, file } = walFixture();
    const wal = new WalSync(file);
    await wal.flush();
    assert.equal(wal.syncs, 1);
    // The descriptor it syncs is closed behind its back: its next fsync fails (EBADF), as a disk error would.
    fs.closeSync((wal as unknown as { fd: number }).fd);
    const first = wal.flush();
    const queued = wal.flush();
    await assert.rejects(first, /could not be synced to disk/);
    await assert.rejects(queued, /could not be synced to disk/);
    assert.equal(wal.syncs, 2, 'the queued flush was answered with the failure, not by a second fsync');
    await assert.rejects(wal.flush(), /no commit since can be promised durable/);
    assert.equal(wal.syncs, 2, 'no fsync is tried after the failure');
    assert.throws(() => wal.flushNow(), /no commit since can be promised durable/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('flushNow syncs on the calling thread; once one fails, every later flush of either kind fails', async () => {
    const { dir, file } = walFixture();
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

  it('a WAL that cannot be opened fails the flush with a message naming the cause', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-walsync-'));
    const wal = new WalSync(path.join(dir, 'missing.sqlite'));
    assert.throws(() => wal.flushNow(), /write-ahead log could not be synced to disk \(ENOENT/);
    await assert.rejects(new WalSync(path.join(dir, 'missing.sqlite')).flush(), /write-ahead log could not be synced to disk \(ENOENT/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the first sync of either kind also syncs the WAL's directory (its entry), once", async () => {
    const { dir, file } = walFixture();
    const synced: string[] = [];
    const name = (fd: number) => (fs.fstatSync(fd).isDirectory() ? 'dir' : 'wal');
    const { fsyncSync, fsync } = fs;
    fs.fsyncSync = (fd) => {
      synced.push(name(fd));
      fsyncSync(fd);
    };
    fs.fsync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      synced.push(name(fd));
      fsync(fd, cb);
    }) as typeof fs.fsync;
    try {
      const now = new WalSync(file);
      now.flushNow();
      now.flushNow();
      assert.deepEqual(synced, ['dir', 'wal', 'wal']);
      synced.length = 0;
      const later = new WalSync(file);
      await later.flush();
      await later.flush();
      assert.deepEqual(synced, ['dir', 'wal', 'wal']);
      await Promise.all([now.close(), later.close()]);
    } finally {
      Object.assign(fs, { fsyncSync, fsync });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close lets the fsyncs under way and queued finish, then refuses new flushes; flushNow refuses to run beside a flush', async () => {
    const { dir, file } = walFixture();
    // Each fsync takes 50 ms: a close that did not wait for the queued one would close its descriptor first.
    const { fsync } = fs;
    fs.fsync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => void setTimeout(() => fsync(fd, cb), 50)) as typeof fs.fsync;
    try {
      const wal = new WalSync(file);
      const running = wal.flush();
      assert.throws(() => wal.flushNow(), /one way per instance/);
      const queued = wal.flush();
      const closed = wal.close();
      await running;
      await queued;
      await closed;
      assert.equal(wal.syncs, 2);
      await assert.rejects(wal.flush(), /closed/);
      assert.throws(() => wal.flushNow(), /closed/);
    } finally {
      fs.fsync = fsync;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
