/**
 * The cluster, end to end, with every party in its own process: the simulators (`npm run sim`),
 * three gateway nodes (`VIDGATE_ROLE=all`) sharing one fresh PostgreSQL database, one S3-compatible
 * store (s3rver, in a temp dir) and Redis (a database number of its own). Neither the admin key nor
 * the URL-signing secret is configured: the nodes share them through the database.
 *
 * Tasks across eight providers are created round-robin on the three nodes (some with an
 * Idempotency-Key); the node holding an upstream create in flight is killed with `kill -9` while
 * other tasks are processing. Then: every task ends (completed, or `submission_interrupted` where
 * the dead node's create had an unknown outcome); the simulators saw no more creates than there
 * are tasks; every video is served with Range by the surviving nodes; balance, spend, reservations
 * and the ledger add up exactly (at the moment of death too); every task reads the same on every
 * node; an rpm_limit holds across nodes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { defaultCatalog } from '../../src/catalog/index.js';
import { costForOutputUsd } from '../../src/catalog/pricing.js';
import type { Resolution } from '../../src/contract/operations.js';
import { admittedAcross } from '../helpers/limits.js';
import { upstreamJobsOf, simFault, simResetFaults, simStats, startGatewayProcess, startSimProcess, type GatewayProcess, type SimProcess } from '../helpers/processes.js';
import { claimRedisDatabase, type ClaimedRedisDatabase } from '../helpers/redis-server.js';
import { S3RVER_ENV, startTestS3, type TestS3 } from '../helpers/s3.js';
import { createPgDatabase } from '../helpers/stores.js';
import { until } from '../helpers/until.js';
import { CHEAP_REQUESTS, typicalSeconds } from '../helpers/workload.js';

const NODES = 3;
const LEASE_MS = 5_000;
const BALANCE = 100;
/** Creates (and every other call) of these simulators are slow while the node is killed: a create is in flight. */
const SLOW_PROVIDERS = ['kling', 'google', 'openai'];
const SLOW_MS = 3_000;
/** Where clients reach the cluster (a load balancer in a real deployment): every node hands out links there. */
const PUBLIC_BASE_URL = 'https://videos.example.test';

const WORKLOAD = CHEAP_REQUESTS;

interface Node {
  index: number;
  gw: GatewayProcess;
  dataDir: string;
  /** The id its leases carry (work_items.lease_owner), from its 'engine started' log line. */
  workerId: string;
}

interface Submitted {
  id: string;
  provider: string;
  model: string;
  resolution: Resolution;
  /** The node that created it. */
  node: number;
  body: Record<string, unknown>;
  idempotencyKey: string | null;
}

type Row = Record<string, any>;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-cluster-'));
let sim: SimProcess;
let s3: TestS3;
let database: Awaited<ReturnType<typeof createPgDatabase>>;
let redisDb: ClaimedRedisDatabase;
let db: pg.Client;
const nodes: Node[] = [];
let adminKey = '';

/** The PostgreSQL application_name of node `index`'s connections. */
const sessionName = (index: number) => `vidgate-cluster-node${index}`;

/** `url` with node `index`'s application_name. */
function namedSessions(url: string, index: number): string {
  const u = new URL(url);
  u.searchParams.set('application_name', sessionName(index));
  return u.toString();
}

async function startNode(index: number): Promise<Node> {
  const dataDir = path.join(work, `node${index}`);
  const gw = await startGatewayProcess({
    VIDGATE_DATA_DIR: dataDir,
    VIDGATE_ROLE: 'all',
    // Named, so the test can see when a killed node's sessions have ended (pg_stat_activity).
    VIDGATE_DATABASE_URL: namedSessions(database.url, index),
    VIDGATE_BLOB_URL: s3.blobUrl('outputs'),
    VIDGATE_REDIS_URL: redisDb.url,
    PUBLIC_BASE_URL,
    ...S3RVER_ENV,
    VIDGATE_LEASE_MS: String(LEASE_MS),
    VIDGATE_ENGINE_TICK_MS: '100',
    // Polls are scheduled around 3 s of upstream latency; the simulators run 40x faster than real.
    VIDGATE_CATALOG_OVERRIDES: typicalSeconds(WORKLOAD, 3),
    ...sim.env,
  });
  const node: Node = { index, gw, dataDir, workerId: '' };
  nodes[index] = node;
  // The worker id is logged once the node's engine thread has started: three nodes start at once on
  // two cores, which took over 10 s once in CI straight after the chaos test.
  await until(`node ${index} to log its worker id`, () => /"workerId":"(worker_[0-9a-f]+)"/.test(gw.out.join('')), 30_000);
  node.workerId = /"workerId":"(worker_[0-9a-f]+)"/.exec(gw.out.join(''))![1];
  return node;
}

before(async () => {
  // Settled one by one, so what did start is stopped by after() even when something else did not.
  const started = await Promise.allSettled([
    startSimProcess({ speed: 40, dataDir: path.join(work, 'sim') }).then((x) => (sim = x)),
    startTestS3('vidgate-cluster').then((x) => (s3 = x)),
    createPgDatabase().then((x) => (database = x)),
    claimRedisDatabase().then((x) => (redisDb = x)),
  ]);
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
  // All three at once on the fresh database: migrations take turns, one admin key is generated.
  await Promise.all(Array.from({ length: NODES }, (_, i) => startNode(i)));
});

/** Set when every test passed; otherwise the nodes' logs are kept for the post-mortem. */
let allPassed = false;

after(async () => {
  await Promise.all(nodes.filter(Boolean).map((n) => n.gw.stop()));
  if (!allPassed && nodes.length > 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-cluster-logs-'));
    for (const n of nodes.filter(Boolean)) fs.writeFileSync(path.join(dir, `node${n.index}.log`), n.gw.out.join('') + n.gw.stderr());
    console.log(`cluster: the nodes' logs are in ${dir}`);
  }
  await db?.end().catch(() => undefined);
  await sim?.stop();
  await s3?.close();
  await database?.drop();
  await redisDb?.release();
  fs.rmSync(work, { recursive: true, force: true });
});

async function call(node: Node, p: string, init: { method?: string; json?: unknown; key?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${node.gw.url}${p}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.key ?? adminKey}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
}

async function json(res: Response, status = 200): Promise<Row> {
  const text = await res.text();
  assert.equal(res.status, status, `${res.url}: ${text}`);
  return JSON.parse(text) as Row;
}

/** A signed link (to the public base URL) sent to one node, as the load balancer would (any node with the shared secret serves it). */
function on(node: Node, url: string): string {
  const u = new URL(url);
  return `${node.gw.url}${u.pathname}${u.search}`;
}

/** The database as one consistent picture (one REPEATABLE READ transaction), alive nodes writing meanwhile. */
async function snapshot(keyId: string): Promise<{ tasks: Map<string, Row>; leases: Row[]; key: Row; ledger: Row[] }> {
  await db.query('begin isolation level repeatable read');
  try {
    const tasks = (await db.query('select id, state, provider, channel_id, upstream_id, error_code, estimated_cost_usd, cost_usd, billing_transaction_id, video_blob from tasks where owner_key_id = $1', [keyId])).rows;
    const leases = (await db.query('select w.queue, w.item_id, w.lease_owner, w.due_ms, t.state, t.provider from work_items w join tasks t on t.id = w.item_id where w.lease_owner is not null')).rows;
    const key = (await db.query('select balance_usd, reserved_usd, spent_usd from api_keys where id = $1', [keyId])).rows[0];
    const ledger = (await db.query('select id, task_id, kind, amount_usd from ledger where key_id = $1', [keyId])).rows;
    return { tasks: new Map(tasks.map((t) => [t.id, t])), leases, key, ledger };
  } finally {
    await db.query('commit');
  }
}

const TERMINAL = new Set(['completed', 'failed']);
const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

/** Money adds up in any committed state: reserved = estimates of unfinished tasks, spent = costs of completed ones. */
function assertMoneyAddsUp(s: Awaited<ReturnType<typeof snapshot>>, when: string): { reserved: number; spent: number } {
  const rows = [...s.tasks.values()];
  const reserved = rows.filter((t) => !TERMINAL.has(t.state)).reduce((sum, t) => sum + t.estimated_cost_usd, 0);
  const spent = rows.filter((t) => t.state === 'completed').reduce((sum, t) => sum + t.cost_usd, 0);
  assert.ok(close(s.key.reserved_usd, reserved), `${when}: reserved ${s.key.reserved_usd}, unfinished tasks' estimates ${reserved}`);
  assert.ok(close(s.key.spent_usd, spent), `${when}: spent ${s.key.spent_usd}, completed tasks' costs ${spent}`);
  assert.ok(close(s.key.balance_usd, BALANCE - spent), `${when}: balance ${s.key.balance_usd}, ${BALANCE} − ${spent}`);
  const settled = s.ledger.filter((e) => e.kind === 'settle').reduce((sum, e) => sum + e.amount_usd, 0);
  assert.ok(close(settled, spent), `${when}: ledger settlements ${settled}, spent ${spent}`);
  return { reserved, spent };
}

/** Long-polls a task on `node` until it is terminal; a clear failure with its last state otherwise. */
async function terminal(node: Node, id: string, key: string, deadline: number): Promise<Row> {
  let last: Row = {};
  while (Date.now() < deadline) {
    const wait = Math.max(1, Math.min(15, Math.floor((deadline - Date.now()) / 1000)));
    last = await json(await call(node, `/v1/tasks/${id}?wait=${wait}`, { key }));
    if (TERMINAL.has(last.status)) return last;
  }
  throw new Error(`task ${id} did not end in time; last seen on node ${node.index}: ${JSON.stringify(last)}`);
}

describe('a cluster of three nodes on PostgreSQL, S3 and Redis', { timeout: 240_000 }, () => {
  it('shares one admin key and one URL secret through the database; an rpm_limit of 12 admits 12 across three nodes, not 36; a revocation reaches every node', async () => {
    // Exactly one of the three nodes that started at once generated (and printed) the admin key.
    await until('a node to print the generated admin key', () => nodes.some((n) => /sk-\S+/.test(n.gw.stderr())), 10_000);
    const printed = nodes.map((n) => /\n\s+(sk-\S+)\n/.exec(n.gw.stderr())?.[1]).filter((k): k is string => k !== undefined);
    assert.equal(printed.length, 1, `one node generated the admin key: ${nodes.map((n) => n.gw.stderr()).join(' | ')}`);
    adminKey = printed[0];
    for (const n of nodes) assert.equal((await call(n, '/v1/admin/keys')).status, 200, `the admin key works on node ${n.index}`);
    const secrets = (await db.query(`select value from meta where key = 'url_signing_secret'`)).rows;
    assert.equal(secrets.length, 1, 'one URL-signing secret, in the database');

    const { admitted, keyId } = await admittedAcross(
      nodes.map((n) => n.gw.url),
      adminKey,
      12,
      36,
    );
    assert.equal(admitted, 12, 'an rpm_limit of 12 admits 12 requests across three nodes');
    assert.ok((await redisDb.redis.keys(`vidgate:limits:req:${keyId}:*`)).length === 1, `counted in Redis database ${redisDb.db}`);

    // Revoked on one node: refused there at once, and by the others within their key cache's TTL
    // (5 s from when they cached it; 3 s more for this check's own polling on a loaded machine).
    const k = await json(await call(nodes[0], '/v1/admin/keys', { method: 'POST', json: { name: 'revoked' } }), 201);
    for (const n of nodes) assert.equal((await call(n, '/v1/usage', { key: k.key })).status, 200);
    const cachedBy = Date.now();
    await json(await call(nodes[1], `/v1/admin/keys/${k.id}`, { method: 'DELETE' }));
    assert.equal((await call(nodes[1], '/v1/usage', { key: k.key })).status, 401);
    await until(
      'every node to refuse the revoked key',
      async () => {
        const statuses = await Promise.all(nodes.map(async (n) => (await call(n, '/v1/usage', { key: k.key })).status));
        return statuses.every((s) => s === 401);
      },
      8_000 - (Date.now() - cachedBy),
      250,
    );
  });

  it('kill -9 of a node while it submits and others process: every task ends, no job is created twice, every video is served by the survivors, money adds up', async () => {
    assert.ok(adminKey, 'the admin key was found by the first test');
    const started = Date.now();
    const created = await json(await call(nodes[0], '/v1/admin/keys', { method: 'POST', json: { name: 'cluster' } }), 201);
    await json(await call(nodes[1], `/v1/admin/keys/${created.id}`, { method: 'PATCH', json: { balance_usd: BALANCE } }));
    const key: string = created.key;
    const tasks: Submitted[] = [];
    const statsBefore = await simStats(sim.controlUrl);
    for (const w of WORKLOAD) assert.equal(statsBefore[w.provider]?.creates, 0, `${w.provider}: a fresh simulator`);

    const create = async (node: Node, w: (typeof WORKLOAD)[number], prompt: string, idempotencyKey: string | null): Promise<Response> =>
      call(node, '/v1/videos/generations', { method: 'POST', key, json: { ...w.body, prompt }, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
    const submit = async (node: Node, w: (typeof WORKLOAD)[number], prompt: string, idempotencyKey: string | null) => {
      const body = await json(await create(node, w, prompt, idempotencyKey));
      tasks.push({ id: body.id, provider: w.provider, model: w.body.model as string, resolution: w.resolution, node: node.index, body: { ...w.body, prompt }, idempotencyKey });
      // Readable at once on another node (a live one).
      const other = nodes.find((n) => n !== node && n.gw.proc.exitCode === null && n.gw.proc.signalCode === null)!;
      const read = await json(await call(other, `/v1/tasks/${body.id}`, { key }));
      assert.equal(read.id, body.id);
      assert.equal(read.model, w.body.model);
    };

    // ---- The same Idempotency-Key on all three nodes at once: one task.
    const dup = WORKLOAD[2];
    const answers = await Promise.all(nodes.map((n) => create(n, dup, 'one task, three nodes', 'cluster-dup')));
    const dupBodies = await Promise.all(answers.map((r) => json(r)));
    assert.equal(new Set(dupBodies.map((b) => b.id)).size, 1, 'concurrent duplicates on three nodes make one task');
    assert.equal(answers.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, NODES - 1);
    const firstNode = answers.findIndex((r) => r.headers.get('idempotent-replayed') !== 'true');
    tasks.push({
      id: dupBodies[0].id,
      provider: dup.provider,
      model: dup.body.model as string,
      resolution: dup.resolution,
      node: firstNode,
      body: { ...dup.body, prompt: 'one task, three nodes' },
      idempotencyKey: 'cluster-dup',
    });

    // ---- Round-robin creates on the three nodes, with upstream creates slow on three providers.
    for (const p of SLOW_PROVIDERS) await simFault(sim.controlUrl, p, 'setLatency', SLOW_MS);
    for (let i = 0; i < 3 * WORKLOAD.length; i++) {
      await submit(nodes[i % NODES], WORKLOAD[i % WORKLOAD.length], `before the kill #${i}`, i % 4 === 0 ? `cluster-${i}` : null);
    }

    // ---- Kill the node holding a slow create in flight, once other tasks are processing.
    const pick: { node?: Node; seen: string } = { seen: '' };
    await until(
      'a node holding a slow upstream create while other tasks are processing',
      async () => {
        const holders = (
          await db.query(
            `select w.lease_owner as owner, count(*)::int as n from work_items w join tasks t on t.id = w.item_id
             where w.queue = 'task.submit' and t.state = 'submitting' and t.provider = any($1) and w.lease_owner is not null and w.due_ms > $2
             group by w.lease_owner order by n desc`,
            [SLOW_PROVIDERS, Date.now()],
          )
        ).rows;
        const processing = (await db.query(`select count(*)::int as n from tasks where state = 'processing'`)).rows[0].n;
        pick.seen = `holders ${JSON.stringify(holders)}, processing ${processing}`;
        pick.node = nodes.find((n) => holders.length > 0 && n.workerId === holders[0].owner);
        return pick.node !== undefined && processing > 0;
      },
      30_000,
      20,
      () => pick.seen,
    );
    const victim = pick.node!;
    const sessionsOf = async (node: Node) => (await db.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [sessionName(node.index)])).rows[0].n as number;
    assert.ok((await sessionsOf(victim)) > 0, "the node's database sessions carry its name");
    await victim.gw.kill9();
    const killedAt = Date.now();
    const survivors = nodes.filter((n) => n !== victim);
    // A COMMIT the node sent just before it died is still applied by its session: wait for its
    // sessions to end (under load that took longer than reading the snapshot).
    await until("the killed node's database sessions to end", async () => (await sessionsOf(victim)) === 0, 15_000);
    // The database at the moment of death is what the survivors recover from.
    const atKill = await snapshot(created.id);
    const heldByVictim = atKill.leases.filter((l) => l.lease_owner === victim.workerId);
    const submittingOnVictim = new Set(heldByVictim.filter((l) => l.queue === 'task.submit' && l.state === 'submitting').map((l) => l.item_id as string));
    const processingAtKill = [...atKill.tasks.values()].filter((t) => t.state === 'processing').length;
    assert.ok(submittingOnVictim.size >= 1, `the killed node was mid-submission: ${JSON.stringify(heldByVictim)}`);
    assert.ok(processingAtKill >= 1, 'tasks were processing when the node died');
    assertMoneyAddsUp(atKill, 'at the kill');
    for (const p of SLOW_PROVIDERS) await simResetFaults(sim.controlUrl, p);

    // ---- Clients carry on with the survivors: idempotent replays answer the task created on any node.
    for (const t of tasks.filter((x) => x.idempotencyKey !== null)) {
      const reader = survivors.find((n) => n.index !== t.node)!;
      const res = await call(reader, '/v1/videos/generations', { method: 'POST', key, json: t.body, headers: { 'idempotency-key': t.idempotencyKey! } });
      assert.equal((await json(res)).id, t.id, `replay of ${t.idempotencyKey} on node ${reader.index}`);
      assert.equal(res.headers.get('idempotent-replayed'), 'true');
    }
    const reused = tasks.find((t) => t.idempotencyKey !== null && t.node === victim.index) ?? tasks.find((t) => t.idempotencyKey !== null)!;
    const conflict = await json(await call(survivors[0], '/v1/videos/generations', { method: 'POST', key, json: { ...reused.body, prompt: 'another body' }, headers: { 'idempotency-key': reused.idempotencyKey! } }), 409);
    assert.equal(conflict.error.code, 'idempotency_key_reused');
    for (let i = 0; i < WORKLOAD.length; i++) {
      await submit(survivors[i % survivors.length], WORKLOAD[i], `after the kill #${i}`, i % 2 === 0 ? `cluster-after-${i}` : null);
    }

    // ---- Every task ends, read on a surviving node other than the one that created it.
    const deadline = Date.now() + 100_000;
    const done = new Map<string, Row>();
    await Promise.all(
      tasks.map(async (t) => {
        const reader = survivors.find((n) => n.index !== t.node)!;
        done.set(t.id, await terminal(reader, t.id, key, deadline));
      }),
    );
    const allEnded = Date.now();

    const final = await snapshot(created.id);
    assert.equal(final.tasks.size, tasks.length, 'exactly the tasks the clients were told about (no replay or duplicate made another)');
    const listed: string[] = [];
    for (let cursor = ''; ; ) {
      const page = await json(await call(survivors[1], `/v1/tasks?limit=100${cursor ? `&after=${cursor}` : ''}`, { key }));
      listed.push(...page.data.map((t: Row) => t.id));
      if (!page.has_more) break;
      cursor = page.next_after;
    }
    assert.deepEqual(listed.sort(), tasks.map((t) => t.id).sort(), 'a survivor lists every task, whichever node created it');

    // ---- The right end: completed, or submission_interrupted only where the dead node was mid-create.
    const interrupted = new Map<string, number>();
    for (const t of tasks) {
      const body = done.get(t.id)!;
      if (body.status === 'completed') continue;
      assert.equal(body.error?.code, 'submission_interrupted', `${t.model} created on node ${t.node}: ${JSON.stringify(body.error)}`);
      assert.ok(submittingOnVictim.has(t.id), `${t.id} (${t.model}) failed but was not mid-submission on the killed node: ${JSON.stringify(body.error)}`);
      assert.notEqual(t.provider, 'kling', 'Kling tasks are recovered by their reference, never failed');
      interrupted.set(t.provider, (interrupted.get(t.provider) ?? 0) + 1);
    }
    const completed = tasks.filter((t) => done.get(t.id)!.status === 'completed');
    assert.ok(completed.length >= tasks.length - submittingOnVictim.size);

    // ---- No upstream job created twice: per provider, jobs ≤ creates ≤ jobs + interrupted.
    const upstreamIds = [...final.tasks.values()].map((r) => r.upstream_id).filter((u): u is string => u !== null);
    assert.equal(new Set(upstreamIds).size, upstreamIds.length, 'no two tasks share an upstream job');
    const stats = await simStats(sim.controlUrl);
    const perProvider: string[] = [];
    let upstreamCreates = 0;
    for (const provider of new Set(WORKLOAD.map((w) => w.provider))) {
      const ofProvider = tasks.filter((t) => t.provider === provider);
      const withJob = ofProvider.filter((t) => final.tasks.get(t.id)!.upstream_id !== null).length;
      const lost = interrupted.get(provider) ?? 0;
      const creates = upstreamJobsOf(stats, provider);
      upstreamCreates += creates;
      perProvider.push(`${provider} ${creates}/${ofProvider.length}`);
      assert.ok(creates >= withJob && creates <= withJob + lost, `${provider}: ${creates} creates for ${withJob} tasks with a job and ${lost} interrupted`);
      assert.ok(creates <= ofProvider.length, `${provider}: ${creates} upstream creates for ${ofProvider.length} tasks`);
    }
    assert.ok(upstreamCreates <= tasks.length, `${upstreamCreates} upstream creates for ${tasks.length} tasks`);
    assert.equal(stats.kling.creates, tasks.filter((t) => t.provider === 'kling').length, 'Kling: exactly one job per task, also for those caught mid-create');
    const logs = survivors.map((n) => n.gw.out.join('')).join('');
    // Only a submission that had pinned its channel may have sent its create; one claimed but not yet
    // pinned when the node died never reached the upstream and is sent again without a lookup.
    const klingCaught = tasks.filter((t) => t.provider === 'kling' && submittingOnVictim.has(t.id) && atKill.tasks.get(t.id)!.channel_id !== null).length;
    const lookups = logs.split('interrupted submission had reached the upstream').length - 1 + logs.split('interrupted submission never reached the upstream').length - 1;
    assert.equal(lookups, klingCaught, 'each Kling task caught mid-create was settled by a lookup by its reference');

    // ---- Every video: in S3, served whole by one survivor and by Range (206, exact bytes) by the other.
    const s3c = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: S3RVER_ENV.AWS_REGION, credentials: { accessKeyId: S3RVER_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_ENV.AWS_SECRET_ACCESS_KEY } });
    try {
      for (const [i, t] of completed.entries()) {
        const body = done.get(t.id)!;
        const [a, b] = i % 2 ? [survivors[0], survivors[1]] : [survivors[1], survivors[0]];
        assert.ok(body.video_url.startsWith(`${PUBLIC_BASE_URL}/v1/files/`), `links point at PUBLIC_BASE_URL: ${body.video_url}`);
        const whole = await fetch(on(a, body.video_url));
        assert.equal(whole.status, 200, `${t.model} on node ${a.index}`);
        const bytes = Buffer.from(await whole.arrayBuffer());
        assert.equal(bytes.subarray(4, 8).toString(), 'ftyp', `${t.model}: an MP4`);
        assert.ok(bytes.length > 2_000, `${t.model}: ${bytes.length} bytes`);
        const start = 100 + ((i * 137) % 700);
        const end = Math.min(bytes.length - 1, start + 999);
        const part = await fetch(on(b, body.video_url), { headers: { range: `bytes=${start}-${end}` } });
        assert.equal(part.status, 206, `${t.model}: a range on node ${b.index}`);
        assert.equal(part.headers.get('content-range'), `bytes ${start}-${end}/${bytes.length}`);
        assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(start, end + 1)), `${t.model}: the range's exact bytes`);
        const object = await s3c.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `outputs/${final.tasks.get(t.id)!.video_blob}` }));
        assert.equal(object.ContentLength, bytes.length, `${t.model}: the bytes served are the object in S3`);
      }
    } finally {
      s3c.destroy();
    }
    for (const n of nodes) assert.ok(!fs.existsSync(path.join(n.dataDir, 'blobs')), `node ${n.index} kept no outputs on its own disk`);

    // ---- Money: nothing reserved, spent = Σ costs = Σ settlements, each priced from its output; the ledger per task.
    const { reserved, spent } = assertMoneyAddsUp(final, 'at the end');
    assert.equal(reserved, 0);
    const catalog = defaultCatalog();
    for (const t of tasks) {
      const row = final.tasks.get(t.id)!;
      const entries = final.ledger.filter((e) => e.task_id === t.id);
      const kinds = entries.map((e) => e.kind).sort();
      const reserve = entries.find((e) => e.kind === 'reserve');
      assert.ok(reserve && close(reserve.amount_usd, row.estimated_cost_usd), `${t.id}: its estimate was reserved`);
      if (row.state === 'completed') {
        assert.deepEqual(kinds, ['reserve', 'settle'], `${t.id}: reserved once, settled once`);
        const settle = entries.find((e) => e.kind === 'settle')!;
        assert.ok(close(settle.amount_usd, row.cost_usd));
        assert.equal(settle.id, row.billing_transaction_id);
        const video = done.get(t.id)!.video;
        const priced = costForOutputUsd(catalog.get(t.model)!, { seconds: video.duration, resolution: t.resolution, audio: done.get(t.id)!.has_audio });
        assert.ok(Math.abs(row.cost_usd - priced) < 1e-3, `${t.model}: billed ${row.cost_usd}, priced from its output ${priced}`);
      } else {
        assert.deepEqual(kinds, ['release', 'reserve'], `${t.id}: reserved once, released, never charged`);
        assert.ok(!row.cost_usd);
      }
    }
    const keyView = (await json(await call(survivors[0], '/v1/admin/keys'))).data.find((k: Row) => k.id === created.id);
    assert.ok(close(keyView.balance_usd, BALANCE - spent) && close(keyView.spent_usd, spent) && keyView.reserved_usd === 0, JSON.stringify(keyView));
    const usage = await json(await call(survivors[1], '/v1/usage', { key }));
    assert.ok(close(usage.total_cost_usd, spent), `usage ${usage.total_cost_usd}, spent ${spent}`);

    // No node answered a 500 or logged an error (a deadlock, a failed step) along the way.
    const errors = nodes.flatMap((n) =>
      n.gw.out
        .join('')
        .split('\n')
        .filter((l) => /"level":(50|60)\b|"statusCode":500\b/.test(l)),
    );
    assert.deepEqual(errors.slice(0, 5), [], `${errors.length} error lines in the nodes' logs`);

    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `cluster: ${tasks.length} tasks over ${WORKLOAD.length} providers on ${NODES} nodes, ${completed.length} completed, ${tasks.length - completed.length} submission_interrupted, ` +
        `${upstreamCreates} upstream creates (${perProvider.join(', ')}); node ${victim.index} killed holding ${submittingOnVictim.size} submissions ` +
        `(${klingCaught} Kling, recovered by lookup) and ${heldByVictim.length} leases in all, ${processingAtKill} tasks processing; ` +
        `all ended ${seconds(allEnded - killedAt)} s after the kill, ${seconds(Date.now() - started)} s in all; spent $${spent.toFixed(4)} of $${BALANCE}`,
    );
    allPassed = true;
  });
});
