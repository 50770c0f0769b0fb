/**
 * The shared transport (src/providers/http): one deadline per call that fires on time even across
 * garbage collections, redirects refused on API calls, the status → kind table, redaction, schema
 * validation at the boundary (an unexpected shape is an error, never a crash), downloads.
 */
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { authorization, classifyHttpError, createTransport, kindForStatus, parseRetryAfter, readErrorBody, redactSecrets, type ErrorSpec } from '../../src/providers/http/index.js';
import { UpstreamError } from '../../src/providers/types.js';
import { startServer } from './local-server.js';

const ERRORS: ErrorSpec = {
  label: 'Test API',
  read(body) {
    const e = (body as { error?: { message?: string; code?: string } } | null)?.error;
    return { message: e?.message, code: e?.code, kind: e?.code === 'gone_model' ? 'model_retired' : undefined };
  },
};
const KEY = 'sk-test-secret-value-0123456789';
const anyJson = z.looseObject({});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    assert.equal(parseRetryAfter('120', now), 120);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0, 'a past date means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter(''), undefined);
  });
});

describe('redactSecrets', () => {
  it('removes known secrets, key= params, userinfo and Google-shaped keys', () => {
    const out = redactSecrets('GET https://u:pw@h/x?alt=media&key=abc123 failed for sk-secret-value and AIzaSyA1234567890abcdefghijklmnopqrstuv', ['sk-secret-value']);
    assert.ok(!/abc123|pw@|sk-secret-value|AIzaSy/.test(out), out);
  });
});

describe('the status → kind table and a provider override', () => {
  it('classifies by status, lets the provider code decide where it speaks, and redacts', () => {
    assert.equal(kindForStatus(429), 'rate_limited');
    assert.equal(kindForStatus(503), 'unavailable');
    assert.equal(kindForStatus(401), 'auth');
    assert.equal(kindForStatus(402), 'quota');
    assert.equal(kindForStatus(404), 'not_found');
    assert.equal(kindForStatus(400), 'invalid_input');
    const e = classifyHttpError(ERRORS, 404, { error: { message: `no such model for key ${KEY}`, code: 'gone_model' } }, undefined, [KEY]);
    assert.equal(e.kind, 'model_retired');
    assert.ok(!e.message.includes(KEY));
    const busy = classifyHttpError(ERRORS, 429, {}, new Headers({ 'retry-after': '7' }));
    assert.equal(busy.retryAfterSeconds, 7);
    assert.match(busy.message, /Test API returned HTTP 429/);
  });
});

describe('transport calls', () => {
  it('parses JSON, maps error bodies, refuses redirects and non-JSON, validates shapes, times out', async () => {
    let seenAuth: string | undefined;
    const server = await startServer((req, res) => {
      seenAuth = req.headers.authorization;
      if (req.url === '/ok') return res.end('{"id":"abc"}');
      if (req.url === '/err') {
        res.writeHead(418, { 'content-type': 'application/json' });
        return res.end(`{"error":{"message":"teapot says ${KEY}"}}`);
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://example.com/' });
        return res.end();
      }
      if (req.url === '/html') return res.end('<html>');
      if (req.url === '/shape') return res.end('{"id":42}');
      // /slow: never answers
    });
    const http = createTransport({ baseUrl: server.url, auth: authorization(KEY), errors: ERRORS, timeoutMs: 2000 });
    try {
      const call = (path: string, signal?: AbortSignal) => http.call({ method: 'GET', path, schema: z.looseObject({ id: z.string() }), what: 'test call', ctx: { signal } });
      assert.deepEqual((await call('/ok')).value, { id: 'abc' });
      assert.equal(seenAuth, `Bearer ${KEY}`);
      await assert.rejects(call('/err'), (e: UpstreamError) => e.httpStatus === 418 && e.message.includes('teapot') && !e.message.includes(KEY));
      await assert.rejects(call('/redirect'), (e: UpstreamError) => e.kind === 'unavailable' && /redirect/.test(e.message));
      // A 2xx we cannot read may have been acted on: ambiguous, never a plain outage.
      await assert.rejects(call('/html'), (e: UpstreamError) => e.kind === 'ambiguous' && /not JSON/.test(e.message));
      // An answer of an unexpected shape is a clear error naming the field, never a crash later on.
      await assert.rejects(call('/shape'), (e: UpstreamError) => e.kind === 'ambiguous' && /unexpected shape \(id:/.test(e.message));
      const fast = createTransport({ baseUrl: server.url, auth: authorization(KEY), errors: ERRORS, timeoutMs: 150 });
      await assert.rejects(fast.call({ method: 'GET', path: '/slow', schema: anyJson, what: 'test call', ctx: {} }), (e: UpstreamError) => e.kind === 'timeout');
      // The caller's deadline (the engine's upstream timeout) firing first is a timeout too, not a stop request…
      await assert.rejects(call('/slow', AbortSignal.timeout(150)), (e: unknown) => e instanceof UpstreamError && e.kind === 'timeout');
      // …while an explicit abort is rethrown as it is, for the caller to recognise.
      const stop = new AbortController();
      setTimeout(() => stop.abort(new Error('shutting down')), 100);
      await assert.rejects(call('/slow', stop.signal), (e: unknown) => !(e instanceof UpstreamError) && (e as Error).message === 'shutting down');
    } finally {
      await server.close();
    }
  });

  it('fires its one deadline on time even when garbage collection runs while it waits', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const server = await startServer(() => undefined); // never answers
    const http = createTransport({ baseUrl: server.url, auth: authorization(KEY), errors: ERRORS, timeoutMs: 400 });
    const collect = setInterval(gc, 20);
    try {
      const started = Date.now();
      // The engine's own, much longer cap rides along as the caller's signal, as in production.
      const engineCap = AbortSignal.timeout(10_000);
      await assert.rejects(http.call({ method: 'GET', path: '/hang', schema: anyJson, what: 'gc call', ctx: { signal: engineCap } }), (e: UpstreamError) => e.kind === 'timeout');
      const took = Date.now() - started;
      assert.ok(took < 3000, `a 400 ms deadline took ${took} ms`);
    } finally {
      clearInterval(collect);
      await server.close();
    }
  });

  it('readErrorBody caps huge bodies and falls back to text', async () => {
    const big = await readErrorBody(new Response('x'.repeat(200_000)));
    assert.equal(typeof big, 'string');
    assert.ok((big as string).length <= 64 * 1024);
    assert.deepEqual(await readErrorBody(new Response('{"error":{"code":1}}')), { error: { code: 1 } });
    assert.equal(await readErrorBody(new Response('{broken')), '{broken');
  });
});

describe('transport downloads', () => {
  it('sends credentials only to the API origin, follows redirects by hand, and classifies storage refusals as expired links', async () => {
    const storageSeen: (string | undefined)[] = [];
    const storage = await startServer((req, res) => {
      storageSeen.push(req.headers.authorization);
      if (req.url === '/gone') {
        res.writeHead(403);
        return res.end('<Error>Request has expired</Error>');
      }
      if (req.url === '/flaky') {
        res.writeHead(503);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end('video-bytes');
    });
    const api = await startServer((req, res) => {
      // Reached as localhost, so the storage (127.0.0.1) is another origin.
      assert.equal(req.headers.authorization, `Bearer ${KEY}`);
      res.writeHead(302, { location: `${storage.url}/file.mp4` });
      res.end();
    });
    const http = createTransport({ baseUrl: api.url.replace('127.0.0.1', 'localhost'), auth: authorization(KEY), errors: ERRORS });
    try {
      const opened = await http.download({ url: `${http.baseHref}/videos/1/content`, what: 'test download', ctx: {}, credentials: 'api-origin' });
      const chunks: Buffer[] = [];
      for await (const c of opened.body) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'video-bytes');
      assert.equal(opened.contentType, 'video/mp4');
      assert.deepEqual(storageSeen, [undefined], 'the key never goes to the storage host');
      await assert.rejects(http.download({ url: `${storage.url}/gone`, what: 'test download', ctx: {}, credentials: 'none' }), (e: UpstreamError) => e.kind === 'not_found' && /expired/.test(e.message));
      await assert.rejects(http.download({ url: `${storage.url}/flaky`, what: 'test download', ctx: {}, credentials: 'none' }), (e: UpstreamError) => e.kind === 'unavailable');
    } finally {
      await api.close();
      await storage.close();
    }
  });
});
