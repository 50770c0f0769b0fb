/**
 * Kling's current auth: a console-issued API key sent as `Authorization: Bearer <key>` (Vercel's
 * @ai-sdk/klingai supports it since July 2026), next to the older AccessKey/SecretKey JWT.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultCatalog, resolveForModel, validateForModel } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config.js';
import { createKlingAdapter, klingAuth } from '../../src/providers/kling/index.js';
import { UpstreamError, type AdapterContext } from '../../src/providers/types.js';
import { startKlingSimulator, type KlingSimulator } from '../../src/sandbox/kling/index.js';
import { makeRequest } from '../catalog/request.js';

const API_KEY = 'kl-console-key-0123456789abcdefghijk';
const AK = 'AKapikeytest0123456789';
const SK = 'SKapikeytest0123456789';
const ctx: AdapterContext = { loadMedia: () => Promise.reject(new Error('no media')), probeVideo: () => Promise.reject(new Error('no probe')) };
const catalog = defaultCatalog();

let sim: KlingSimulator;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kling-apikey-'));
  sim = await startKlingSimulator({ accessKey: AK, secretKey: SK, apiKey: API_KEY, workDir: join(dir, 'sim'), speed: 200 });
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

function t2v() {
  const spec = catalog.get('kling-v2.6-std')!;
  const req = makeRequest(spec, { prompt: 'a lighthouse', duration: 5 });
  validateForModel(req, spec);
  return resolveForModel(req, spec);
}

describe('Kling API key', () => {
  it('is sent as the Bearer token itself (no JWT), and wins over a pair', () => {
    assert.deepEqual(klingAuth({ apiKey: API_KEY }).headers(), { authorization: `Bearer ${API_KEY}` });
    assert.deepEqual(klingAuth({ apiKey: API_KEY, accessKey: AK, secretKey: SK }).headers(), { authorization: `Bearer ${API_KEY}` });
    const jwt = klingAuth({ accessKey: AK, secretKey: SK }).headers().authorization;
    assert.match(jwt, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, 'the pair signs a JWT');
  });

  it('creates and polls against the simulator; a wrong key is auth and never echoed', async () => {
    const adapter = createKlingAdapter({ apiKey: API_KEY, baseUrl: sim.baseUrl, timeoutMs: 10_000 });
    const { upstreamId } = await adapter.submit({ taskId: `ldtask_${'a'.repeat(32)}`, request: t2v() }, ctx);
    assert.ok(['queued', 'running', 'succeeded'].includes((await adapter.poll(upstreamId, ctx)).state));
    const wrong = 'kl-wrong-key-0123456789abcdefghijklm';
    const bad = createKlingAdapter({ apiKey: wrong, baseUrl: sim.baseUrl, timeoutMs: 10_000 });
    await assert.rejects(bad.submit({ taskId: `ldtask_${'b'.repeat(32)}`, request: t2v() }, ctx), (e: unknown) => e instanceof UpstreamError && e.kind === 'auth' && !e.message.includes(wrong));
  });

  it('is a complete credential for the configuration; a lone half of the pair is a one-line error naming both ways', () => {
    const config = loadConfig({ KLING_API_KEY: API_KEY });
    assert.deepEqual(
      config.channels.map((c) => [c.id, c.endpoint.credentials]),
      [['kling-api-key', { KLING_API_KEY: API_KEY }]],
    );
    assert.throws(() => loadConfig({ KLING_ACCESS_KEY: AK }), /kling \(kling-jwt\) needs KLING_ACCESS_KEY \+ KLING_SECRET_KEY; missing KLING_SECRET_KEY/);
  });
});
