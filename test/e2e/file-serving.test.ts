/**
 * Serving stored outputs, against both blob stores (local files and S3 on s3rver): HEAD with the
 * real length, RFC 9110 Range (passed through to S3: a ranged read does not fetch the whole
 * object), signed links redacted in logs, and an S3 outage: downloads answer 503 with Retry-After,
 * finishing retries until the store returns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';

const CLIP = { model: 'veo3.1-fast', prompt: 'file serving', duration: 4 };

for (const variant of ['local', 's3'] as const) {
  describe(`file serving (${variant} blob store)`, { timeout: 180_000 }, () => {
    let gw: TestGateway;
    let s3: TestS3 | null = null;
    let done: Record<string, any>;
    let size = 0;
    before(async () => {
      if (variant === 's3') s3 = await startTestS3();
      gw = await startTestGateway(s3 ? { VIDGATE_BLOB_URL: s3.blobUrl('outputs') } : {});
      const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: CLIP })).json()) as { id: string };
      done = await waitForTask(gw, created.id);
      assert.equal(done.status, 'completed', JSON.stringify(done));
    });
    after(async () => {
      await gw.close();
      await s3?.close();
    });

    it('stores, probes and serves the whole video; HEAD tells its real length without a body', async () => {
      assert.ok(done.video.width > 0 && done.video.duration > 3, JSON.stringify(done.video));
      const whole = await fetch(done.video_url);
      assert.equal(whole.status, 200);
      const bytes = Buffer.from(await whole.arrayBuffer());
      size = bytes.length;
      assert.ok(size > 1000);
      assert.equal(Number(whole.headers.get('content-length')), size);
      assert.equal(bytes.subarray(4, 8).toString(), 'ftyp');

      const head = await fetch(done.video_url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(Number(head.headers.get('content-length')), size, 'HEAD carries the real Content-Length');
      assert.equal(head.headers.get('accept-ranges'), 'bytes');
      assert.equal((await head.arrayBuffer()).byteLength, 0);
    });

    it('follows RFC 9110 Range: one range 206, several or an unknown unit or a stale If-Range the whole file, past the end 416', async () => {
      const bytes = Buffer.from(await (await fetch(done.video_url)).arrayBuffer());
      const etag = (await fetch(done.video_url, { method: 'HEAD' })).headers.get('etag')!;
      const sentBefore = s3?.bytesSent() ?? 0;
      const part = await fetch(done.video_url, { headers: { range: 'bytes=10-109' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 10-109/${bytes.length}`);
      assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 110)));
      if (s3) {
        // The range went to S3: it sent the 100 bytes and headers (two small answers), not the file.
        const sent = s3.bytesSent() - sentBefore;
        assert.ok(sent < 5_000 && sent < bytes.length / 4, `S3 sent ${sent} bytes for a 100-byte range of a ${bytes.length}-byte file`);
      }
      const suffix = await fetch(done.video_url, { headers: { range: 'bytes=-16' } });
      assert.equal(suffix.status, 206);
      assert.ok(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(bytes.length - 16)));

      for (const [headers, why] of [
        [{ range: 'bytes=0-1,5-6' }, 'several ranges'],
        [{ range: 'items=0-5' }, 'an unknown unit'],
        [{ range: 'bytes=9-2' }, 'an invalid range'],
        [{ range: 'bytes=0-99', 'if-range': '"stale"' }, 'an If-Range that does not match'],
        [{ range: 'bytes=0-99', 'if-range': 'Tue, 01 Dec 2026 08:00:00 GMT' }, 'an If-Range date'],
      ] as const) {
        const res = await fetch(done.video_url, { headers });
        assert.equal(res.status, 200, why);
        assert.equal(res.headers.get('content-range'), null, why);
        assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes), why);
      }
      const matching = await fetch(done.video_url, { headers: { range: 'bytes=0-99', 'if-range': etag } });
      assert.equal(matching.status, 206);
      await matching.arrayBuffer();

      const past = await fetch(done.video_url, { headers: { range: `bytes=${bytes.length}-` } });
      assert.equal(past.status, 416);
      assert.equal(past.headers.get('content-range'), `bytes */${bytes.length}`);
      assert.deepEqual(validateAgainst('ApiError', await past.json()), []);
    });

    it('revalidates: a strong ETag; If-None-Match with it (or *, or its weak form) is a 304 without a body, before any Range', async () => {
      const doors = [
        ['signed link', (headers: Record<string, string> = {}, method = 'GET') => fetch(done.video_url, { method, headers })],
        ['OpenAI content', (headers: Record<string, string> = {}, method = 'GET') => gw.api(`/v1/videos/${done.id}/content`, { method, headers })],
        ['OpenAI thumbnail', (headers: Record<string, string> = {}, method = 'GET') => gw.api(`/v1/videos/${done.id}/content?variant=thumbnail`, { method, headers })],
      ] as const;
      for (const [door, get] of doors) {
        const first = await get();
        assert.equal(first.status, 200, door);
        const whole = Buffer.from(await first.arrayBuffer());
        const etag = first.headers.get('etag') ?? '';
        assert.match(etag, /^"[!#-~]+"$/, `${door}: a strong tag`);
        assert.equal((await get()).headers.get('etag'), etag, `${door}: the same tag on every read`);
        for (const [inm, why] of [
          [etag, 'the current tag'],
          ['*', '*'],
          [`"other", W/${etag}`, 'its weak form in a list'],
        ] as const) {
          for (const extra of [{}, { range: 'bytes=0-99' }] as Record<string, string>[]) {
            const res = await get({ 'if-none-match': inm, ...extra });
            assert.equal(res.status, 304, `${door}, ${why}, ${JSON.stringify(extra)}`);
            assert.equal(res.headers.get('etag'), etag, `${door}: a 304 names the tag`);
            assert.equal(res.headers.get('content-range'), null, door);
            assert.equal((await res.arrayBuffer()).byteLength, 0, `${door}: no body`);
          }
        }
        const stale = await get({ 'if-none-match': '"stale"' });
        assert.equal(stale.status, 200, door);
        assert.ok(Buffer.from(await stale.arrayBuffer()).equals(whole), door);
      }
      const [, link] = doors[0];
      const etag = (await link({}, 'HEAD')).headers.get('etag')!;
      const head = await link({ 'if-none-match': etag }, 'HEAD');
      assert.equal(head.status, 304, 'HEAD revalidates too');
      // If-Range compares strongly (RFC 9110 §13.1.5): a weak tag never matches, so the whole file.
      const weak = await link({ range: 'bytes=0-99', 'if-range': `W/${etag}` });
      assert.equal(weak.status, 200);
      await weak.arrayBuffer();
    });

    it('no cache serves a deleted video: every door says private, no-cache, and after DELETE a revalidation is refused, not a 304', async () => {
      const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { ...CLIP, prompt: 'deleted later' } })).json()) as { id: string };
      const task = await waitForTask(gw, created.id);
      assert.equal(task.status, 'completed', JSON.stringify(task));
      const doors = [
        ['signed link', (headers: Record<string, string> = {}) => fetch(task.video_url, { headers })],
        ['OpenAI content', (headers: Record<string, string> = {}) => gw.api(`/v1/videos/${task.id}/content`, { headers })],
        ['OpenAI thumbnail', (headers: Record<string, string> = {}) => gw.api(`/v1/videos/${task.id}/content?variant=thumbnail`, { headers })],
      ] as const;
      const etags: string[] = [];
      for (const [door, get] of doors) {
        for (const headers of [{}, { range: 'bytes=0-99' }] as Record<string, string>[]) {
          const res = await get(headers);
          assert.ok(res.status === 200 || res.status === 206, `${door}: ${res.status}`);
          // A browser may keep the bytes but must ask before each use (max-age=3600 let it play a deleted video for an hour).
          assert.equal(res.headers.get('cache-control'), 'private, no-cache', door);
          await res.arrayBuffer();
          if (!('range' in headers)) etags.push(res.headers.get('etag')!);
        }
        const range = await get({ range: 'bytes=0-99' });
        if (door !== 'OpenAI thumbnail') assert.equal(range.status, 206, `${door}: Range still works`);
        await range.arrayBuffer();
        const revalidated = await get({ 'if-none-match': etags.at(-1)! });
        assert.equal(revalidated.status, 304, `${door}: revalidates while the file exists`);
        assert.equal(revalidated.headers.get('cache-control'), 'private, no-cache', `${door}: the 304 keeps the rule`);
      }
      const deleted = await gw.api(`/v1/videos/${task.id}`, { method: 'DELETE' });
      assert.equal(deleted.status, 200, await deleted.text());
      for (const [i, [door, get]] of doors.entries()) {
        const res = await get({ 'if-none-match': etags[i] });
        assert.ok(res.status === 404 || res.status === 410, `${door} after DELETE: ${res.status}, not a 304 that would let the cached copy play`);
        await res.arrayBuffer();
      }
    });

    it('never logs a signed link’s signature or a key sent in a query string', async () => {
      const signature = new URL(done.video_url).searchParams.get('signature')!;
      const leaked = `sk-${'9'.repeat(48)}`;
      await (await fetch(`${gw.url}/v1/models?api_key=${leaked}&view=compact`)).arrayBuffer();
      await (await fetch(`${gw.url}/v1/models?token=${leaked.slice(3)}`)).arrayBuffer();
      const logs = gw.logs.join('');
      assert.ok(logs.includes('/v1/files/'), 'file requests are logged');
      assert.ok(logs.includes('view=compact'), 'harmless parameters are kept');
      assert.ok(!logs.includes(signature), 'the signature is redacted');
      assert.ok(!logs.includes(leaked) && !logs.includes(leaked.slice(3)), 'the key is redacted');
      assert.ok(logs.includes('signature=[redacted]'));
    });

    if (variant === 's3') {
      it('while S3 is down: downloads answer 503 service_unavailable with Retry-After, finishing retries, and both recover', async () => {
        await s3!.down();
        try {
          const res = await fetch(done.video_url);
          assert.equal(res.status, 503);
          assert.ok(Number(res.headers.get('retry-after')) >= 1);
          const body = (await res.json()) as any;
          assert.deepEqual(validateAgainst('ApiError', body), []);
          assert.equal(body.error.code, 'service_unavailable');
          assert.equal((await fetch(done.video_url, { method: 'HEAD' })).status, 503);

          const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { ...CLIP, prompt: 'stored after the outage' } })).json()) as { id: string };
          const deadline = Date.now() + 60_000;
          while (!gw.logs.some((l) => l.includes(created.id) && l.includes('storing the output failed; will retry'))) {
            assert.ok(Date.now() < deadline, 'the finisher tried to store the output');
            await new Promise((r) => setTimeout(r, 100));
          }
          const during = (await (await gw.api(`/v1/tasks/${created.id}`)).json()) as any;
          assert.equal(during.status, 'processing', 'not failed while the store is down');
          await s3!.up();
          const later = await waitForTask(gw, created.id, { timeoutMs: 90_000 });
          assert.equal(later.status, 'completed', JSON.stringify(later));
          assert.equal((await fetch(later.video_url)).status, 200);
        } finally {
          await s3!.up().catch(() => {});
        }
        assert.equal((await fetch(done.video_url)).status, 200);
      });
    }
  });
}
