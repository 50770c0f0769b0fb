import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataUrlHead, dataUrlProblem, inlineTypeProblem, parseDataUrl, withRegisteredType } from '../../src/media/data-url.js';
import { MediaError } from '../../src/media/errors.js';
import { createMediaLoader } from '../../src/media/fetcher.js';
import { declaredTypeMismatch, registeredMimeType, resolveMimeType, sniffMimeType, type MediaKind } from '../../src/media/sniff.js';
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

  it('reads JPEG under its registered name whatever alias it was declared with (image/jpg, image/pjpeg)', () => {
    const b64 = JPEG_BYTES.toString('base64');
    for (const declared of ['image/jpg', 'IMAGE/JPG', 'image/pjpeg', 'image/jpeg']) {
      const value = `data:${declared};base64,${b64}`;
      assert.equal(parseDataUrl(value).mimeType, 'image/jpeg', declared);
      // The head keeps the type as declared, so a refusal quotes what the caller sent.
      assert.equal(dataUrlHead(value)?.mimeType, declared.toLowerCase(), declared);
      assert.equal(withRegisteredType(value), `data:image/jpeg;base64,${b64}`, declared);
    }
    assert.equal(withRegisteredType('data:image/jpg;name=a.jpg;base64,AAAA'), 'data:image/jpeg;name=a.jpg;base64,AAAA', 'parameters are kept');
    for (const unchanged of [pngUrl, 'data:image/x-unknown;base64,AAAA', 'https://example.com/a.jpg']) {
      assert.equal(withRegisteredType(unchanged), unchanged, unchanged.slice(0, 40));
    }
    assert.deepEqual(['image/jpg', 'image/pjpeg', 'image/png', 'video/mp4'].map(registeredMimeType), ['image/jpeg', 'image/jpeg', 'image/png', 'video/mp4']);
    assert.match(inlineTypeProblem(`data:image/jpg;base64,${PNG_BYTES.toString('base64')}`, 'image') ?? '', /declares 'image\/jpg' but its bytes are image\/png/);
    // A fetched URL served as image/jpg is read the same way.
    assert.deepEqual(resolveMimeType('image/jpg', JPEG_BYTES, 'image'), { mimeType: 'image/jpeg' });
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
  it('refuses bytes that are not the declared format (JPEG declared as PNG), as the create does', async () => {
    await assert.rejects(
      loader(`data:image/png;base64,${JPEG_BYTES.toString('base64')}`, 'image'),
      (e: MediaError) => e.code === 'input_type_mismatch' && /declares 'image\/png' but its bytes are image\/jpeg/.test(e.message),
    );
  });
});

/** The first bytes of each format (enough to sniff). */
const box = (brand: string) => Buffer.concat([Buffer.from('00000018', 'hex'), Buffer.from(`ftyp${brand}0000${brand}`, 'latin1')]);
const riff = (form: string) => Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from(form)]);
const HEADS = {
  png: PNG_BYTES,
  jpeg: JPEG_BYTES,
  gif: Buffer.from('GIF89a......'),
  webp: riff('WEBP'),
  bmp: Buffer.concat([Buffer.from('BM'), Buffer.alloc(12)]),
  tiff: Buffer.from('II*\0\x08\0\0\0', 'latin1'),
  heic: box('heic'),
  heim: box('heim'),
  avif: box('avif'),
  mp4: MP4_BYTES,
  mov: box('qt  '),
  m4a: box('M4A '),
  webm: Buffer.from('1a45dfa3', 'hex'),
  mp3: Buffer.from('ID3\x04\x00'),
  wav: riff('WAVE'),
  aac: Buffer.from([0xff, 0xf1, 0x50, 0x80]),
  ogg: Buffer.from('OggS\0'),
  flac: Buffer.from('fLaC'),
};

describe('declaredTypeMismatch (inline media: bytes against the declared type)', () => {
  it('accepts every format the catalog takes under each of its usual spellings', () => {
    const ok: [string, keyof typeof HEADS, MediaKind][] = [
      ['image/png', 'png', 'image'],
      ['image/jpeg', 'jpeg', 'image'],
      ['image/jpg', 'jpeg', 'image'],
      ['image/gif', 'gif', 'image'],
      ['image/webp', 'webp', 'image'],
      ['image/bmp', 'bmp', 'image'],
      ['image/tiff', 'tiff', 'image'],
      ['image/heic', 'heic', 'image'],
      ['image/heif', 'heim', 'image'],
      ['image/avif', 'avif', 'image'],
      ['video/mp4', 'mp4', 'video'],
      ['video/quicktime', 'mov', 'video'],
      ['video/mp4', 'mov', 'video'],
      ['video/quicktime', 'mp4', 'video'],
      ['video/webm', 'webm', 'video'],
      ['video/x-matroska', 'webm', 'video'],
      ['audio/mpeg', 'mp3', 'audio'],
      ['audio/mp3', 'mp3', 'audio'],
      ['audio/wav', 'wav', 'audio'],
      ['audio/x-wav', 'wav', 'audio'],
      ['audio/mp4', 'm4a', 'audio'],
      ['audio/x-m4a', 'mp4', 'audio'], // an m4a whose brand is isom
      ['audio/aac', 'aac', 'audio'],
      ['audio/ogg', 'ogg', 'audio'],
      ['audio/flac', 'flac', 'audio'],
      ['application/octet-stream', 'png', 'image'],
    ];
    for (const [declared, head, kind] of ok) assert.equal(declaredTypeMismatch(declared, HEADS[head], kind), null, `${declared} with ${head} bytes`);
  });
  it('refuses bytes of another format, bytes of no format, and a declared type of another kind, saying which', () => {
    const refused: [string, Buffer, MediaKind, RegExp][] = [
      ['image/png', JPEG_BYTES, 'image', /declares 'image\/png' but its bytes are image\/jpeg/],
      ['image/jpeg', HEADS.webp, 'image', /declares 'image\/jpeg' but its bytes are image\/webp/],
      ['image/png', MP4_BYTES, 'image', /but its bytes are video\/mp4/],
      ['video/mp4', PNG_BYTES, 'video', /declares 'video\/mp4' but its bytes are image\/png/],
      ['audio/mpeg', HEADS.wav, 'audio', /but its bytes are audio\/wav/],
      ['video/mp4', MP4_BYTES, 'image', /declares 'video\/mp4', which is not an image/],
      ['application/octet-stream', Buffer.from('hello'), 'image', /not a recognised image format/],
      ['application/octet-stream', MP4_BYTES, 'image', /its bytes are video\/mp4, not an image/],
      ['image/x-icon', PNG_BYTES, 'image', /declares 'image\/x-icon' but its bytes are image\/png/],
    ];
    for (const [declared, bytes, kind, message] of refused) assert.match(declaredTypeMismatch(declared, bytes, kind) ?? 'accepted', message, declared);
    // A type this module cannot recognise, with bytes it cannot either, is taken on trust.
    assert.equal(declaredTypeMismatch('image/x-icon', Buffer.from('0000010001', 'hex'), 'image'), null);
  });
  it('takes QuickTime files that open with another box than ftyp, and MP3s with an ID3 tag or junk before the first frame', () => {
    const atom = (size: number, type: string) => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(size);
      b.write(type, 4, 'latin1');
      return b;
    };
    // An old QuickTime movie: wide, then mdat (64-bit size), as QuickTime 7 wrote them.
    const wideFirst = Buffer.concat([atom(8, 'wide'), atom(1, 'mdat'), Buffer.from('0000000000012345', 'hex')]);
    assert.equal(sniffMimeType(wideFirst), 'video/quicktime');
    for (const declared of ['video/quicktime', 'video/mp4']) assert.equal(declaredTypeMismatch(declared, wideFirst, 'video'), null, declared);
    for (const type of ['moov', 'mdat', 'free', 'skip', 'pnot', 'uuid']) assert.equal(declaredTypeMismatch('video/mp4', atom(0x1000, type), 'video'), null, type);
    assert.equal(inlineTypeProblem(`data:video/quicktime;base64,${wideFirst.toString('base64')}`, 'video'), null);
    // Still not an image, nor audio under a generic type.
    assert.match(declaredTypeMismatch('image/png', wideFirst, 'image') ?? 'accepted', /bytes are video\/quicktime/);
    // A fetched M4A led by moov keeps its declared audio type.
    assert.deepEqual(resolveMimeType('audio/mp4', atom(0x1000, 'moov'), 'audio'), { mimeType: 'audio/mp4' });

    const id3First = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x0a', 'latin1'), Buffer.alloc(10), Buffer.from([0xff, 0xfb, 0x90, 0x64])]);
    const junkFirst = Buffer.concat([Buffer.from('\0\0\0junk before the frame sync', 'latin1'), Buffer.from([0xff, 0xfb, 0x90, 0x64])]);
    for (const mp3 of [id3First, junkFirst]) {
      assert.equal(declaredTypeMismatch('audio/mpeg', mp3, 'audio'), null);
      assert.equal(inlineTypeProblem(`data:audio/mpeg;base64,${mp3.toString('base64')}`, 'audio'), null);
    }
  });
  it("leaves bytes of no recognised format to the engine's probe, and refuses bytes of another known format", () => {
    const unknown = Buffer.from('not a format anyone here knows, for ffprobe to judge');
    assert.equal(declaredTypeMismatch('video/mp4', unknown, 'video'), null);
    assert.equal(inlineTypeProblem(`data:video/mp4;base64,${unknown.toString('base64')}`, 'video'), null, 'accepted at create');
    assert.equal(declaredTypeMismatch('image/png', Buffer.from('hello, not an image'), 'image'), null);
    assert.match(inlineTypeProblem(`data:video/mp4;base64,${PNG_BYTES.toString('base64')}`, 'video') ?? 'accepted', /declares 'video\/mp4' but its bytes are image\/png/);
    // A generic type still has to be confirmed by the bytes.
    assert.match(declaredTypeMismatch('application/octet-stream', unknown, 'video') ?? 'accepted', /not a recognised video format/);
  });
  it('inlineTypeProblem sniffs a data: URL from its head only, and leaves other URLs alone', () => {
    const big = `data:image/png;base64,${Buffer.concat([JPEG_BYTES, Buffer.alloc(3 * 100_000)]).toString('base64')}`;
    assert.match(inlineTypeProblem(big, 'image') ?? '', /bytes are image\/jpeg/);
    assert.equal(inlineTypeProblem(pngUrl, 'image'), null);
    assert.equal(inlineTypeProblem('https://example.com/a.png', 'video'), null);
  });
});

describe('sniffing', () => {
  it('recognises the formats adapters care about', () => {
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
