import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerRange } from '../../src/http/range.js';
import { UrlSigner } from '../../src/http/signed-urls.js';

describe('signed file URLs', () => {
  const signer = new UrlSigner('secret', 'http://gw.test', 3600);
  it('verifies its own signature and refuses tampering, another path or expiry', () => {
    const url = new URL(signer.sign('/v1/files/a/video.mp4', 1000));
    const exp = url.searchParams.get('expires');
    const sig = url.searchParams.get('signature');
    assert.equal(signer.check('/v1/files/a/video.mp4', exp, sig, 1000), null);
    assert.equal(signer.check('/v1/files/b/video.mp4', exp, sig, 1000), 'invalid signature');
    assert.equal(signer.check('/v1/files/a/video.mp4', String(Number(exp) + 60), sig, 1000), 'invalid signature');
    assert.equal(signer.check('/v1/files/a/video.mp4', exp, sig, Number(exp) + 1), 'expired');
    assert.equal(new UrlSigner('other', 'http://gw.test', 3600).check('/v1/files/a/video.mp4', exp, sig, 1000), 'invalid signature');
    assert.equal(signer.check('/v1/files/a/video.mp4', undefined, sig, 1000), 'missing or malformed signature');
  });
});

describe('HTTP Range (RFC 9110)', () => {
  const etag = '"t-100"';
  const get = (range?: string, ifRange?: string) => answerRange({ method: 'GET', range, ifRange }, 100, etag);
  it('serves one byte range in the forms players send', () => {
    assert.deepEqual(get(), { kind: 'full' });
    assert.deepEqual(get('bytes=0-9'), { kind: 'partial', start: 0, end: 9 });
    assert.deepEqual(get('bytes=90-'), { kind: 'partial', start: 90, end: 99 });
    assert.deepEqual(get('bytes=-10'), { kind: 'partial', start: 90, end: 99 });
    assert.deepEqual(get('bytes=-1000'), { kind: 'partial', start: 0, end: 99 });
    assert.deepEqual(get('bytes=50-1000'), { kind: 'partial', start: 50, end: 99 });
    assert.deepEqual(get('BYTES = 1-2'), { kind: 'partial', start: 1, end: 2 }, 'the unit is case-insensitive');
  });
  it('answers 416 only for a range wholly past the end', () => {
    assert.deepEqual(get('bytes=100-'), { kind: 'unsatisfiable' });
    assert.deepEqual(get('bytes=-0'), { kind: 'unsatisfiable' });
    assert.deepEqual(answerRange({ method: 'GET', range: 'bytes=0-' }, 0, etag), { kind: 'unsatisfiable' });
  });
  it('ignores what it must or may (whole file, 200): unknown units, invalid sets, several ranges, a stale If-Range, HEAD', () => {
    for (const r of ['items=0-1', 'bytes=5-2', 'bytes=-', 'bytes=a-b', 'bytes=0-1,5-6', 'bytes=0-0, -1', 'bytes']) assert.deepEqual(get(r), { kind: 'full' }, r);
    assert.deepEqual(get('bytes=0-9', '"t-99"'), { kind: 'full' });
    assert.deepEqual(get('bytes=0-9', 'W/"t-100"'), { kind: 'full' }, 'a weak validator never matches');
    assert.deepEqual(get('bytes=0-9', 'Tue, 01 Dec 2026 08:00:00 GMT'), { kind: 'full' });
    assert.deepEqual(get('bytes=0-9', etag), { kind: 'partial', start: 0, end: 9 });
    assert.deepEqual(answerRange({ method: 'HEAD', range: 'bytes=0-9' }, 100, etag), { kind: 'full' });
  });
});
