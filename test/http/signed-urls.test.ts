import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from '../../src/http/file-routes.js';
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

describe('HTTP Range parsing', () => {
  it('handles the forms players send', () => {
    assert.equal(parseRange(undefined, 100), null);
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=50-1000', 100), { start: 50, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'invalid');
    assert.equal(parseRange('bytes=5-2', 100), 'invalid');
    assert.equal(parseRange('items=0-1', 100), 'invalid');
    assert.equal(parseRange('bytes=-', 100), 'invalid');
  });
});
