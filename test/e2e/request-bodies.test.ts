/**
 * Authentication before bodies, per-route body limits and a bound on large bodies read at once.
 * The hostile case of issue 13: 200 unauthenticated 31 MiB uploads must each get a quick 401 with
 * their bodies unread, without growing memory or stalling /healthz.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { memoryOf, spawnGateway } from '../helpers/gateway-process.js';
import { validateAgainst } from '../helpers/openapi.js';

const MiB = 1024 * 1024;
const FILLER = Buffer.alloc(256 * 1024, 0x41);

interface Upload {
  status: number;
  ms: number;
  /** Body bytes the client managed to write before the answer. */
  sent: number;
  body: string;
}

/**
 * A POST that announces `length` bytes and writes them as fast as the server reads, stopping at
 * the answer. `hold` stops writing after that many bytes until `resume()`.
 */
function upload(url: string, path: string, length: number, headers: Record<string, string>, opts: { hold?: number; prefix?: Buffer } = {}) {
  const u = new URL(url);
  let resume = () => {};
  const answered = new Promise<Upload>((resolve) => {
    const started = performance.now();
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers } });
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

describe('request bodies', { timeout: 180_000 }, () => {
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

  it('takes a large body only on create; every other route refuses more than 64 KiB with 413 before reading it', async () => {
    const auth = { authorization: `Bearer ${gw.adminKey}` };
    const keys = await upload(gw.url, '/v1/admin/keys', 30 * MiB, auth).answered;
    assert.equal(keys.status, 413);
    assert.equal(JSON.parse(keys.body).error.code, 'payload_too_large');
    assert.ok(keys.sent < 30 * MiB, 'answered before the body was read');
    const unknownRoute = await upload(gw.url, '/v1/nowhere', 10 * MiB, auth).answered;
    assert.equal(unknownRoute.status, 413);
    // 200 KiB of JSON on create is read and accepted.
    const prompt = Buffer.from(JSON.stringify({ model: 'veo3.1-fast', prompt: 'x'.repeat(19_000), image: `data:image/png;base64,${'A'.repeat(200 * 1024)}` }));
    const create = await upload(gw.url, '/v1/videos/generations', prompt.length, auth, { prefix: prompt }).answered;
    assert.equal(create.status, 200, create.body);
  });

  it('reads at most VIDGATE_MAX_LARGE_BODIES large bodies at once; others wait their turn, small ones do not', async () => {
    const auth = { authorization: `Bearer ${gw.adminKey}` };
    const json = (size: number) => {
      const head = '{"model":"no-such-model","prompt":"';
      return Buffer.from(`${head + 'y'.repeat(size - head.length - 2)}"}`);
    };
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
