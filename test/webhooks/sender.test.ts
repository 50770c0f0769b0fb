import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { blockedAddressReason, type GuardPolicy } from '../../src/media/url-guard.js';
import { postWebhook, type SendOptions } from '../../src/webhooks/sender.js';

interface Seen {
  method: string;
  url: string;
  host: string;
  body: string;
}

/** A loopback receiver whose answer each test chooses. */
async function receiver(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', body });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    seen,
    port,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// Models "127.0.0.1 is a public address" so a loopback receiver can stand in for the internet,
// while every other private/loopback address (127.0.0.2, 10/8, 169.254/16…) stays blocked.
const policy: GuardPolicy = { allowPrivateNetwork: false, allowHttp: true, isBlocked: (ip) => (ip === '127.0.0.1' ? null : blockedAddressReason(ip)) };
const opts: SendOptions = { policy, timeoutMs: 2_000, maxResponseBytes: 1024 };
const body = '{"id":"x"}';

describe('webhook sender (SSRF guard, caps)', () => {
  let ok: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    ok = await receiver((_req, res) => res.writeHead(204).end());
  });
  after(async () => ok.close());

  it('posts the body with the given headers and reports a 2xx as delivered', async () => {
    const r = await postWebhook(`http://127.0.0.1:${ok.port}/hook?t=1`, body, { 'webhook-id': 'msg_1' }, opts);
    assert.deepEqual([r.ok, r.status, r.error], [true, 204, null]);
    const last = ok.seen.at(-1)!;
    assert.deepEqual([last.method, last.url, last.body], ['POST', '/hook?t=1', body]);
  });

  it('refuses plain http unless private networks are allowed', async () => {
    const before = ok.seen.length;
    const r = await postWebhook(`http://127.0.0.1:${ok.port}/hook`, body, {}, { ...opts, policy: { allowPrivateNetwork: false } });
    assert.equal(r.ok, false);
    assert.match(r.error!, /plain http is not allowed/);
    assert.equal(ok.seen.length, before);
  });

  for (const target of ['http://127.0.0.2/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/hook', 'http://10.1.2.3/hook', 'http://localhost/hook']) {
    it(`refuses ${target} before connecting`, async () => {
      const r = await postWebhook(target, body, {}, opts);
      assert.equal(r.ok, false);
      assert.equal(r.status, null);
      assert.match(r.error!, /^refused: /);
    });
  }

  it('refuses a name when any of its addresses is private (checked after DNS resolution)', async () => {
    const lookupAll = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '192.168.1.10', family: 4 },
    ];
    const before = ok.seen.length;
    const r = await postWebhook(`http://hooks.example.test:${ok.port}/hook`, body, {}, { ...opts, lookupAll });
    assert.match(r.error!, /192\.168\.1\.10.*private/);
    assert.equal(ok.seen.length, before);
  });

  it('connects to the address that was checked, with the name as Host (no second DNS lookup to rebind)', async () => {
    let lookups = 0;
    const lookupAll = async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    // hooks.example.test does not exist in real DNS: reaching the receiver proves the pinned address was used.
    const r = await postWebhook(`http://hooks.example.test:${ok.port}/pinned`, body, {}, { ...opts, lookupAll });
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(lookups, 1);
    assert.equal(ok.seen.at(-1)!.host, `hooks.example.test:${ok.port}`);
  });

  it('does not follow redirects', async () => {
    const target = await receiver((_req, res) => res.writeHead(200).end());
    const redirecting = await receiver((_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${target.port}/elsewhere` }).end());
    try {
      const r = await postWebhook(`http://127.0.0.1:${redirecting.port}/hook`, body, {}, opts);
      assert.equal(r.ok, false);
      assert.equal(r.status, 307);
      assert.match(r.error!, /redirects are not followed/);
      assert.equal(target.seen.length, 0);
    } finally {
      await Promise.all([target.close(), redirecting.close()]);
    }
  });

  it('gives up on a receiver that never answers, within the timeout', async () => {
    const silent = await receiver(() => undefined);
    try {
      const started = Date.now();
      const r = await postWebhook(`http://127.0.0.1:${silent.port}/hook`, body, {}, { ...opts, timeoutMs: 300 });
      assert.equal(r.ok, false);
      assert.match(r.error!, /timed out after 300 ms/);
      assert.ok(Date.now() - started < 2_000);
    } finally {
      await silent.close();
    }
  });

  it('stops reading an endless response body at the size cap and keeps the status', async () => {
    const timers: NodeJS.Timeout[] = [];
    const endless = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      timers.push(setInterval(() => res.write(Buffer.alloc(4096, 97)), 1));
      res.on('close', () => timers.forEach(clearInterval));
    });
    try {
      const r = await postWebhook(`http://127.0.0.1:${endless.port}/hook`, body, {}, { ...opts, timeoutMs: 5_000 });
      assert.deepEqual([r.ok, r.status], [true, 200]);
      assert.ok(r.durationMs < 4_000, `took ${r.durationMs} ms`);
    } finally {
      timers.forEach(clearInterval);
      await endless.close();
    }
  });

  it('reports a non-2xx answer as a failure with its status', async () => {
    const failing = await receiver((_req, res) => res.writeHead(503).end('busy'));
    try {
      const r = await postWebhook(`http://127.0.0.1:${failing.port}/hook`, body, {}, opts);
      assert.deepEqual([r.ok, r.status, r.error], [false, 503, 'HTTP 503']);
    } finally {
      await failing.close();
    }
  });
});
