import assert from 'node:assert/strict';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

/** Raw bodies that must each get a 4xx TokenLab envelope, never a 5xx. */
const BAD_BODIES: string[] = [
  '',
  '{',
  'null',
  '[]',
  '"string"',
  '42',
  '{"model":}',
  '{"model": 12}',
  '{"model": "veo3.1", "prompt": 5}',
  '{"model": "veo3.1", "duration": "8"}',
  '{"model": "veo3.1", "duration": 8.5}',
  '{"model": "veo3.1", "duration": 1e309}',
  '{"model": "veo3.1", "duration": -7}',
  '{"model": "veo3.1", "aspect_ratio": "16/9"}',
  '{"model": "veo3.1", "resolution": {"a":1}}',
  '{"model": "veo3.1", "image_urls": "https://example.com/a.png"}',
  '{"model": "veo3.1", "image_urls": []}',
  '{"model": "veo3.1", "image_urls": [1,2]}',
  '{"model": "veo3.1", "reference_images": [null]}',
  '{"model": "veo3.1", "image_url": "not a url"}',
  '{"model": "veo3.1", "image_url": "file:///etc/passwd"}',
  '{"model": "veo3.1", "image_url": "https://127.0.0.1/a.png"}',
  '{"model": "veo3.1", "image_url": "https://169.254.169.254/latest/meta-data"}',
  '{"model": "veo3.1", "image": "data:image/png;base64,@@@"}',
  '{"model": "veo3.1", "prompt": "x", "image_url": "https://%zz@example.com/a.png"}',
  '{"model": "veo3.1", "prompt": "x", "callback_url": "https://%zz@example.com/hook"}',
  '{"model": "veo3.1", "output_audio": "yes"}',
  '{"model": "veo3.1", "seconds": 4, "duration": 8}',
  '{"model": "veo3.1", "ratio": "16:9", "aspect_ratio": "9:16"}',
  '{"model": "veo3.1", "outputAudio": true, "generate_audio": false}',
  '{"model": "veo3.1", "operation": "dance"}',
  '{"model": "veo3.1", "operation": "video-to-video", "video_url": "https://example.com/a.mp4"}',
  '{"model": "veo3.1", "bogus_field": {"nested": [1,2,3]}}',
  '{"model": "veo3.1", "__proto__": {"isAdmin": true}}',
  '{"model": "veo3.1", "constructor": {"prototype": {"x": 1}}}',
  '{"model": "veo3.1", "kling_elements": [{"name": "x", "element_input_urls": ["https://example.com/a.png"]}]}',
  '{"model": "veo3.1", "kling_elements": "oops"}',
  '{"model": "veo3.1", "seed": 99999999999}',
  '{"model": "veo3.1", "cfg_scale": 21}',
  `{"model": "veo3.1", "prompt": "${'x'.repeat(30_000)}"}`,
  `{"model": "${'m'.repeat(500)}"}`,
  '{"model": "no-such-model", "prompt": "x"}',
  '{"prompt": "missing model"}',
  '\u0000\u0001\u0002',
  '{"model": "veo3.1", "prompt": "   \\n\\t "}',
  // Nested 10,000 and 100,000 deep: the error quotes a bounded preview (JSON.stringify overflowed the stack: a 500).
  ...[10_000, 100_000].flatMap((depth) => {
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    return [`{"model": "veo3.1", "prompt": ${deep}}`, `{"model": ${deep}}`, `{"model": "veo3.1", "duration": ${deep}}`, `{"model": "veo3.1", "image_urls": ${deep}}`];
  }),
];

/** Sends raw bytes and reads the answer until the server closes the connection. */
async function rawRequest(url: string, bytes: string): Promise<{ head: string; body: string }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  socket.end(bytes);
  const chunks: Buffer[] = [];
  for await (const c of socket) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  const at = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, at), body: text.slice(at + 4) };
}

describe('malformed requests never cause a 5xx', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_MAX_BODY_BYTES: String(1024 * 1024) });
  });
  after(async () => gw.close());

  it('every bad create body gets a 4xx envelope that names the problem', async () => {
    for (const body of BAD_BODIES) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const text = await res.text();
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${body.slice(0, 80)}: ${text.slice(0, 200)}`);
      const json = JSON.parse(text);
      assert.deepEqual(validateAgainst('ApiError', json), [], text);
      assert.ok(json.error.message.length > 10, text);
      assert.ok(!/at .*\.(ts|js):\d+/.test(text), 'no stack trace');
    }
  });

  it('errors quote what the client sent briefly: a 600 KB unknown field name or value is not echoed back', async () => {
    const name = 'x'.repeat(600_000);
    const unknown = await gw.api('/v1/videos/generations', { method: 'POST', body: JSON.stringify({ model: 'veo3.1', [name]: 1 }), headers: { 'content-type': 'application/json' } });
    assert.equal(unknown.status, 400);
    const text = await unknown.text();
    assert.ok(text.length < 2_000, `${text.length} bytes`);
    assert.equal(JSON.parse(text).error.code, 'unknown_parameter');
    const seconds = await gw.api('/v1/videos', { method: 'POST', json: { model: 'sora-2', prompt: 'x', seconds: `9${'9'.repeat(600_000)}x` } });
    assert.equal(seconds.status, 400);
    assert.ok((await seconds.text()).length < 2_000);
  });

  it('only spaces is no prompt: refused at create, not by the upstream after the 200', async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: ' \t ' } });
    assert.equal(res.status, 400);
    const err = ((await res.json()) as any).error;
    assert.equal(err.code, 'missing_required_parameter');
    assert.equal(err.param, 'prompt');
  });

  it('a list cursor that is not one of your tasks is a 400 naming after, not an empty last page', async () => {
    const other = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'cursor-other' } })).json()) as { key: string };
    const theirs = ((await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x' }, key: other.key })).json()) as any).id;
    for (const path of ['/v1/tasks?after=garbage', `/v1/tasks?after=${theirs}`, '/v1/tasks?after=ldtask_00000000000000000000000000000000', '/v1/videos?after=zzz', `/v1/videos?after=${theirs}`]) {
      const res = await gw.api(path);
      assert.equal(res.status, 400, path);
      const body = (await res.json()) as any;
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.equal(body.error.param, 'after', path);
    }
    assert.equal((await gw.api(`/v1/tasks?after=${theirs}`, { key: other.key })).status, 200, 'the owner pages past it');
  });

  it("a body too large for a small route says that route's limit, not the create route's advice", async () => {
    const res = await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'n'.repeat(70_000) } });
    assert.equal(res.status, 413);
    const err = ((await res.json()) as any).error;
    assert.equal(err.code, 'payload_too_large');
    assert.match(err.message, /64 KiB/);
    assert.doesNotMatch(err.message, /data: URLs/);
  });

  it('requests refused by the HTTP parser get an envelope too: a bad method 400, headers too large 431', async () => {
    const badMethod = await rawRequest(gw.url, 'FO(O /v1/tasks/x HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(badMethod.head, /^HTTP\/1\.1 400 /);
    assert.deepEqual(validateAgainst('ApiError', JSON.parse(badMethod.body)), [], badMethod.body);
    const longUrl = await rawRequest(gw.url, `GET /v1/tasks/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(longUrl.head, /^HTTP\/1\.1 431 /);
    assert.equal(JSON.parse(longUrl.body).error.code, 'headers_too_large');
  });

  it('answers refused before any route runs carry a fresh x-request-id too: parser 400 and 431, bad-URL 400', async () => {
    const ids = new Set<string>();
    for (const bytes of ['FO(O /v1/tasks/x HTTP/1.1\r\nHost: x\r\n\r\n', `GET /v1/tasks/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]) {
      const { head } = await rawRequest(gw.url, bytes);
      const id = /\r\nx-request-id: (req_[0-9a-z]+)\r\n/i.exec(head)?.[1];
      assert.ok(id, head);
      ids.add(id);
    }
    const badUrl = await gw.api('/v1/tasks/%E0%A4%A');
    assert.equal(badUrl.status, 400);
    ids.add(badUrl.headers.get('x-request-id') ?? '');
    assert.equal(ids.size, 3, [...ids].join(' '));
    const echoed = await gw.api('/v1/tasks/%E0%A4%A', { headers: { 'x-request-id': 'mine-123' } });
    assert.equal(echoed.headers.get('x-request-id'), 'mine-123');
  });

  it('structured-syntax JSON media types (application/vnd.api+json) are read as JSON', async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', body: JSON.stringify({ model: 'veo3.1-fast', prompt: 'typed' }), headers: { 'content-type': 'application/vnd.api+json' } });
    assert.equal(res.status, 200, await res.clone().text());
    const bad = await gw.api('/v1/videos/generations', { method: 'POST', body: '{', headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).error.code, 'invalid_json');
  });

  it('a compressed body (Content-Encoding other than identity) is 415 saying to send it uncompressed, on every route that takes a body', async () => {
    const cases: [string, unknown][] = [
      ['/v1/videos/generations', { model: 'veo3.1-fast', prompt: 'gzipped' }],
      ['/v1/videos', { model: 'veo3.1-fast', prompt: 'gzipped' }],
      ['/v1/admin/keys', { name: 'gzipped' }],
    ];
    for (const [path, json] of cases) {
      const res = await gw.api(path, { method: 'POST', body: gzipSync(JSON.stringify(json)), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
      assert.equal(res.status, 415, path);
      const body = (await res.json()) as any;
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.equal(body.error.code, 'unsupported_media_type', path);
      assert.match(body.error.message, /Compressed request bodies are not accepted \(Content-Encoding: gzip\); send the body uncompressed/, path);
    }
    const identity = await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'identity' }, headers: { 'content-encoding': 'identity' } });
    assert.equal(identity.status, 201);
  });

  it('huge bodies are 413, wrong content types 415', async () => {
    const huge = JSON.stringify({ model: 'veo3.1', image: `data:image/png;base64,${'A'.repeat(2 * 1024 * 1024)}` });
    const big = await gw.api('/v1/videos/generations', { method: 'POST', body: huge, headers: { 'content-type': 'application/json' } });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as any).error.code, 'payload_too_large');
    const form = await gw.api('/v1/videos/generations', { method: 'POST', body: 'model=veo3.1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415);
    const noType = await gw.api('/v1/videos/generations', { method: 'POST' });
    assert.equal(noType.status, 400);
  });

  it('bad ids and paths are 404 envelopes', async () => {
    for (const id of ['x', 'ldtask_', `ldtask_${'g'.repeat(32)}`, '..%2F..%2Fetc%2Fpasswd', '%00', 'a'.repeat(150), 'b'.repeat(3000), `ldtask_${'A'.repeat(32)}`]) {
      for (const p of [`/v1/tasks/${id}`, `/v1/videos/generations/${id}`]) {
        const res = await gw.api(p);
        assert.equal(res.status, 404, `${p}`);
        assert.equal(((await res.json()) as any).error.code, 'async_task_not_found');
      }
      const del = await gw.api(`/v1/tasks/${id}`, { method: 'DELETE' });
      assert.equal(del.status, 404);
    }
    const files = await fetch(`${gw.url}/v1/files/nope/video.mp4?expires=abc&signature=zz`);
    assert.equal(files.status, 403);
    const badEscape = await gw.api('/v1/tasks/%E0%A4%A');
    assert.equal(badEscape.status, 400);
    assert.deepEqual(validateAgainst('ApiError', await badEscape.json()), []);
    const unknown = await gw.api('/v2/whatever');
    assert.equal(unknown.status, 404);
    const notFound = (await unknown.json()) as any;
    assert.deepEqual(validateAgainst('ApiError', notFound), []);
    // Points to the gateway's own reference page, which is there.
    assert.match(notFound.error.message, /^No route GET \/v2\/whatever\. .*\/docs\b/);
    assert.doesNotMatch(notFound.error.message, /README/);
    assert.equal((await gw.api('/docs', { key: null })).status, 200);
  });

  it('a query parameter given twice is a 400 saying it must be given once, on every route (not that its value is bad)', async () => {
    const id = ((await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'repeats' } })).json()) as any).id;
    const cases: [string, string][] = [
      [`/v1/tasks/${id}?wait=1&wait=2`, 'wait'],
      ['/v1/tasks?limit=1&limit=2', 'limit'],
      ['/v1/videos?limit=1&limit=2', 'limit'],
      ['/v1/webhooks/deliveries?limit=1&limit=2', 'limit'],
      [`/v1/webhooks/deliveries?task_id=${id}&task_id=${id}`, 'task_id'],
      ['/v1/usage?start_date=2026-11-01&start_date=2026-11-02', 'start_date'],
      ['/v1/admin/usage?end_date=2026-11-01&end_date=2026-11-02', 'end_date'],
      [`/v1/videos/${id}/content?variant=video&variant=thumbnail`, 'variant'],
      ['/v1/models?view=full&view=compact', 'view'],
    ];
    for (const [path, param] of cases) {
      const res = await gw.api(path);
      assert.equal(res.status, 400, path);
      const body = (await res.json()) as any;
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.deepEqual([body.error.param, body.error.message], [param, `'${param}' must be given once.`], path);
    }
  });

  it("every list's limit is one rule: a whole number from 1 to 100 (20 when not given)", async () => {
    for (const route of ['/v1/tasks', '/v1/videos', '/v1/webhooks/deliveries']) {
      for (const bad of ['0', '101', '-1', '2.5', 'abc', '1e2', '0x10', '', '0100']) {
        const res = await gw.api(`${route}?limit=${encodeURIComponent(bad)}`);
        assert.equal(res.status, 400, `${route} limit=${bad}`);
        const body = (await res.json()) as any;
        assert.deepEqual([body.error.param, body.error.message], ['limit', "'limit' must be a whole number from 1 to 100."], `${route} limit=${bad}`);
      }
      for (const good of ['1', '100', '007']) assert.equal((await gw.api(`${route}?limit=${good}`)).status, 200, `${route} limit=${good}`);
    }
  });

  it('a method a path does not take is 405 with Allow naming the ones it does; GET /v1/videos/generations is not a video id', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/v1/videos/generations', 'POST'],
      ['DELETE', '/v1/videos/generations', 'POST'],
      ['GET', '/v1/webhooks/secret/rotate', 'POST'],
      ['POST', '/v1/tasks/ldtask_00000000000000000000000000000000', 'DELETE, GET, HEAD'],
      ['PUT', '/v1/models', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      for (const key of [gw.adminKey, null]) {
        const res = await gw.api(path, { method, key });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
        assert.ok(res.headers.get('x-request-id'));
        const body = (await res.json()) as any;
        assert.deepEqual(validateAgainst('ApiError', body), []);
        assert.equal(body.error.code, 'method_not_allowed');
        assert.equal(body.error.message, `${path} does not take ${method}; it takes ${allow}. This gateway's routes are listed at /docs.`);
      }
    }
    // A path no method serves is still a 404.
    assert.equal((await gw.api('/v1/nothing-here', { method: 'POST' })).status, 404);
    assert.equal((await gw.api('/v1/videos/generations/ldtask_00000000000000000000000000000000')).status, 404);
  });

  it('a path segment past the router limit is a 400 that says it is too long and the limit, not an internal code', async () => {
    for (const p of [`/v1/models/${'m'.repeat(10_000)}`, `/v1/tasks/${'t'.repeat(10_000)}`]) {
      const res = await gw.api(p);
      assert.equal(res.status, 400, p.slice(0, 20));
      const body = (await res.json()) as any;
      assert.deepEqual(validateAgainst('ApiError', body), []);
      assert.equal(body.error.code, 'invalid_url');
      assert.match(body.error.message, /path segment .*too long.*4096 characters/);
      assert.doesNotMatch(body.error.message, /FST_|percent-encode/);
    }
    const badEscape = (await (await gw.api('/v1/tasks/%E0%A4%A')).json()) as any;
    assert.doesNotMatch(badEscape.error.message, /FST_/);
  });

  it('the gateway is still healthy afterwards', async () => {
    const res = await gw.api('/healthz', { key: null });
    assert.equal(res.status, 200);
  });
});

describe('headers that arrive too slowly', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ VIDGATE_HEADERS_TIMEOUT_MS: '500', VIDGATE_REQUEST_TIMEOUT_MS: '5000' });
  });
  after(async () => gw.close());

  it('get a 408 TokenLab envelope, then the connection closes', async () => {
    const { hostname, port } = new URL(gw.url);
    const socket = net.connect(Number(port), hostname);
    socket.on('error', () => undefined);
    // Half a request line, then silence: the server's header timer runs out.
    socket.write('GET /v1/tasks HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const c of socket) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    assert.ok(Date.now() - started < 5_000, 'answered within the header timeout (and its check interval)');
    assert.match(text, /^HTTP\/1\.1 408 /);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    assert.deepEqual(validateAgainst('ApiError', body), []);
    assert.equal(body.error.code, 'request_timeout');
  });
});
