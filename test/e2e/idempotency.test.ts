import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { inferOperation } from '../../src/contract/infer-operation.js';
import { parseVideoRequest } from '../../src/contract/parse-video-request.js';
import { requestFingerprint } from '../../src/tasks/request-fingerprint.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';
import { JPEG_BYTES } from '../providers/local-server.js';

describe('Idempotency-Key on POST /v1/videos/generations', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  const create = (body: unknown, idem?: string, key?: string) => gw.api('/v1/videos/generations', { method: 'POST', json: body, key, headers: idem === undefined ? {} : { 'idempotency-key': idem } });
  const googleCreates = () => (gw.sandbox!.google!.stats as { creates: number }).creates;

  it('a retried create with the same key and body returns the original task, created once upstream', async () => {
    const body = { model: 'veo3.1-fast', prompt: 'idempotent clip', duration: 4 };
    const first = await create(body, 'retry-1');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const original = (await first.json()) as Record<string, any>;
    // Same body, other key order: still the same request.
    const again = await create({ duration: 4, prompt: 'idempotent clip', model: 'veo3.1-fast' }, 'retry-1');
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const replay = (await again.json()) as Record<string, any>;
    assert.deepEqual(validateAgainst('VideoGenerationResponse', replay), []);
    assert.equal(replay.id, original.id);
    assert.equal(replay.created, original.created);
  });

  it('the same key with a different body is a 409', async () => {
    await create({ model: 'veo3.1-fast', prompt: 'one', duration: 4 }, 'reuse-1');
    const res = await create({ model: 'veo3.1-fast', prompt: 'two', duration: 4 }, 'reuse-1');
    assert.equal(res.status, 409);
    const body = (await res.json()) as any;
    assert.deepEqual(validateAgainst('ApiError', body), []);
    assert.equal(body.error.code, 'idempotency_key_reused');
  });

  it('concurrent duplicates produce exactly one task and one upstream job', async () => {
    // Earlier tests' tasks are submitted first, so that this count is this test's alone.
    for (let i = 0; i < 200; i++) {
      const pending = (await (await gw.api('/v1/tasks?status=pending')).json()) as { data: unknown[] };
      if (pending.data.length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = googleCreates();
    const body = { model: 'veo3.1-fast', prompt: 'burst of retries', duration: 4 };
    const answers = await Promise.all(Array.from({ length: 12 }, () => create(body, 'burst-1')));
    const ids = new Set<string>();
    for (const a of answers) {
      assert.equal(a.status, 200);
      ids.add(((await a.json()) as any).id);
    }
    assert.equal(ids.size, 1);
    const id = [...ids][0];
    // Wait until it was submitted, then count upstream creates.
    for (let i = 0; i < 200; i++) {
      const t = (await (await gw.api(`/v1/tasks/${id}`)).json()) as any;
      if (t.status !== 'pending') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(googleCreates() - before, 1);
  });

  it('keys are per API key: another key with the same Idempotency-Key gets its own task', async () => {
    const other = ((await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'other' } })).json()) as any).key;
    const body = { model: 'veo3.1-fast', prompt: 'per key', duration: 4 };
    const a = (await (await create(body, 'shared-name')).json()) as any;
    const b = (await (await create(body, 'shared-name', other)).json()) as any;
    assert.notEqual(a.id, b.id);
  });

  const newKey = async (name: string) => (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name } })).json()) as { id: string; key: string };
  /** Read beside the running gateway (WAL). */
  function sql<T>(run: (db: SQLite.Database) => T, readonly = true): T {
    const db = new SQLite(path.join(gw.dataDir, 'vidgate.sqlite'), { readonly, fileMustExist: true });
    try {
      return run(db);
    } finally {
      db.close();
    }
  }
  /** The key's tasks and the reservations made for them. */
  const footprint = (keyId: string) =>
    sql((db) => ({
      tasks: (db.prepare('select count(*) as n from tasks where owner_key_id = ?').get(keyId) as { n: number }).n,
      reservations: (db.prepare("select count(*) as n from ledger where key_id = ? and kind = 'reserve'").get(keyId) as { n: number }).n,
    }));

  it('bodies that parse to the same request replay it: an alias, a null field, another key order', async () => {
    const k = await newKey('variants');
    const first = await create({ model: 'veo3.1-fast', prompt: 'n', duration: 4 }, 'same-request', k.key);
    assert.equal(first.status, 200);
    const id = ((await first.json()) as { id: string }).id;
    const variants = [
      { model: 'veo3.1-fast', prompt: 'n', seconds: 4 },
      { model: 'veo3.1-fast', prompt: 'n', duration: 4, negative_prompt: null },
      { negative_prompt: null, seconds: 4, prompt: 'n', model: 'veo3.1-fast', seed: null },
      { model: 'veo3.1-fast', prompt: 'n', duration: 4, seconds: 4 },
      // The operation the gateway infers for these inputs, now named.
      { model: 'veo3.1-fast', prompt: 'n', duration: 4, operation: 'text-to-video' },
    ];
    for (const body of variants) {
      const res = await create(body, 'same-request', k.key);
      assert.equal(res.status, 200, `${JSON.stringify(body)}: ${await res.clone().text()}`);
      assert.equal(res.headers.get('idempotent-replayed'), 'true', JSON.stringify(body));
      assert.equal(((await res.json()) as { id: string }).id, id, JSON.stringify(body));
    }
    assert.deepEqual(footprint(k.id), { tasks: 1, reservations: 1 });
  });

  it('a request that parses differently is a 409, however it is spelled', async () => {
    const k = await newKey('different');
    assert.equal((await create({ model: 'veo3.1-fast', prompt: 'n', duration: 4 }, 'differs', k.key)).status, 200);
    for (const body of [
      { model: 'veo3.1-fast', prompt: 'n', seconds: 6 },
      { model: 'veo3.1-fast', prompt: 'n', duration: 4, negative_prompt: 'blur' },
      { model: 'veo3.1-fast', prompt: 'n', duration: 4, aspect_ratio: '9:16' },
      { model: 'veo3.1-fast', prompt: 'N', duration: 4 },
      { model: 'veo3.1', prompt: 'n', duration: 4 },
    ]) {
      const res = await create(body, 'differs', k.key);
      assert.equal(res.status, 409, JSON.stringify(body));
      assert.equal(((await res.json()) as any).error.code, 'idempotency_key_reused');
    }
    assert.deepEqual(footprint(k.id), { tasks: 1, reservations: 1 });
  });

  it('the OpenAI-compatible route and the TokenLab route agree on what is the same request', async () => {
    const k = await newKey('both-doors');
    const openai = (body: unknown, idem: string) => gw.api('/v1/videos', { method: 'POST', json: body, key: k.key, headers: { 'idempotency-key': idem } });
    // OpenAI first, then the same request in TokenLab's words (and the reverse).
    const a = await openai({ model: 'veo3.1-fast', prompt: 'n', seconds: '4' }, 'door-a');
    assert.equal(a.status, 200, await a.clone().text());
    const aId = ((await a.json()) as { id: string }).id;
    for (const body of [
      { model: 'veo3.1-fast', prompt: 'n', seconds: 4 },
      { model: 'veo3.1-fast', prompt: 'n', duration: 4, negative_prompt: null },
    ]) {
      const res = await create(body, 'door-a', k.key);
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(((await res.json()) as { id: string }).id, aId);
    }
    const b = await create({ prompt: 'm', seconds: 4, model: 'veo3.1-fast', negative_prompt: null }, 'door-b', k.key);
    assert.equal(b.status, 200);
    const bId = ((await b.json()) as { id: string }).id;
    const again = await openai({ model: 'veo3.1-fast', prompt: 'm', seconds: 4 }, 'door-b');
    assert.equal(again.status, 200, await again.clone().text());
    assert.equal(((await again.json()) as { id: string }).id, bId);
    // A different request is refused the same way through either door.
    const other = await openai({ model: 'veo3.1-fast', prompt: 'm', seconds: '6' }, 'door-b');
    assert.equal(other.status, 409);
    assert.equal(((await other.json()) as any).error.code, 'idempotency_key_reused');
    assert.deepEqual(footprint(k.id), { tasks: 2, reservations: 2 });
  });

  it('a record stored before request fingerprints (a hash of the raw body) still replays a retry of that body', async () => {
    const k = await newKey('upgrade');
    const body = { prompt: 'from before the upgrade', model: 'veo3.1-fast', duration: 4 };
    const first = await create(body, 'old-record', k.key);
    const id = ((await first.json()) as { id: string }).id;
    // What the previous release stored: sha256 of the body with its keys sorted.
    const sorted = Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1)));
    const legacy = createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
    sql((db) => db.prepare('update idempotency_keys set body_hash = ? where owner_key_id = ? and idem_key = ?').run(legacy, k.id, 'old-record'), false);
    const retry = await create({ model: 'veo3.1-fast', duration: 4, prompt: 'from before the upgrade' }, 'old-record', k.key);
    assert.equal(retry.status, 200);
    assert.equal(((await retry.json()) as { id: string }).id, id);
    assert.equal((await create({ ...body, prompt: 'another' }, 'old-record', k.key)).status, 409);
    assert.deepEqual(footprint(k.id), { tasks: 1, reservations: 1 });
  });

  it('a record stored before inline image/jpg was renamed (a fingerprint of the request as sent) still replays a retry of those bytes', async () => {
    const k = await newKey('jpg-upgrade');
    const body = { model: 'veo3.1-fast', prompt: 'a jpg from before the upgrade', image: `data:image/jpg;base64,${JPEG_BYTES.toString('base64')}`, duration: 4 };
    const first = await create(body, 'old-jpg', k.key);
    assert.equal(first.status, 200, await first.clone().text());
    const id = ((await first.json()) as { id: string }).id;
    // What the previous release stored: the fingerprint of the request as parsed, its image/jpg as sent.
    const asSent = requestFingerprint(parseVideoRequest(body, (r) => inferOperation(r, ['text-to-video', 'image-to-video'])));
    sql((db) => db.prepare('update idempotency_keys set body_hash = ? where owner_key_id = ? and idem_key = ?').run(asSent, k.id, 'old-jpg'), false);
    const retry = await create(body, 'old-jpg', k.key);
    assert.equal(retry.status, 200, await retry.clone().text());
    assert.equal(((await retry.json()) as { id: string }).id, id);
    assert.equal((await create({ ...body, prompt: 'another' }, 'old-jpg', k.key)).status, 409);
    assert.deepEqual(footprint(k.id), { tasks: 1, reservations: 1 });
  });

  it('a deeply nested value is a 400 before any hashing, and leaves the key unused', async () => {
    // Written by hand: JSON.stringify itself cannot go this deep.
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const raw = (pathname: string, json: string) => gw.api(pathname, { method: 'POST', body: json, headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-1' } });
    const res = await raw('/v1/videos/generations', `{"model":"veo3.1-fast","prompt":"deep","duration":4,"kling_elements":[${deep}]}`);
    assert.equal(res.status, 400, await res.clone().text());
    const openai = await raw('/v1/videos', `{"model":"veo3.1-fast","prompt":"deep","input_reference":{"image_url":${deep}}}`);
    assert.equal(openai.status, 400, await openai.clone().text());
    const fine = await create({ model: 'veo3.1-fast', prompt: 'deep', duration: 4 }, 'deep-1');
    assert.equal(fine.status, 200);
    assert.equal(fine.headers.get('idempotent-replayed'), null);
  });

  it('a malformed Idempotency-Key is a 400', async () => {
    const res = await create({ model: 'veo3.1-fast', prompt: 'x', duration: 4 }, 'has space');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as any).error.code, 'invalid_idempotency_key');
  });
});
