/** One suite for every BlobStore: the local filesystem and S3 (s3rver, a real S3-compatible server). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { BlobUnavailableError, openBlobStore, parseBlobUrl, type BlobStore } from '../../src/blobs/index.js';
import { withLocalCopy } from '../../src/blobs/probe.js';
import { probeVideo } from '../../src/media/probe.js';
import { renderVideo } from '../../src/sandbox/render.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';

const bytes = (n: number) => randomBytes(n);
const read = async (store: BlobStore, key: string, range?: { start: number; end: number }) => {
  const body = await store.open(key, range);
  return body ? buffer(body) : null;
};

function blobSuite(name: string, setup: () => Promise<{ store: BlobStore; tmp: string; teardown: () => Promise<void> }>) {
  describe(`blob store: ${name}`, () => {
    let store: BlobStore;
    let tmp: string;
    let teardown: () => Promise<void>;
    before(async () => {
      ({ store, tmp, teardown } = await setup());
      await store.check();
    });
    after(async () => teardown());

    it('puts a stream and reads it back whole, by range, and reports its size', async () => {
      const data = bytes(100_000);
      assert.deepEqual(await store.put('videos/a.mp4', Readable.from([data.subarray(0, 60_000), data.subarray(60_000)])), { size: 100_000 });
      assert.deepEqual(await store.stat('videos/a.mp4'), { size: 100_000 });
      assert.ok((await read(store, 'videos/a.mp4'))!.equals(data));
      assert.ok((await read(store, 'videos/a.mp4', { start: 10, end: 109 }))!.equals(data.subarray(10, 110)));
      assert.ok((await read(store, 'videos/a.mp4', { start: 99_990, end: 99_999 }))!.equals(data.subarray(99_990)));
    });

    it('streams a large blob in (multipart on S3: 8 MiB parts) without changing a byte', async () => {
      const parts = Array.from({ length: 5 }, () => bytes(4 * 1024 * 1024 + 7));
      const info = await store.put('videos/big.mp4', Readable.from(parts));
      const total = parts.reduce((s, p) => s + p.length, 0);
      assert.equal(info.size, total);
      assert.ok((await read(store, 'videos/big.mp4'))!.equals(Buffer.concat(parts)));
    });

    it('answers null for a missing blob, deletes idempotently, and replaces on a second put', async () => {
      assert.equal(await store.stat('videos/none.mp4'), null);
      assert.equal(await store.open('videos/none.mp4'), null);
      await store.put('videos/twice.mp4', Readable.from([Buffer.from('first')]));
      await store.put('videos/twice.mp4', Readable.from([Buffer.from('second!')]));
      assert.equal((await read(store, 'videos/twice.mp4'))!.toString(), 'second!');
      await store.delete('videos/twice.mp4');
      await store.delete('videos/twice.mp4');
      assert.equal(await store.stat('videos/twice.mp4'), null);
    });

    it('a failed upload leaves no blob behind', async () => {
      const failing = new Readable({
        read() {
          this.push(bytes(1000));
          this.destroy(new Error('upstream broke'));
        },
      });
      await assert.rejects(store.put('videos/broken.mp4', failing));
      assert.equal(await store.stat('videos/broken.mp4'), null);
    });

    it('probes a stored video through a streamed local copy (what the finisher does), then removes the copy', async () => {
      fs.mkdirSync(tmp, { recursive: true });
      const rendered = path.join(path.dirname(tmp), 'rendered.mp4');
      await renderVideo({ outPath: rendered, durationSeconds: 1, width: 64, height: 48, audio: false });
      await store.put('videos/probe.mp4', fs.createReadStream(rendered));
      const meta = await withLocalCopy(store, 'videos/probe.mp4', tmp, probeVideo);
      assert.deepEqual([meta.width, meta.height], [64, 48]);
      assert.ok(meta.durationSeconds > 0.5);
      assert.deepEqual(fs.readdirSync(tmp), []);
    });
  });
}

blobSuite('local files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-blobs-'));
  const store = openBlobStore(parseBlobUrl(`file://${dir}/blobs`));
  return { store, tmp: path.join(dir, 'tmp'), teardown: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

let s3: TestS3;
blobSuite('S3 (s3rver)', async () => {
  s3 = await startTestS3();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-blobs-'));
  const store = openBlobStore(parseBlobUrl(s3.blobUrl('outputs')));
  return {
    store,
    tmp: path.join(dir, 'tmp'),
    teardown: async () => {
      await s3.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('S3 outages', () => {
  it('an unreachable store is a BlobUnavailableError (never a missing blob), and works again when it returns', async () => {
    const s = await startTestS3('outage-bucket');
    try {
      const store = openBlobStore(parseBlobUrl(s.blobUrl()));
      await store.put('x.mp4', Readable.from([Buffer.from('hello')]));
      await s.down();
      for (const op of [() => store.stat('x.mp4'), () => store.open('x.mp4'), () => store.check(), () => store.put('y.mp4', Readable.from([Buffer.from('y')]))]) {
        await assert.rejects(op(), BlobUnavailableError);
      }
      await s.up();
      assert.deepEqual(await store.stat('x.mp4'), { size: 5 });
      const missingBucket = openBlobStore(parseBlobUrl(s.blobUrl().replace('outage-bucket', 'no-such-bucket')));
      await assert.rejects(missingBucket.check(), /NoSuchBucket|NotFound/);
    } finally {
      await s.close();
    }
  });
});
