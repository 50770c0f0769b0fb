import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataUrlProblem, parseDataUrl } from '../../src/media/data-url.js';
import { MediaError } from '../../src/media/errors.js';
import { createMediaLoader } from '../../src/media/fetcher.js';
import { resolveMimeType, sniffMimeType } from '../../src/media/sniff.js';
import { JPEG_BYTES, MP4_BYTES, PNG_BYTES } from '../providers/local-server.js';

const pngUrl = `data:image/png;base64,${PNG_BYTES.toString('base64')}`;
const loader = createMediaLoader({ allowPrivateNetwork: false, maxBytes: { image: 64, video: 1024, audio: 1024 }, timeoutMs: 1000 });

describe('parseDataUrl', () => {
  it('decodes a well-formed base64 data URL (parameters allowed)', () => {
    const r = parseDataUrl(pngUrl);
    assert.equal(r.mimeType, 'image/png');
    assert.deepEqual(r.bytes, PNG_BYTES);
    assert.equal(r.size, PNG_BYTES.length);
    assert.equal(parseDataUrl('data:IMAGE/PNG;name=a.png;base64,AAAA').mimeType, 'image/png');
  });

  it('rejects malformed data URLs with input_invalid', () => {
    const bad = [
      'data:image/png,AAAA', // not base64
      'data:;base64,AAAA', // no mime
      'data:image;base64,AAAA', // no subtype
      'data:image/png;base64,', // empty
      'data:image/png;base64,AAA', // bad length
      'data:image/png;base64,AA AA', // whitespace
      'data:image/png;base64,AA-_', // URL-safe alphabet
      'data:image/png;base64,A===',
      'https://example.com/a.png',
    ];
    for (const v of bad) {
      assert.ok(dataUrlProblem(v), `expected a problem for ${v}`);
      assert.throws(
        () => parseDataUrl(v),
        (e: MediaError) => e instanceof MediaError && e.code === 'input_invalid',
        v,
      );
    }
  });

  it('refuses an oversized payload before decoding it', () => {
    assert.throws(
      () => parseDataUrl(pngUrl, 10),
      (e: MediaError) => e.code === 'input_too_large' && /10 bytes/.test(e.message),
    );
  });
});

describe('loader with data: URLs', () => {
  it('accepts a matching type, sniffs generic ones, refuses mismatches and oversize', async () => {
    assert.equal((await loader(pngUrl, 'image')).mimeType, 'image/png');
    const generic = await loader(`data:application/octet-stream;base64,${JPEG_BYTES.toString('base64')}`, 'image');
    assert.equal(generic.mimeType, 'image/jpeg');
    await assert.rejects(loader('data:text/plain;base64,aGVsbG8=', 'image'), (e: MediaError) => e.code === 'input_type_mismatch');
    await assert.rejects(loader(pngUrl, 'video'), (e: MediaError) => e.code === 'input_type_mismatch');
    await assert.rejects(loader(`data:image/png;base64,${Buffer.alloc(100).toString('base64')}`, 'image'), (e: MediaError) => e.code === 'input_too_large');
  });
});

describe('sniffing', () => {
  it('recognises the formats adapters care about', () => {
    const riff = (form: string) => Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from(form)]);
    assert.equal(sniffMimeType(PNG_BYTES), 'image/png');
    assert.equal(sniffMimeType(JPEG_BYTES), 'image/jpeg');
    assert.equal(sniffMimeType(Buffer.from('GIF89a......')), 'image/gif');
    assert.equal(sniffMimeType(riff('WEBP')), 'image/webp');
    assert.equal(sniffMimeType(riff('WAVE')), 'audio/wav');
    assert.equal(sniffMimeType(MP4_BYTES), 'video/mp4');
    assert.equal(sniffMimeType(Buffer.from('ID3\x04\x00')), 'audio/mpeg');
    assert.equal(sniffMimeType(Buffer.from([0xff, 0xfb, 0x90, 0x64])), 'audio/mpeg');
    assert.equal(sniffMimeType(Buffer.from('<html>')), undefined);
  });
  it('a declared image type whose bytes are a video is a mismatch', () => {
    assert.ok('problem' in resolveMimeType('image/png', MP4_BYTES, 'image'));
    assert.deepEqual(resolveMimeType('application/octet-stream', MP4_BYTES, 'video'), { mimeType: 'video/mp4' });
    assert.ok('problem' in resolveMimeType(undefined, Buffer.from('hello'), 'video'));
  });
});
