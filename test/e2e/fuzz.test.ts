import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { KNOWN_FIELDS } from '../../src/contract/request-fields.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

/** Values of every JSON type, including adversarial strings. */
const nasty = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    '%00',
    '<script>',
    'data:image/png;base64,',
    'https://127.0.0.1/x.png',
    'https://example.com/a.mp4',
    'veo3.1',
    '16:9',
    '720p',
    '-1',
    '1e309',
    '__proto__',
    'constructor',
    '\ud83d\ude00'.repeat(50),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20, unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant('https://example.com/x.png')), { maxLength: 12 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

/** Near-valid create bodies: real field names (and a few made-up ones) with values of any shape. */
const createBody = fc.oneof(
  fc.dictionary(fc.constantFrom(...KNOWN_FIELDS, 'callback_url', 'n', 'Model', 'duraton'), nasty, { maxKeys: 8 }).map((o) => ({ model: 'veo3.1', ...o })),
  fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), nasty, { maxKeys: 6 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const rawBody = fc.oneof(
  createBody.map((b) => JSON.stringify(b)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '[', '{"model":', '\u0000', '{"a":1}{"b":2}', 'null'),
);

const idLike = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }).map((h) => `ldtask_${h}`),
  fc.constantFrom('..', '%2e%2e', '%00', 'ldtask_', 'a'.repeat(300)),
);

const headerValue = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('Bearer', 'Bearer sk-', 'Basic Zm9vOmJhcg==', `Bearer sk-${'f'.repeat(48)}`));

type Req = { method: string; path: string; body?: string; headers: Record<string, string>; auth: 'admin' | 'none' | 'random' };

const request: fc.Arbitrary<Req> = fc.oneof(
  fc.record({
    method: fc.constant('POST'),
    path: fc.constant('/v1/videos/generations'),
    body: rawBody,
    headers: fc.record(
      {
        'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8'),
        'idempotency-key': fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      },
      { requiredKeys: ['content-type'] },
    ),
    auth: fc.constantFrom('admin', 'none', 'random'),
  }),
  fc.record({ method: fc.constantFrom('GET', 'DELETE'), path: idLike.map((id) => `/v1/tasks/${encodeURIComponent(id)}`), headers: fc.constant({}), auth: fc.constantFrom('admin', 'none', 'random') }),
  fc.record({ method: fc.constant('GET'), path: idLike.map((id) => `/v1/videos/generations/${encodeURIComponent(id)}`), headers: fc.constant({}), auth: fc.constantFrom('admin', 'random') }),
  fc.record({
    method: fc.constant('GET'),
    path: fc
      .tuple(fc.constantFrom('/v1/models', '/v1/pricing'), fc.dictionary(fc.constantFrom('view', 'category', 'provider', 'tag', 'recommended_for', 'x'), fc.string({ maxLength: 12 }), { maxKeys: 3 }))
      .map(([p, q]) => `${p}?${new URLSearchParams(q)}`),
    headers: fc.constant({}),
    auth: fc.constantFrom('none', 'admin'),
  }),
  fc.record({ method: fc.constant('GET'), path: idLike.map((id) => `/v1/models/${encodeURIComponent(id)}`), headers: fc.constant({}), auth: fc.constant('none') }),
  fc.record({ method: fc.constant('GET'), path: idLike.map((id) => `/v1/models/${encodeURIComponent(id)}/pricing`), headers: fc.constant({}), auth: fc.constant('none') }),
  fc.record({ method: fc.constantFrom('POST'), path: fc.constant('/v1/admin/keys'), body: rawBody, headers: fc.constant({ 'content-type': 'application/json' }), auth: fc.constantFrom('admin', 'random') }),
  fc.record({ method: fc.constant('DELETE'), path: idLike.map((id) => `/v1/admin/keys/${encodeURIComponent(id)}`), headers: fc.constant({}), auth: fc.constantFrom('admin', 'random') }),
  fc.record({
    method: fc.constant('GET'),
    path: fc
      .tuple(idLike, fc.string({ maxLength: 12 }), fc.string({ maxLength: 50 }))
      .map(([id, e, s]) => `/v1/files/${encodeURIComponent(id)}/video.mp4?expires=${encodeURIComponent(e)}&signature=${encodeURIComponent(s)}`),
    headers: fc.record({ range: fc.string({ maxLength: 20 }) }),
    auth: fc.constant('none'),
  }),
);

describe('property: no input makes the gateway answer 5xx or hang', () => {
  let gw: TestGateway;
  before(async () => {
    // API-only node: the point is the HTTP surface, not rendering whatever valid tasks the fuzzer makes.
    gw = await startTestGateway({ VIDGATE_ROLE: 'api', VIDGATE_RATE_LIMIT_RPM: '0', VIDGATE_MAX_BODY_BYTES: '65536' });
  });
  after(async () => gw.close());

  it('every random or adversarial request gets a valid answer or a 4xx TokenLab envelope', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(request, headerValue, async (r, randomAuth) => {
        const headers: Record<string, string> = { ...r.headers };
        if (r.auth === 'admin') headers.authorization = `Bearer ${gw.adminKey}`;
        if (r.auth === 'random') headers.authorization = randomAuth.replace(/[^\x20-\x7e]/g, '');
        const res = await fetch(`${gw.url}${r.path}`, { method: r.method, headers, body: r.body, signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        const unavailable = res.status === 503 && text.includes('all_channels_failed');
        assert.ok(res.status < 500 || unavailable, `${res.status} for ${r.method} ${r.path}: ${text.slice(0, 300)}`);
        if (r.path.startsWith('/v1/files/') && res.status < 400) return;
        const json = JSON.parse(text);
        if (res.status >= 400) assert.deepEqual(validateAgainst('ApiError', json), [], text);
        assert.ok(!text.includes(gw.adminKey), 'the admin key never comes back');
      }),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    const health = await fetch(`${gw.url}/healthz`);
    assert.equal(health.status, 200);
  });
});
