/**
 * The local blob store and uploads a crash interrupted: a writer process killed mid-put leaves a
 * real `.part` file; a store on the same folder (another node, or the restarted one) keeps it while
 * a live writer could still own it and removes it once it is older than that — at start (check) and
 * from a later put — without touching blobs or uploads in flight.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalBlobStore } from '../../src/blobs/local.js';
import { age, crashMidWrite, ENDLESS_SOURCE, ours } from '../helpers/killed-writer.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-blob-parts-'));

/** A node process putting an endless stream into `root`, SIGKILLed once its `.part` file has bytes: what a crash mid-upload leaves. */
const crashMidUpload = (root: string) =>
  crashMidWrite(
    `
    import { Readable } from 'node:stream';
    import { LocalBlobStore } from ${ours('src/blobs/local.ts')};
    await new LocalBlobStore(${JSON.stringify(root)}).put('videos/ldtask_crashed.mp4', ${ENDLESS_SOURCE});
  `,
    path.join(root, '.parts'),
  );

describe('local blob store: uploads a crash interrupted', () => {
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('a start keeps a young leftover (a live writer may own it) and removes it once it is older than that', async () => {
    const root = path.join(work, 'start');
    const leftover = await crashMidUpload(root);
    const store = new LocalBlobStore(root);
    await store.put('videos/ldtask_kept.mp4', Readable.from([Buffer.from('a stored video')]));
    await store.check();
    assert.ok(fs.existsSync(leftover), 'a .part written to a minute ago may belong to a live writer on another node');
    age(leftover, 61 * 60_000);
    await new LocalBlobStore(root).check();
    assert.equal(fs.existsSync(leftover), false, 'the abandoned upload is removed at start');
    assert.deepEqual(fs.readdirSync(path.join(root, '.parts')), []);
    assert.deepEqual(fs.readdirSync(path.join(root, 'videos')), ['ldtask_kept.mp4'], 'stored blobs are not touched; the crashed key never appeared');
    assert.equal(fs.readFileSync(path.join(root, 'videos', 'ldtask_kept.mp4'), 'utf8'), 'a stored video');
  });

  it('a long-running store sweeps from a put, at most once per abandonment age, and spares uploads in flight', async () => {
    const root = path.join(work, 'running');
    const abandonedAfterMs = 1000;
    const leftover = await crashMidUpload(root);
    const store = new LocalBlobStore(root, { abandonedAfterMs });
    await store.check();
    assert.ok(fs.existsSync(leftover), 'young at start: kept');
    // Time passes: the leftover is now old, but the store swept a moment ago.
    age(leftover, 2 * abandonedAfterMs);
    await store.put('videos/ldtask_1.mp4', Readable.from([Buffer.from('one')]));
    assert.ok(fs.existsSync(leftover), 'swept at most once per abandonment age: not on every put');
    await sleep(abandonedAfterMs + 200);
    // Another node's upload in flight: written to just now.
    const live = path.join(root, '.parts', 'another-node.part');
    fs.writeFileSync(live, 'in flight');
    await store.put('videos/ldtask_2.mp4', Readable.from([Buffer.from('two')]));
    assert.equal(fs.existsSync(leftover), false, 'the abandoned upload is removed by a later put');
    assert.ok(fs.existsSync(live), 'an upload still being written is left alone');
    assert.deepEqual(fs.readdirSync(path.join(root, 'videos')).sort(), ['ldtask_1.mp4', 'ldtask_2.mp4']);
  });

  it('keys cannot reach into the uploads folder', async () => {
    const store = new LocalBlobStore(path.join(work, 'keys'));
    await assert.rejects(store.put('.parts/x.part', Readable.from([Buffer.from('x')])), /uploads folder/);
  });
});
