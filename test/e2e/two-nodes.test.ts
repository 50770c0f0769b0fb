/**
 * Two API nodes, each its own gateway process, on one fresh PostgreSQL database and one private
 * Redis: what must hold across them when both are asked at once.
 *
 * - Balance top-ups sent to both nodes at once all count: the balance is what the ledger says.
 * - Redis that stops answering without closing its connections (a hung server, a network cut)
 *   costs one timed-out request per node, not one per request: the nodes count on their own until
 *   it answers again, then count in Redis again, across both.
 * - A node whose VIDGATE_REDIS_URL names a database Redis refuses says so and counts on its own,
 *   instead of counting in database 0 with whoever else is there.
 * - The open long polls a key may hold (VIDGATE_MAX_WAITS_PER_KEY) are counted on each node, as
 *   the README says: they hold that node's connections.
 * - A node killed on its first start between printing the admin key it generated and storing it
 *   leaves no trace: the next node to start generates one.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { generateSecret } from '../../src/keys/keys.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { admittedAcross } from '../helpers/limits.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/processes.js';
import { freePort, startPrivateRedis, stopProcess } from '../helpers/redis-server.js';
import { createPgDatabase } from '../helpers/stores.js';
import { until } from '../helpers/until.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-two-nodes-'));
const adminKey = generateSecret();
let database: Awaited<ReturnType<typeof createPgDatabase>>;
let redis: ChildProcess;
let redisPort = 0;
let nodes: GatewayProcess[] = [];

before(async () => {
  redisPort = await freePort();
  [database, redis] = await Promise.all([createPgDatabase(), startPrivateRedis(redisPort)]);
  const env = (i: number) => ({
    VIDGATE_DATA_DIR: path.join(work, `node${i}`),
    VIDGATE_ROLE: 'api',
    VIDGATE_DATABASE_URL: database.url,
    VIDGATE_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    VIDGATE_ADMIN_KEY: adminKey,
    VIDGATE_URL_SECRET: 'two-nodes-shared-secret',
    VIDGATE_MAX_WAITS_PER_KEY: '1',
    // A channel, so creates are taken; API nodes run no engine, so their tasks stay pending.
    GEMINI_API_KEY: 'AIza-two-nodes-never-called',
    GOOGLE_BASE_URL: 'http://127.0.0.1:9',
  });
  // One after the other: migrations would take turns anyway.
  nodes.push(await startGatewayProcess(env(0)));
  nodes.push(await startGatewayProcess(env(1)));
});

after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
  if (redis) {
    redis.kill('SIGCONT');
    await stopProcess(redis);
  }
  await database?.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

function admin(node: GatewayProcess, p: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${node.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function newKey(name: string): Promise<{ id: string; key: string }> {
  const res = await admin(nodes[0], '/v1/admin/keys', 'POST', { name });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { id: string; key: string };
}

describe('two API nodes on one PostgreSQL and one Redis', { timeout: 120_000 }, () => {
  it('top-ups sent to both nodes at once all count: 40 × $1 is a $40 balance, as the ledger says', async () => {
    const { id } = await newKey('topped-up');
    assert.equal((await admin(nodes[0], `/v1/admin/keys/${id}`, 'PATCH', { balance_usd: 0 })).status, 200);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => admin(nodes[i % 2], `/v1/admin/keys/${id}`, 'PATCH', { add_balance_usd: 1 })));
    for (const res of answers) assert.equal(res.status, 200, await res.text());
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const key = (await db.query('select balance_usd from api_keys where id = $1', [id])).rows[0];
      const credits = (await db.query("select coalesce(sum(amount_usd), 0) as sum from ledger where key_id = $1 and kind = 'credit'", [id])).rows[0];
      assert.equal(Number(credits.sum), 40, 'every top-up is in the ledger');
      assert.equal(Number(key.balance_usd), 40, 'and in the balance');
    } finally {
      await db.end();
    }
    const listed = (await (await admin(nodes[1], '/v1/admin/keys', 'GET')).json()) as { data: { id: string; balance_usd: number }[] };
    assert.equal(listed.data.find((k) => k.id === id)?.balance_usd, 40);
  });

  it('a Redis that stops answering (connection open) costs each node one slow request, not one per request; then counting across nodes resumes', async () => {
    const { key } = await newKey('while-redis-hangs');
    const usage = async (node: GatewayProcess) => {
      const started = performance.now();
      const res = await fetch(`${node.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      assert.equal(res.status, 200);
      return performance.now() - started;
    };
    for (const node of nodes) await usage(node);
    // Frozen, not gone: its socket stays open, so every command waits for its timeout (1 s).
    redis.kill('SIGSTOP');
    try {
      for (const [i, node] of nodes.entries()) {
        const took: number[] = [];
        for (let n = 0; n < 6; n++) took.push(await usage(node));
        // The first notices (about 1 s); the next five are answered from the node's own counters.
        const rest = took.slice(1).reduce((a, b) => a + b, 0);
        assert.ok(rest < 2_500, `node ${i}: after the first timeout, 5 requests took ${Math.round(rest)} ms in all (${took.map(Math.round).join(', ')} ms)`);
        assert.match(node.out.join(''), /Redis \(VIDGATE_REDIS_URL\) is unreachable: rate limits are counted per node/);
      }
    } finally {
      redis.kill('SIGCONT');
    }
    // Back: a limit of 4 admits 4 across both nodes again, not 4 on each.
    let admitted = 0;
    await until(
      'both nodes to count in Redis again',
      async () => {
        ({ admitted } = await admittedAcross(
          nodes.map((n) => n.url),
          adminKey,
          4,
          8,
        ));
        return admitted === 4;
      },
      20_000,
      250,
      () => `admitted ${admitted} of 8`,
    );
    for (const node of nodes) assert.match(node.out.join(''), /Redis \(VIDGATE_REDIS_URL\) is reachable again/);
  });
});

describe('a Redis database the server refuses', { timeout: 60_000 }, () => {
  it('is said at start, and the node counts on its own rather than in database 0', async () => {
    const { id, key } = await newKey('database-99');
    const node = await startGatewayProcess({
      VIDGATE_DATA_DIR: path.join(work, 'db99'),
      VIDGATE_ROLE: 'api',
      VIDGATE_DATABASE_URL: database.url,
      // redis-server has 16 databases (0–15) unless told otherwise.
      VIDGATE_REDIS_URL: `redis://127.0.0.1:${redisPort}/99`,
      VIDGATE_ADMIN_KEY: adminKey,
    });
    const db0 = new Redis(`redis://127.0.0.1:${redisPort}/0`);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${node.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-ratelimit-remaining'), String(999 - i), 'counted, on this node');
      }
      assert.match(node.out.join(''), /Redis \(VIDGATE_REDIS_URL\) is unreachable: rate limits are counted per node/);
      assert.match(node.out.join(''), /DB index is out of range/);
      assert.deepEqual(await db0.keys(`*${id}*`), [], 'nothing counted in database 0');
    } finally {
      db0.disconnect();
      await node.stop();
    }
  });
});

describe('open long polls', { timeout: 60_000 }, () => {
  it('VIDGATE_MAX_WAITS_PER_KEY counts on each node: a second wait on the same node is 429 too_many_waits, on the other node it is held', async () => {
    const { key } = await newKey('waiting');
    const created = await fetch(`${nodes[0].url}/v1/videos/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'veo3.1-fast', duration: 4, prompt: 'a kite' }),
    });
    assert.equal(created.status, 200, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    const wait = (node: GatewayProcess, signal?: AbortSignal) => fetch(`${node.url}/v1/tasks/${id}?wait=30`, { headers: { authorization: `Bearer ${key}` }, signal });
    const held = new AbortController();
    // The first wait, sent again should it have been answered: when a probe below reached the node
    // before it (a loaded machine), the probe held the one slot and the first got the 429.
    let answered = false;
    const holdFirst = async () => {
      const r = await wait(nodes[0], held.signal).catch(() => null);
      if (r) answered = true;
      return r;
    };
    let first = holdFirst();
    const other = new AbortController();
    let elsewhere: Promise<number | null> = Promise.resolve(null);
    try {
      let second: Response | null = null;
      await until('the first wait to be held', async () => {
        if (answered) {
          answered = false;
          first = holdFirst();
          await new Promise((r) => setTimeout(r, 300));
        }
        // Bounded: should the first wait not be held yet, this one is, and is let go.
        second = await wait(nodes[0], AbortSignal.timeout(2_000)).catch(() => null);
        return second?.status === 429;
      });
      assert.equal(((await second!.json()) as { error: { code: string } }).error.code, 'too_many_waits');
      elsewhere = wait(nodes[1], other.signal).then(
        (r) => r.status,
        () => null,
      );
      const after1s = await Promise.race([elsewhere, new Promise((r) => setTimeout(() => r('held'), 1_000))]);
      assert.equal(after1s, 'held', 'the other node holds a wait of the same key');
    } finally {
      held.abort();
      other.abort();
      await Promise.all([first, elsewhere]);
    }
  });
});

describe('the generated admin key', { timeout: 120_000 }, () => {
  it('a node killed after printing it but before storing it does not stop the next node from generating one', async () => {
    const fresh = await createPgDatabase();
    const started: GatewayProcess[] = [];
    const db = new pg.Client({ connectionString: fresh.url });
    try {
      const store = openPostgresStore(fresh.url);
      await store.migrate();
      await store.close();
      await db.connect();
      // Inserts into api_keys wait (reads do not): the first node prints its key, then waits to store it.
      await db.query('begin');
      await db.query('lock table api_keys in share mode');
      const env = (i: number) => ({ VIDGATE_DATA_DIR: path.join(work, `bootstrap${i}`), VIDGATE_ROLE: 'api', VIDGATE_DATABASE_URL: fresh.url });
      const first = await startGatewayProcess(env(0));
      started.push(first);
      await until('the first node to print its admin key', () => /generated an admin API key/.test(first.stderr()), 30_000);
      const printed = /\b(sk-[A-Za-z0-9_-]{20,})\b/.exec(first.stderr())?.[1];
      assert.ok(printed, first.stderr());
      await first.kill9();
      await db.query('rollback');

      const second = await startGatewayProcess(env(1));
      started.push(second);
      await until(
        'the next node to print an admin key',
        () => /generated an admin API key/.test(second.stderr()),
        15_000,
        50,
        () => `its stderr: ${second.stderr()}`,
      );
      const secret = /\b(sk-[A-Za-z0-9_-]{20,})\b/.exec(second.stderr())?.[1];
      let status = 0;
      const asAdmin = async () => {
        ({ status } = await fetch(`${second.url}/v1/admin/keys`, { headers: { authorization: `Bearer ${secret}` } }));
        return status === 200;
      };
      await until('that key to be stored', asAdmin, 10_000, 50, () => `status ${status}`);
      const stored = await fetch(`${second.url}/v1/admin/keys`, { headers: { authorization: `Bearer ${printed}` } });
      assert.equal(stored.status, 401, 'the dead node’s key was never stored');
    } finally {
      await Promise.all(started.map((n) => n.stop()));
      await db.end().catch(() => undefined);
      await fresh.drop();
    }
  });
});
