/**
 * Authentication before bodies, per-route body limits and a bound on large bodies read at once.
 * The hostile case of issue 13: 200 unauthenticated 31 MiB uploads must each get a quick 401 with
 * their bodies unread, without growing memory or stalling /healthz. Large-body slots are shared
 * between API keys: one key's slow uploads never stall another key's creates.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { memoryOf, spawnGateway } from '../helpers/gateway-process.js';
import { validateAgainst } from '../helpers/openapi.js';
import { RawClient, type RawResponse } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';

const MiB = 1024 * 1024;
const FILLER = Buffer.alloc(256 * 1024, 0x41);

/** A create body of `size` bytes (answered 400 once read: unknown model, too long a prompt). */
function json(size: number): Buffer {
  const head = '{"model":"no-such-model","prompt":"';
  return Buffer.from(`${head + 'y'.repeat(size - head.length - 2)}"}`);
}

interface Upload {
  status: number;
  ms: number;
  /** Body bytes the client managed to write before the answer. */
  sent: number;
  body: string;
}

/**
 * A POST that announces `length` bytes (or, `chunked`, sends them without a Content-Length) and
 * writes them as fast as the server reads, stopping at the answer. `hold` stops writing after that
 * many bytes until `resume()`.
 */
function upload(url: string, path: string, length: number, headers: Record<string, string>, opts: { hold?: number; prefix?: Buffer; chunked?: boolean } = {}) {
  const u = new URL(url);
  let resume = () => {};
  const answered = new Promise<Upload>((resolve) => {
    const started = performance.now();
    const announced: Record<string, string> = opts.chunked ? {} : { 'content-length': String(length) };
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...announced, ...headers } });
    let sent = 0;
    let done = false;
    const pump = () => {
      while (!done && sent < length) {
        if (opts.hold !== undefined && sent >= opts.hold) {
          resume = () => {
            opts.hold = undefined;
            pump();
          };
          return;
        }
        const max = Math.min(FILLER.length, length - sent, (opts.hold ?? Infinity) - sent);
        const chunk = opts.prefix && sent < opts.prefix.length ? opts.prefix.subarray(sent, sent + max) : FILLER.subarray(0, max);
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (sent >= length) req.end();
    };
    req.on('response', (res) => {
      const ms = performance.now() - started;
      done = true;
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, ms, sent, body });
      });
      res.on('error', () => resolve({ status: res.statusCode ?? 0, ms, sent, body }));
    });
    req.on('error', () => {
      if (!done) resolve({ status: -1, ms: performance.now() - started, sent, body: '' });
    });
    pump();
  });
  return { answered, resume: () => resume() };
}

/** `n` concurrent unauthenticated uploads of `length` bytes each, from a worker thread (plain JS). */
function attackersInWorker(url: string, n: number, length: number): Promise<Upload[]> {
  const code = `
    const http = require('node:http');
    const { workerData, parentPort } = require('node:worker_threads');
    const filler = Buffer.alloc(256 * 1024, 0x41);
    const u = new URL(workerData.url);
    const one = (i) => new Promise((resolve) => {
      const started = performance.now();
      const headers = { 'content-type': 'application/json', 'content-length': String(workerData.length) };
      if (i % 2) headers.authorization = 'Bearer sk-not-a-real-key-at-all-000000';
      const req = http.request({ host: u.hostname, port: u.port, path: '/v1/videos/generations', method: 'POST', agent: false, headers });
      let sent = 0, done = false;
      const pump = () => {
        while (!done && sent < workerData.length) {
          const chunk = filler.subarray(0, Math.min(filler.length, workerData.length - sent));
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (sent >= workerData.length) req.end();
      };
      req.on('response', (res) => {
        const ms = performance.now() - started;
        done = true;
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => { req.destroy(); resolve({ status: res.statusCode, ms, sent, body }); });
        res.on('error', () => resolve({ status: res.statusCode, ms, sent, body }));
      });
      req.on('error', () => { if (!done) resolve({ status: -1, ms: performance.now() - started, sent, body: '' }); });
      pump();
    });
    Promise.all(Array.from({ length: workerData.n }, (_, i) => one(i))).then((r) => parentPort.postMessage(r));
  `;
  const worker = new Worker(code, { eval: true, workerData: { url, n, length } });
  return new Promise((resolve, reject) => {
    worker.once('message', (r: Upload[]) => {
      void worker.terminate();
      resolve(r);
    });
    worker.once('error', reject);
  });
}

/**
 * A raw connection that sends `head` (a request's line and headers). `paused`: reads nothing until
 * resumed. `allowHalfOpen`: goes on sending after the gateway's FIN, as a client still uploading
 * does. `chunked`: its body goes in chunks (keepSending frames them). `answer()` is what it has read.
 */
async function rawUpload(url: string, head: (host: string) => string, o: { paused?: boolean; allowHalfOpen?: boolean; chunked?: boolean } = {}) {
  const u = new URL(url);
  const socket = net.connect({ port: Number(u.port), host: u.hostname, allowHalfOpen: o.allowHalfOpen ?? false });
  await new Promise((r) => socket.once('connect', r));
  const state = { failed: null as Error | null, received: [] as Buffer[] };
  socket.on('error', (err) => (state.failed = err));
  if (o.paused) socket.pause();
  else socket.on('data', (d: Buffer) => state.received.push(d));
  socket.write(head(u.host));
  return { socket, state, chunked: o.chunked ?? false, answer: () => Buffer.concat(state.received).toString() };
}
type RawUpload = Awaited<ReturnType<typeof rawUpload>>;

/** An unauthenticated 31 MiB create (answered 401 before its body is read), as rawUpload. */
const unreadUpload = (url: string, o: { paused?: boolean; allowHalfOpen?: boolean } = {}) =>
  rawUpload(url, (host) => `POST /v1/videos/generations HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${31 * MiB}\r\n\r\n`, o);

/** Sends `bytes` of body (one chunk, if chunked). */
function sendBody(up: RawUpload, bytes: number): void {
  const data = FILLER.subarray(0, bytes);
  up.socket.write(up.chunked ? Buffer.concat([Buffer.from(`${bytes.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data);
}

/** Writes `bytes` every `everyMs` while `go()` holds (and the connection has not failed). */
async function keepSending(up: RawUpload, bytes: number, everyMs: number, go: () => boolean): Promise<void> {
  while (go() && up.state.failed === null && !up.socket.destroyed) {
    sendBody(up, bytes);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A paused client reads what the gateway sent it, to the end: its answer. */
async function readLate(up: RawUpload): Promise<string> {
  up.socket.on('data', (d: Buffer) => up.state.received.push(d));
  // 'close' too: a reset would end the wait rather than hang it.
  const ended = new Promise((r) => {
    up.socket.once('end', r);
    up.socket.once('close', r);
  });
  up.socket.resume();
  await ended;
  up.socket.destroy();
  return up.answer();
}

describe('request bodies', { timeout: 300_000 }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_MAX_LARGE_BODIES: '1' });
  });
  after(async () => gw.close());

  it('200 unauthenticated 31 MiB uploads each get a quick 401 without their bodies being read; memory and /healthz stay fine', async () => {
    // The gateway in its own process (its memory measured alone), the attackers in a worker thread
    // (their writes do not stall this thread's /healthz probe).
    const target = await spawnGateway({ VIDGATE_SANDBOX: '0' });
    try {
      const before = memoryOf(target.proc.pid!);
      let healthWorst = 0;
      let healthChecks = 0;
      let running = true;
      const health = (async () => {
        while (running) {
          const t = performance.now();
          const res = await fetch(`${target.url}/healthz`);
          assert.equal(res.status, 200);
          await res.arrayBuffer();
          healthWorst = Math.max(healthWorst, performance.now() - t);
          healthChecks++;
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const started = performance.now();
      const results = await attackersInWorker(target.url, 200, 31 * MiB);
      const wall = performance.now() - started;
      running = false;
      await health;
      const afterwards = memoryOf(target.proc.pid!);
      const statuses = new Map<number, number>();
      for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const slowest = Math.max(...results.map((r) => r.ms));
      const mostSent = Math.max(...results.map((r) => r.sent));
      const growth = afterwards.peak - before.rss;
      console.log(
        `200 × 31 MiB unauthenticated: ${wall.toFixed(0)} ms in all, slowest 401 after ${slowest.toFixed(0)} ms, at most ${(mostSent / MiB).toFixed(1)} MiB written by one client, gateway RSS ${before.rss.toFixed(0)} → peak ${afterwards.peak.toFixed(0)} MiB, /healthz worst ${healthWorst.toFixed(0)} ms over ${healthChecks} checks`,
      );
      assert.deepEqual([...statuses], [[401, 200]]);
      for (const r of results) assert.deepEqual(validateAgainst('ApiError', JSON.parse(r.body)), []);
      assert.ok(slowest < 5_000, `every 401 within 5 s (slowest ${slowest.toFixed(0)} ms)`);
      assert.ok(mostSent < 16 * MiB, `no client had to send its body before the answer (most: ${(mostSent / MiB).toFixed(1)} MiB)`);
      assert.ok(growth < 150, `gateway RSS grew ${growth.toFixed(0)} MiB at its peak`);
      assert.ok(healthWorst < 1_000, `/healthz answered within 1 s throughout (worst ${healthWorst.toFixed(0)} ms)`);
    } finally {
      await target.dispose();
    }
  });

  it('a client still sending its body after the 401 gets the answer when it reads it seconds later (a lingering close)', async () => {
    // A slow or busy client may not read the answer until well after it was sent, and keeps
    // writing its body meanwhile. Were the connection destroyed while bytes still arrive, its
    // next writes would meet a reset and lose the answer it has not read yet.
    const up = await unreadUpload(gw.url, { paused: true });
    const { state } = up;
    // 3.5 s of 64 KiB every 100 ms, reading nothing: the answer waits in the client's socket.
    const writingUntil = performance.now() + 3_500;
    await keepSending(up, 64 * 1024, 100, () => performance.now() < writingUntil);
    assert.equal(state.failed, null, 'the connection stayed open while the client kept sending');
    const answer = await readLate(up);
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    assert.equal(state.failed, null);
  });

  it('a client that goes quiet after the 401 without closing is let go within seconds', async () => {
    // Half-open allowed: the client does not answer the gateway's FIN with its own.
    const up = await unreadUpload(gw.url, { allowHalfOpen: true });
    const { socket, state } = up;
    const ended = new Promise((r) => socket.once('end', r));
    socket.write(FILLER.subarray(0, 64 * 1024));
    await ended;
    assert.match(up.answer(), /^HTTP\/1\.1 401 /);
    // Quiet for longer than the gateway lingers on a silent client (2 s): it has let go, so
    // bytes sent now meet a reset.
    await new Promise((r) => setTimeout(r, 4_000));
    assert.equal(state.failed, null);
    // The reset is seen by the write after the one that drew it.
    const closed = new Promise((r) => socket.once('close', r));
    await until(
      'a write to a connection the gateway let go fails',
      () => {
        if (state.failed === null) socket.write(FILLER.subarray(0, 1024));
        return state.failed !== null;
      },
      5_000,
      100,
    ).finally(() => socket.destroy());
    await closed;
  });

  it('a client that never stops sending after the 401 is cut off after 30 s', async () => {
    // Half-open allowed: the client reads the answer and the gateway's FIN, and goes on sending.
    const up = await unreadUpload(gw.url, { allowHalfOpen: true });
    const closed = new Promise((r) => up.socket.once('close', r));
    const started = performance.now();
    // 16 KiB every 200 ms (well under 31 MiB in 40 s), never quiet for the 2 s idle limit.
    await keepSending(up, 16 * 1024, 200, () => performance.now() - started < 40_000);
    const cutAfter = performance.now() - started;
    up.socket.destroy();
    await closed;
    assert.match(up.answer(), /^HTTP\/1\.1 401 /);
    assert.notEqual(up.state.failed, null, 'the gateway let the connection go within 40 s');
    assert.ok(cutAfter >= 29_000, `the gateway kept discarding for 30 s, not ${cutAfter.toFixed(0)} ms`);
  });

  it('a lingering client does not hold up shutdown', async () => {
    // A long grace period: a shutdown that waited for the lingering connection would take it.
    const own = await startTestGateway({ VIDGATE_SHUTDOWN_GRACE_MS: '20000' });
    const up = await unreadUpload(own.url, { allowHalfOpen: true });
    let sending = true;
    const sender = keepSending(up, 16 * 1024, 100, () => sending);
    try {
      await until('the 401 arrived', () => up.answer().startsWith('HTTP/1.1 401 '), 10_000);
      const started = performance.now();
      await own.close();
      const took = performance.now() - started;
      assert.ok(took < 5_000, `shutdown took ${took.toFixed(0)} ms with a client still sending after its 401`);
    } finally {
      sending = false;
      await sender;
      up.socket.destroy();
    }
  });

  it('a chunked upload refused after 30 s of waiting gets its 503 though it goes on sending and reads it seconds later', async () => {
    let holder: ReturnType<typeof upload> | undefined;
    let up: RawUpload | undefined;
    let sending = true;
    let sender: Promise<void> | undefined;
    try {
      const key = await newKey(gw, 'uploader');
      // The one slot, held: a 2 MiB create stalled after 1.5 MiB.
      const big = json(2 * MiB);
      holder = upload(gw.url, '/v1/videos/generations', big.length, { authorization: `Bearer ${key}` }, { prefix: big, hold: 1.5 * MiB });
      await until('the held upload has the slot', async () => (await largeBodies(gw)) === 'reading 1, waiting 0', 15_000);
      // Reads nothing until the end: the answer waits in the client's socket.
      up = await rawUpload(gw.url, (host) => `POST /v1/videos/generations HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, {
        paused: true,
        chunked: true,
      });
      // Past the 1 MiB at which a chunked body asks for a slot, then 16 KiB every 100 ms throughout.
      for (let i = 0; i < 20; i++) sendBody(up, 64 * 1024);
      sender = keepSending(up, 16 * 1024, 100, () => sending);
      await until('the chunked upload waits for the slot', async () => (await largeBodies(gw)) === 'reading 1, waiting 1', 15_000);
      await until('the chunked upload is refused (503) after 30 s', async () => (await largeBodies(gw)) === 'reading 1, waiting 0', 45_000, 250);
      // 3.5 s more of sending after the answer, then the client reads.
      await new Promise((r) => setTimeout(r, 3_500));
      sending = false;
      await sender;
      assert.equal(up.state.failed, null, 'the connection stayed open while the client kept sending');
      const answer = await readLate(up);
      assert.equal(up.state.failed, null, 'the answer was read without a reset');
      assert.match(answer, /^HTTP\/1\.1 503 /);
      assert.match(answer, /\r\nretry-after: 5\r\n/i);
      assert.match(answer, /\r\nconnection: close\r\n/i);
      assert.deepEqual(validateAgainst('ApiError', JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))), []);
    } finally {
      sending = false;
      await sender;
      up?.socket.destroy();
      holder?.resume();
      if (holder) assert.equal((await holder.answered).status, 400);
    }
  });

  it('takes a large body only on create; every other route refuses more than 64 KiB with 413 before reading it', async () => {
    const auth = { authorization: `Bearer ${gw.adminKey}` };
    const keys = await upload(gw.url, '/v1/admin/keys', 30 * MiB, auth).answered;
    assert.equal(keys.status, 413);
    assert.equal(JSON.parse(keys.body).error.code, 'payload_too_large');
    assert.ok(keys.sent < 30 * MiB, 'answered before the body was read');
    const unknownRoute = await upload(gw.url, '/v1/nowhere', 10 * MiB, auth).answered;
    assert.equal(unknownRoute.status, 413);
    // 200 KiB of JSON on create is read and accepted (the inline image starts as a PNG: its bytes are checked against its type).
    const pngHead = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(1)]).toString('base64');
    const prompt = Buffer.from(JSON.stringify({ model: 'veo3.1-fast', prompt: 'x'.repeat(19_000), image: `data:image/png;base64,${pngHead}${'A'.repeat(200 * 1024)}` }));
    const create = await upload(gw.url, '/v1/videos/generations', prompt.length, auth, { prefix: prompt }).answered;
    assert.equal(create.status, 200, create.body);
  });

  it('Expect: 100-continue: a body the route would refuse (too large by its Content-Length, or unauthenticated) gets its final answer and no 100 Continue; an acceptable one gets 100 Continue and is read', async () => {
    /** Sends a head with Expect: 100-continue (no body) on a connection of its own; the first answer to it. */
    const firstAnswer = async (path: string, length: number, key: string | null): Promise<{ client: RawClient; first: RawResponse }> => {
      const client = new RawClient(gw.url);
      const auth = key === null ? [] : [`Authorization: Bearer ${key}`];
      client.send(`POST ${path} HTTP/1.1\r\nHost: gw\r\n${[...auth, 'Content-Type: application/json', `Content-Length: ${length}`, 'Expect: 100-continue'].map((l) => `${l}\r\n`).join('')}\r\n`);
      const [first] = await client.responsesUpTo(1);
      return { client, first };
    };
    // Above any VIDGATE_MAX_BODY_BYTES (at most 2^31 - 1).
    const tooLarge = 2 ** 31;
    const refusals: [string, number, string | null, number, string][] = [
      ['/v1/videos/generations', 10 * MiB, null, 401, 'missing_api_key'],
      ['/v1/videos', 10 * MiB, null, 401, 'missing_api_key'],
      ['/v1/admin/keys', MiB, gw.adminKey, 413, 'payload_too_large'],
      ['/v1/videos/generations', tooLarge, gw.adminKey, 413, 'payload_too_large'],
      ['/v1/videos', tooLarge, gw.adminKey, 413, 'payload_too_large'],
    ];
    for (const [path, length, key, status, code] of refusals) {
      const { client, first } = await firstAnswer(path, length, key);
      assert.equal(first.status, status, `${path} (${length} bytes, ${key ? 'key' : 'no key'}): ${first.status} ${first.body}`);
      const body = JSON.parse(first.body);
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.equal(body.error.code, code);
      assert.equal(first.headers.connection, 'close', 'the body was not read: the connection closes');
      await client.closed;
      assert.equal(client.rest(), '', 'nothing after the answer (no late 100 Continue)');
    }
    // Acceptable: 100 Continue, then the body is read and answered.
    const create = Buffer.from(JSON.stringify({ model: 'veo3.1-fast', prompt: 'continued', duration: 4 }));
    for (const path of ['/v1/videos/generations', '/v1/admin/keys']) {
      const body = path === '/v1/admin/keys' ? Buffer.from('{"name":"continued"}') : create;
      const { client, first } = await firstAnswer(path, body.length, gw.adminKey);
      assert.equal(first.status, 100, first.body);
      client.send(body.toString());
      const [, answer] = await client.responsesUpTo(2);
      assert.equal(answer.status, path === '/v1/admin/keys' ? 201 : 200, answer.body);
      client.socket.destroy();
    }
    // A large body is told to continue only once it holds a large-body slot (VIDGATE_MAX_LARGE_BODIES=1:
    // while another upload holds it, no 100 Continue), and is read then.
    const big = json(2 * MiB);
    const holder = upload(gw.url, '/v1/videos/generations', big.length, { authorization: `Bearer ${gw.adminKey}` }, { hold: MiB, prefix: big });
    await new Promise((r) => setTimeout(r, 300));
    const waiting = firstAnswer('/v1/videos/generations', big.length, gw.adminKey);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await Promise.race([waiting.then(() => 'answered'), 'waiting']), 'waiting', 'no 100 Continue while the slot is held');
    holder.resume();
    assert.equal((await holder.answered).status, 400);
    const { client, first } = await waiting;
    assert.equal(first.status, 100);
    client.socket.write(big);
    const [, answer] = await client.responsesUpTo(2);
    // Read and validated (json(): a prompt too long).
    assert.equal(answer.status, 400, answer.body);
    assert.equal(JSON.parse(answer.body).error.param, 'prompt');
    client.socket.destroy();
  });

  it('reads at most VIDGATE_MAX_LARGE_BODIES large bodies at once; others wait their turn, small ones do not', async () => {
    const auth = { authorization: `Bearer ${gw.adminKey}` };
    const big = json(2 * MiB);
    // A holds the only large-body slot: half its body sent, then a pause.
    const a = upload(gw.url, '/v1/videos/generations', big.length, auth, { hold: MiB, prefix: big });
    await new Promise((r) => setTimeout(r, 300));
    let bDone = 0;
    const b = upload(gw.url, '/v1/videos/generations', big.length, auth, { prefix: big });
    void b.answered.then(() => (bDone = performance.now()));
    const small = json(2000);
    const c = await upload(gw.url, '/v1/videos/generations', small.length, auth, { prefix: small }).answered;
    assert.equal(c.status, 400, 'a small body is not kept waiting');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(bDone, 0, 'the second large body waits while the first holds the slot');
    const aResumed = performance.now();
    a.resume();
    const [ra, rb] = await Promise.all([a.answered, b.answered]);
    assert.deepEqual([ra.status, rb.status], [400, 400], `${ra.body} ${rb.body}`);
    assert.ok(bDone > aResumed, 'the second was read once the first finished');
  });
});

/** A key of its own, from the admin API. */
async function newKey(gw: TestGateway, name: string): Promise<string> {
  const res = await gw.api('/v1/admin/keys', { method: 'POST', json: { name } });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { key: string }).key;
}

/** Large bodies being read (holding a slot) and waiting for one, from /metrics. */
async function largeBodies(gw: TestGateway): Promise<string> {
  const text = await (await gw.api('/metrics')).text();
  const of = (state: string) => new RegExp(`^vidgate_large_request_bodies\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1];
  return `reading ${of('reading')}, waiting ${of('waiting')}`;
}

/** A chunked create over a raw socket that sends one byte every `everyMs` and never finishes. */
async function trickleChunked(url: string, key: string, everyMs: number) {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  let received = '';
  let bytes = 0;
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const body = '{"model":"veo3.1-fast","prompt":"a very slow upload';
  const byte = () => {
    if (!socket.destroyed) socket.write(`1\r\n${body[bytes++ % body.length]}\r\n`);
  };
  socket.write(`POST /v1/videos/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
  byte();
  const timer = setInterval(byte, everyMs);
  return {
    sent: () => bytes,
    received: () => received,
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

describe('large-body slots are shared between API keys', { timeout: 120_000 }, () => {
  it("one key's slow chunked uploads do not hold up another key's small chunked create", async () => {
    const gw = await startTestGateway();
    const slow: Awaited<ReturnType<typeof trickleChunked>>[] = [];
    try {
      const [one, two] = [await newKey(gw, 'one'), await newKey(gw, 'two')];
      // Key two: as many slow chunked uploads as there are large-body slots (4), a byte every 2 s.
      for (let i = 0; i < 4; i++) slow.push(await trickleChunked(gw.url, two, 2_000));
      await until('each slow upload has sent two bytes of its body', () => slow.every((s) => s.sent() >= 2), 10_000);
      // Key one: a 60-byte chunked create (a stream body: no Content-Length).
      const body = new TextEncoder().encode(JSON.stringify({ model: 'veo3.1-fast', prompt: 'a short chunked create, sixty bytes' }).padEnd(60));
      const started = performance.now();
      const res = await fetch(`${gw.url}/v1/videos/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${one}`, 'content-type': 'application/json' },
        body: new ReadableStream({
          start(c) {
            c.enqueue(body);
            c.close();
          },
        }),
        duplex: 'half',
        signal: AbortSignal.timeout(10_000),
      } as RequestInit);
      const ms = performance.now() - started;
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(((await res.json()) as { id: string }).id, /^ldtask_/);
      // Had it waited for a slot it would never be answered (the slow uploads hold them all): 8 s leaves room for a loaded machine.
      assert.ok(ms < 8_000, `answered within 8 s (took ${ms.toFixed(0)} ms)`);
      assert.ok(
        slow.every((s) => s.received() === ''),
        'the slow uploads were still being read',
      );
      assert.equal(await largeBodies(gw), 'reading 0, waiting 0', 'a small chunked body takes no slot');
    } finally {
      for (const s of slow) s.stop();
      await gw.close();
    }
  });

  it('one key holds at most all slots but one; the limit holds for all keys; a freed slot goes to the key holding fewest', async () => {
    const gw = await startTestGateway({ VIDGATE_MAX_LARGE_BODIES: '3' });
    const heldUploads: ReturnType<typeof upload>[] = [];
    try {
      const [a, b, c] = [await newKey(gw, 'a'), await newKey(gw, 'b'), await newKey(gw, 'c')];
      const big = json(2 * MiB);
      // Chunked, stalled past 1 MiB: each asks for a slot once past 1 MiB, and keeps it.
      const held = (key: string) => {
        const u = upload(gw.url, '/v1/videos/generations', big.length, { authorization: `Bearer ${key}` }, { prefix: big, chunked: true, hold: 1.5 * MiB });
        heldUploads.push(u);
        return u;
      };
      const create = (key: string) => upload(gw.url, '/v1/videos/generations', big.length, { authorization: `Bearer ${key}` }, { prefix: big }).answered;
      const state = (want: string) => until(`large bodies: ${want}`, async () => (await largeBodies(gw)) === want, 15_000);
      // Key a: three stalled uploads. Two are read; the third waits though a slot is free: that
      // slot is kept for other keys.
      const [a1] = [held(a), held(a), held(a)];
      await state('reading 2, waiting 1');
      // So key b's large create is read at once.
      const started = performance.now();
      const bCreate = await create(b);
      assert.equal(bCreate.status, 400, bCreate.body);
      assert.ok(performance.now() - started < 5_000, 'not kept waiting');
      // The limit still holds: b stalls in the third slot; c's large create waits, after a's third.
      held(b);
      await state('reading 3, waiting 1');
      const cCreate = create(c);
      await state('reading 3, waiting 2');
      // a1 finishes: its slot goes to c (holding none), not to a's third (a still holds one), though
      // that waited longer. Had a's third taken it, c would wait for 30 s and get a 503.
      a1.resume();
      assert.equal((await a1.answered).status, 400);
      const cAnswer = await cCreate;
      assert.equal(cAnswer.status, 400, cAnswer.body);
      assert.ok(cAnswer.ms < 10_000, `c read once a1 finished (${cAnswer.ms.toFixed(0)} ms)`);
      await state('reading 3, waiting 0');
      for (const u of heldUploads) u.resume();
      const answers = await Promise.all(heldUploads.map((u) => u.answered));
      assert.deepEqual(
        answers.map((r) => r.status),
        [400, 400, 400, 400],
      );
      await state('reading 0, waiting 0');
    } finally {
      for (const u of heldUploads) u.resume();
      await gw.close();
    }
  });
});
