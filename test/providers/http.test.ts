import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fetchJson, parseRetryAfter, readErrorBody, redactSecrets } from '../../src/providers/http.js';
import { UpstreamError } from '../../src/providers/types.js';
import { startServer } from './local-server.js';

const mapError = (status: number, body: unknown) => new UpstreamError('invalid_input', `HTTP ${status}: ${JSON.stringify(body)}`, status);

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

describe('fetchJson', () => {
  it('parses JSON, maps error bodies, refuses redirects and non-JSON, times out', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/ok') return res.end('{"a":1}');
      if (req.url === '/err') {
        res.writeHead(418, { 'content-type': 'application/json' });
        return res.end('{"error":{"message":"teapot"}}');
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://example.com/' });
        return res.end();
      }
      if (req.url === '/html') return res.end('<html>');
      // /slow: never answers
    });
    try {
      const call = (path: string, timeoutMs = 2000) => fetchJson({ method: 'GET', url: server.url + path, timeoutMs, mapError, what: 'test call' });
      assert.deepEqual(await call('/ok'), { a: 1 });
      await assert.rejects(call('/err'), (e: UpstreamError) => e.httpStatus === 418 && e.message.includes('teapot'));
      await assert.rejects(call('/redirect'), (e: UpstreamError) => e.kind === 'unavailable' && /redirect/.test(e.message));
      // A 2xx we cannot read may have been acted on: ambiguous, never a plain outage.
      await assert.rejects(call('/html'), (e: UpstreamError) => e.kind === 'ambiguous' && /not JSON/.test(e.message));
      await assert.rejects(call('/slow', 150), (e: UpstreamError) => e.kind === 'timeout');
      // The caller's deadline (the engine's upstream timeout) firing first is a timeout too, not a stop request…
      const slowWith = (signal: AbortSignal) => fetchJson({ method: 'GET', url: `${server.url}/slow`, timeoutMs: 5000, signal, mapError, what: 'test call' });
      await assert.rejects(slowWith(AbortSignal.timeout(150)), (e: unknown) => e instanceof UpstreamError && e.kind === 'timeout');
      // …while an explicit abort is rethrown as it is, for the caller to recognise.
      const stop = new AbortController();
      setTimeout(() => stop.abort(new Error('shutting down')), 100);
      await assert.rejects(slowWith(stop.signal), (e: unknown) => !(e instanceof UpstreamError) && (e as Error).message === 'shutting down');
    } finally {
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
