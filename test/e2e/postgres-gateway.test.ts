/**
 * The gateway on PostgreSQL (VIDGATE_DATABASE_URL): the whole task flow, and what happens when the
 * database goes away while it runs (creates answer 503 with Retry-After, never a 200 that was not
 * stored, never a 500; the engine backs off and resumes) and when it is unusable at start.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createPgDatabase, pgUrlFor } from '../helpers/stores.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const CLIP = { model: 'veo3.1-fast', prompt: 'a lighthouse at dusk', duration: 4 };

describe('the gateway on PostgreSQL', { timeout: 180_000 }, () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let proxy: TcpProxy;
  let gw: TestGateway;

  before(async () => {
    database = await createPgDatabase();
    // The gateway reaches PostgreSQL through a proxy the test can take down.
    proxy = new TcpProxy('127.0.0.1', 5432);
    await proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    gw = await startTestGateway({ VIDGATE_DATABASE_URL: viaProxy.toString() });
  });
  after(async () => {
    await gw?.close();
    await proxy.stop();
    await database.drop();
  });

  it('warns at start, in one line, that its in-process simulators and local blobs are its own (fine alone, wrong for several nodes)', () => {
    const warnings = gw.logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40 && l.msg.startsWith('VIDGATE_DATABASE_URL is set'));
    assert.equal(warnings.length, 1, gw.logs.join(''));
    assert.match(warnings[0].msg, /run `npm run sim` once and start every node with VIDGATE_SANDBOX=0/);
    assert.match(warnings[0].msg, /set VIDGATE_BLOB_URL to S3-compatible storage/);
  });

  it('vidgate_tasks_in_state is the cluster-wide count, the same on every node, and says so', async () => {
    // A second node on the same database, serving the API only (its engine would claim the task).
    const other = await startTestGateway({ VIDGATE_DATABASE_URL: database.url, VIDGATE_ROLE: 'api', VIDGATE_ADMIN_KEY: gw.adminKey });
    try {
      // Every create of this prompt is refused upstream, so the task stays unfinished (pending or submitting).
      const created = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { ...CLIP, prompt: 'queued [sim:429]' } })).json()) as { id: string };
      const unfinished = async (node: TestGateway) => {
        const text = await (await node.api('/metrics')).text();
        assert.match(text, /^# HELP vidgate_tasks_in_state .*across the cluster.*max by \(state\), not sum/m);
        return [...text.matchAll(/^vidgate_tasks_in_state\{state="\w+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      };
      assert.equal(await unfinished(gw), 1);
      assert.equal(await unfinished(other), 1, 'the node that holds no task reports it too');
      assert.equal((await gw.api(`/v1/tasks/${created.id}`, { method: 'DELETE' })).status, 200);
    } finally {
      await other.close();
    }
  });

  it('creates, completes, serves, lists, replays and cancels', async () => {
    const created = await gw.api('/v1/videos/generations', { method: 'POST', json: CLIP, headers: { 'idempotency-key': 'pg-1' } });
    assert.equal(created.status, 200, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    const replay = await gw.api('/v1/videos/generations', { method: 'POST', json: CLIP, headers: { 'idempotency-key': 'pg-1' } });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await replay.json()) as { id: string }).id, id);
    const done = await waitForTask(gw, id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const video = await fetch(done.video_url, { headers: { range: 'bytes=0-99' } });
    assert.equal(video.status, 206);
    assert.equal((await video.arrayBuffer()).byteLength, 100);
    const list = (await (await gw.api('/v1/tasks?limit=5')).json()) as { data: { id: string }[] };
    assert.ok(list.data.some((t) => t.id === id));
    const stuck = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { ...CLIP, prompt: 'busy [sim:429]' } })).json()) as { id: string };
    const cancel = await gw.api(`/v1/tasks/${stuck.id}`, { method: 'DELETE' });
    assert.equal(cancel.status, 200, await cancel.clone().text());
    assert.equal(((await cancel.json()) as { cancelled: boolean }).cancelled, true);
  });

  it('while the database is away: creates answer 503 with Retry-After, reads too; afterwards work resumes', async () => {
    await proxy.stop();
    try {
      for (let i = 0; i < 3; i++) {
        const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { ...CLIP, prompt: `during the outage ${i}` } });
        assert.equal(res.status, 503, await res.clone().text());
        assert.equal(res.headers.get('retry-after'), '5');
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'service_unavailable');
      }
      assert.equal((await gw.api('/v1/tasks?limit=1')).status, 503);
      // The engine keeps ticking (and failing) without crashing the process.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    } finally {
      await proxy.start(proxy.port);
    }
    let created: Response | undefined;
    for (let i = 0; i < 40; i++) {
      created = await gw.api('/v1/videos/generations', { method: 'POST', json: { ...CLIP, prompt: 'after the outage' } });
      if (created.status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(created!.status, 200);
    const done = await waitForTask(gw, ((await created!.json()) as { id: string }).id);
    assert.equal(done.status, 'completed');
    assert.ok(!gw.logs.some((l) => l.includes('"statusCode":500')), 'no 500 was answered');
  });

  it('/metrics keeps answering while the database is away (process metrics, vidgate_store_up 0) for a key it confirmed; revocation wins once it is back', async () => {
    const sample = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    const scrape = (key: string) => gw.api('/metrics', { key });
    // Another node on the same database, reached without the proxy: it creates and revokes keys behind this node's back.
    const other = await startTestGateway({ VIDGATE_DATABASE_URL: database.url, VIDGATE_ROLE: 'api', VIDGATE_ADMIN_KEY: gw.adminKey });
    try {
      const newAdminKey = async () => (await (await other.api('/v1/admin/keys', { method: 'POST', json: { name: 'scraper', admin: true } })).json()) as { id: string; key: string };
      const revoked = await newAdminKey();
      const neverSeen = await newAdminKey();
      const up = await scrape(gw.adminKey);
      assert.equal(up.status, 200);
      const upText = await up.text();
      assert.deepEqual(sample(upText, 'vidgate_store_up'), ['vidgate_store_up 1']);
      assert.equal(sample(upText, 'vidgate_tasks_in_state').length, 4);
      assert.equal((await scrape(revoked.key)).status, 200, 'this node has confirmed the key');
      assert.equal((await other.api(`/v1/admin/keys/${revoked.id}`, { method: 'DELETE' })).status, 200);

      await proxy.stop();
      try {
        // Past the 5 s key cache: every key must now be looked up in a store that does not answer.
        await new Promise((r) => setTimeout(r, 5_500));
        const down = await scrape(gw.adminKey);
        assert.equal(down.status, 200, await down.clone().text());
        const downText = await down.text();
        assert.deepEqual(sample(downText, 'vidgate_store_up'), ['vidgate_store_up 0']);
        assert.deepEqual(sample(downText, 'vidgate_tasks_in_state'), [], 'the store-backed gauge is left out, not stale');
        assert.equal(sample(downText, 'vidgate_process_resident_memory_bytes').length, 1, 'process metrics are still there');
        // This node cannot know the key was revoked elsewhere until the store answers (bounded: STALE_KEY_MS).
        assert.equal((await scrape(revoked.key)).status, 200);
        // A key the store never confirmed to this node is not let in.
        const unknown = await scrape(neverSeen.key);
        assert.equal(unknown.status, 503);
        const unknownBody = (await unknown.json()) as { error: { code: string; message: string } };
        assert.equal(unknownBody.error.code, 'service_unavailable');
        assert.doesNotMatch(unknownBody.error.message, /Idempotency-Key/, 'not a create: no advice about Idempotency-Key');
        const read = (await (await gw.api('/v1/tasks?limit=1')).json()) as { error: { message: string } };
        assert.doesNotMatch(read.error.message, /Idempotency-Key/);
        const create = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: CLIP })).json()) as { error: { message: string } };
        assert.match(create.error.message, /with the same Idempotency-Key/);
      } finally {
        await proxy.start(proxy.port);
      }
      let back = '';
      for (let i = 0; i < 40 && !back.includes('vidgate_store_up 1'); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 250));
        back = await (await scrape(gw.adminKey)).text();
      }
      assert.deepEqual(sample(back, 'vidgate_store_up'), ['vidgate_store_up 1']);
      assert.equal((await scrape(revoked.key)).status, 401, 'the store answers again: the revocation wins');
    } finally {
      await other.close();
    }
  });

  it('/metrics answers within seconds when the database goes silent (no refusal, no reset: a network cut)', async () => {
    const sample = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name} `));
    assert.equal((await gw.api('/metrics')).status, 200, 'this node has confirmed the key');
    proxy.freeze();
    try {
      // Past the 5 s key cache: the key's lookup goes to a store that never answers.
      await new Promise((r) => setTimeout(r, 5_500));
      const started = Date.now();
      const down = await gw.api('/metrics', { signal: AbortSignal.timeout(20_000) });
      const took = Date.now() - started;
      assert.equal(down.status, 200, await down.clone().text());
      assert.deepEqual(sample(await down.text(), 'vidgate_store_up'), ['vidgate_store_up 0']);
      assert.ok(took < 8_000, `a scrape took ${took} ms with the database silent`);
    } finally {
      // Cut the frozen connections (their queries fail and go back to the pool), then serve again.
      await proxy.stop();
      await proxy.start(proxy.port);
    }
    let back = '';
    for (let i = 0; i < 40 && !back.includes('vidgate_store_up 1'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
      back = await (await gw.api('/metrics')).text();
    }
    assert.deepEqual(sample(back, 'vidgate_store_up'), ['vidgate_store_up 1']);
  });

  it('a database that cannot be reached at start is one line naming VIDGATE_DATABASE_URL, exit 1', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: '0', VIDGATE_DATA_DIR: `${gw.dataDir}-unused`, VIDGATE_DATABASE_URL: pgUrlFor('nope').replace(':5432', ':1'), VIDGATE_ADMIN_KEY: gw.adminKey },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 1, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /^vidgate: failed to start: cannot use the database at VIDGATE_DATABASE_URL \(127\.0\.0\.1:1\/nope\)/);
    assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/);
  });
});
