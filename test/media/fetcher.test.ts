/** The guarded fetcher against real loopback servers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MediaError } from '../../src/media/errors.js';
import { createMediaLoader, fetchGuarded } from '../../src/media/fetcher.js';
import { JPEG_BYTES, MP4_BYTES, PNG_BYTES, startServer, type LocalServer } from '../providers/local-server.js';

let server: LocalServer;
const hosts: string[] = [];

before(async () => {
  server = await startServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    const url = new URL(req.url!, 'http://x');
    switch (url.pathname) {
      case '/a.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG_BYTES.length) });
        return res.end(PNG_BYTES);
      case '/generic.jpg':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(JPEG_BYTES);
      case '/clip':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(MP4_BYTES);
      case '/page':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>not an image</html>');
      case '/lying.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(MP4_BYTES);
      case '/big-declared':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
        return res.end(Buffer.alloc(100000));
      case '/big-chunked': {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(PNG_BYTES);
        const timer = setInterval(() => res.write(Buffer.alloc(4096)), 5);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/slow':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(PNG_BYTES.subarray(0, 4)); // then stall
        return;
      case '/missing':
        res.writeHead(404);
        return res.end();
      case '/loop':
        res.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` });
        return res.end();
      case '/to-png':
        res.writeHead(301, { location: '/a.png' });
        return res.end();
      case '/to-private':
        res.writeHead(302, { location: `http://127.0.0.2:${server.port}/a.png` });
        return res.end();
      case '/to-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return res.end();
    }
    res.writeHead(500);
    res.end();
  });
});
after(() => server.close());

const caps = { image: 1024, video: 4096, audio: 1024 };
const open = createMediaLoader({ allowPrivateNetwork: true, maxBytes: caps, timeoutMs: 1000 });
const guarded = createMediaLoader({ allowPrivateNetwork: false, maxBytes: caps, timeoutMs: 1000 });
const code = (c: string) => (e: unknown) => e instanceof MediaError && e.code === c;

describe('media loader, private network refused (production default)', () => {
  it('refuses loopback, private, metadata, IPv6 loopback, mapped IPv4 and plain http before connecting', async () => {
    const before = hosts.length;
    const refused = [
      `https://127.0.0.1:${server.port}/a.png`,
      `http://127.0.0.1:${server.port}/a.png`,
      `https://localhost:${server.port}/a.png`,
      'https://10.0.0.1/a.png',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/a.png',
      'https://[::ffff:127.0.0.1]/a.png',
      'http://example.com/a.png',
    ];
    for (const u of refused) await assert.rejects(guarded(u, 'image'), code('input_not_allowed'), u);
    assert.equal(hosts.length, before, 'no request may reach the server');
  });

  it('refuses a name that resolves to loopback (DNS check), and says which address', async () => {
    await assert.rejects(
      fetchGuarded(`https://media.example:${server.port}/a.png`, 'image', {
        allowPrivateNetwork: false,
        maxBytes: 1024,
        timeoutMs: 1000,
        lookupAll: async () => [{ address: '127.0.0.1', family: 4 }],
      }),
      (e: MediaError) => e.code === 'input_not_allowed' && /127\.0\.0\.1/.test(e.message),
    );
  });
});

describe('media loader, e2e over loopback (allowPrivateNetwork)', () => {
  it('fetches an image and follows a redirect', async () => {
    assert.deepEqual(await open(`${server.url}/a.png`, 'image'), { bytes: PNG_BYTES, mimeType: 'image/png' });
    assert.deepEqual(await open(`${server.url}/to-png`, 'image'), { bytes: PNG_BYTES, mimeType: 'image/png' });
  });

  it('sniffs generic content types: JPEG as image, MP4 as video', async () => {
    assert.equal((await open(`${server.url}/generic.jpg`, 'image')).mimeType, 'image/jpeg');
    assert.equal((await open(`${server.url}/clip`, 'video')).mimeType, 'video/mp4');
    await assert.rejects(open(`${server.url}/clip`, 'image'), code('input_type_mismatch'));
  });

  it('refuses a type mismatch (html for an image, video bytes labelled png)', async () => {
    await assert.rejects(open(`${server.url}/page`, 'image'), (e: MediaError) => e.code === 'input_type_mismatch' && /text\/html/.test(e.message));
    await assert.rejects(open(`${server.url}/lying.png`, 'image'), code('input_type_mismatch'));
  });

  it('enforces the size cap from Content-Length and while streaming', async () => {
    await assert.rejects(open(`${server.url}/big-declared`, 'image'), (e: MediaError) => e.code === 'input_too_large' && /1024-byte limit/.test(e.message));
    await assert.rejects(open(`${server.url}/big-chunked`, 'image'), code('input_too_large'));
  });

  it('enforces the total time cap, HTTP errors and the redirect limit', async () => {
    const quick = createMediaLoader({ allowPrivateNetwork: true, maxBytes: caps, timeoutMs: 200 });
    const t0 = Date.now();
    const slow = await quick(`${server.url}/slow`, 'image').catch((e: unknown) => e as MediaError);
    assert.ok(Date.now() - t0 < 1500);
    const missing = await open(`${server.url}/missing`, 'image').catch((e: unknown) => e as MediaError);
    // A closed port: nothing listens there once the probe server is gone.
    const closed = await startServer(() => undefined);
    await closed.close();
    const refused = await open(`${closed.url}/a.png`, 'image').catch((e: unknown) => e as MediaError);
    // A timeout, an error status and a refused connection read the same: no port state, no status line.
    for (const e of [slow, missing, refused]) {
      assert.ok(e instanceof MediaError && e.code === 'input_fetch_failed', String(e));
      assert.ok(!/HTTP \d|\b404\b|ECONN|refused|timed out/i.test(e.message), e.message);
    }
    assert.equal((slow as MediaError).message.replace('/slow', ''), (missing as MediaError).message.replace('/missing', ''));
    await assert.rejects(open(`${server.url}/loop`, 'image'), (e: MediaError) => e.code === 'input_fetch_failed' && /more than 5/.test(e.message));
  });

  it('never echoes URL credentials or query secrets in messages', async () => {
    const err = await open(`http://user:hunter2@127.0.0.1:${server.port}/missing?token=abc`, 'image').catch((e: unknown) => e as MediaError);
    assert.ok(err instanceof MediaError);
    assert.ok(!/hunter2|user:|abc/.test(err.message), err.message);
  });
});

describe('redirect re-check, e2e', () => {
  // The policy treats 127.0.0.1 as allowed (our test server) and 127.0.0.2 as private.
  const policy = {
    allowPrivateNetwork: false,
    allowHttp: true,
    isBlocked: (ip: string) => (ip === '127.0.0.1' ? null : ip.startsWith('127.') || ip.startsWith('169.254.') ? 'private (test policy)' : null),
    maxBytes: 1024,
    timeoutMs: 1000,
  };

  it('allows the first hop and refuses a redirect to a private or metadata address', async () => {
    assert.equal((await fetchGuarded(`${server.url}/a.png`, 'image', policy)).mimeType, 'image/png');
    await assert.rejects(fetchGuarded(`${server.url}/to-private`, 'image', policy), (e: MediaError) => e.code === 'input_not_allowed' && /127\.0\.0\.2/.test(e.message));
    await assert.rejects(fetchGuarded(`${server.url}/to-metadata`, 'image', policy), code('input_not_allowed'));
  });

  it('connects to the checked address while keeping the hostname as Host (no rebinding window)', async () => {
    let lookups = 0;
    const r = await fetchGuarded(`http://media.example:${server.port}/a.png`, 'image', {
      ...policy,
      lookupAll: async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    assert.equal(r.mimeType, 'image/png');
    assert.equal(lookups, 1, 'one resolution, used for both the check and the connection');
    assert.equal(hosts.at(-1), `media.example:${server.port}`);
  });
});
