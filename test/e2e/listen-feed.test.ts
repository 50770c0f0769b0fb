/**
 * The LISTEN connection that wakes long polls across nodes (PostgreSQL LISTEN/NOTIFY): killed by the
 * server, or silently dropped by the network, it is opened again, and a task finished on another node
 * still wakes a waiter at once — not at the fallback re-check, pushed out of reach here (60 s).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createPgDatabase, PG_ADMIN_URL } from '../helpers/stores.js';
import { proxyTo, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const CLIP = { model: 'veo3.1-fast', prompt: 'waves on a pier', duration: 4 };
const API_SESSIONS = 'vidgate-listen-api';
const WORKER_SESSIONS = 'vidgate-listen-worker';

function named(url: string, name: string, port?: number): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  if (port) u.port = String(port);
  return u.toString();
}

describe('the LISTEN connection behind cross-node long polls', { timeout: 180_000 }, () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let admin: pg.Client;
  let proxy: TcpProxy;
  let apiNode: TestGateway;
  let workerNode: TestGateway;

  /** Backends of `name`'s sessions that have run LISTEN: the feed's connection (pid, and its client port). */
  const listeners = async (name: string) =>
    (await admin.query(`select pid, client_port from pg_stat_activity where application_name = $1 and query like 'listen %'`, [name])).rows as { pid: number; client_port: number }[];

  /** Creates a task on the API node and long-polls it there until it ends; the time that took. */
  const createAndWait = async (): Promise<{ ms: number; seen: string[] }> => {
    const t0 = Date.now();
    const res = await apiNode.api('/v1/videos/generations', { method: 'POST', json: CLIP });
    assert.equal(res.status, 200, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    let status = 'pending';
    const seen: string[] = [];
    while (status !== 'completed' && status !== 'failed') {
      status = ((await (await apiNode.api(`/v1/tasks/${id}?wait=55`)).json()) as { status: string }).status;
      seen.push(status);
    }
    assert.equal(status, 'completed');
    return { ms: Date.now() - t0, seen };
  };

  before(async () => {
    database = await createPgDatabase();
    admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    proxy = await proxyTo(PG_ADMIN_URL);
    workerNode = await startTestGateway({ VIDGATE_DATABASE_URL: named(database.url, WORKER_SESSIONS), VIDGATE_ROLE: 'worker' });
    // The API node reaches the database through a proxy the test can silence.
    apiNode = await startTestGateway({
      VIDGATE_DATABASE_URL: named(database.url, API_SESSIONS, proxy.port),
      VIDGATE_ROLE: 'api',
      VIDGATE_ADMIN_KEY: workerNode.adminKey,
      VIDGATE_WAIT_RECHECK_MS: '60000',
    });
    // The feed opens with the first watcher: one long poll, start to end.
    await createAndWait();
    await until('both nodes listening', async () => (await listeners(API_SESSIONS)).length === 1 && (await listeners(WORKER_SESSIONS)).length === 1, 15_000);
  });
  after(async () => {
    await apiNode?.close();
    await workerNode?.close();
    await proxy?.stop();
    await admin?.end();
    await database?.drop();
  });

  it('has TCP keepalive on (the kernel probes an idle LISTEN connection)', async () => {
    const [{ client_port }] = await listeners(WORKER_SESSIONS);
    const socket = execFileSync('ss', ['-tnoH', 'state', 'established', `( sport = :${client_port} )`], { encoding: 'utf8' });
    assert.match(socket, /timer:\(keepalive,/, socket);
  });

  it('ended by the server (pg_terminate_backend): opened again, and a task finished on the other node wakes the waiter at once', async () => {
    const [old] = await listeners(API_SESSIONS);
    await admin.query('select pg_terminate_backend($1)', [old.pid]);
    await until('a new LISTEN connection', async () => (await listeners(API_SESSIONS)).some((l) => l.pid !== old.pid), 10_000);
    const { ms, seen } = await createAndWait();
    assert.ok(ms < 20_000, `took ${ms} ms; saw ${seen}`);
  });

  it('silently dropped by the network (no reset, nothing crosses): noticed within ~15 s, opened again, and waiters wake at once', async () => {
    const before = new Set((await listeners(API_SESSIONS)).map((l) => l.pid));
    const silencedAt = Date.now();
    proxy.silenceOpen();
    // The server still sees the old session (the proxy holds it open); a new one appears beside it.
    await until('a new LISTEN connection', async () => (await listeners(API_SESSIONS)).some((l) => !before.has(l.pid)), 25_000, 100);
    // The node's pooled connections went silent too; pg drops idle ones after 10 s, which this test waits out.
    await new Promise((r) => setTimeout(r, Math.max(0, silencedAt + 11_000 - Date.now())));
    const { ms, seen } = await createAndWait();
    assert.ok(ms < 20_000, `took ${ms} ms; saw ${seen}`);
  });
});
