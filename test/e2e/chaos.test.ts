/**
 * Chaos, end to end (issue 13): for about 100 s a steady mix of creates (seven providers, some with
 * a callback_url, some with an Idempotency-Key, some on a small prepaid balance, one priced by its
 * source video), reads and cancels runs against a gateway that is `kill -9`ed and restarted on the
 * same data dir every ~20 s, while the simulators — their own process, never killed — answer with
 * random 429s, 5xx, timeouts (latency past the gateway's upstream timeout), failed and hung jobs,
 * and a proxy in front of each loses the answer to some creates after the job was made (the case
 * where resending would create a job twice).
 *
 * Afterwards, judged on what clients saw and on the gateway's own database:
 * - every task ended (completed or failed), and a status once seen terminal never changed;
 * - no upstream job was created twice for one task: per simulator, its creates against the tasks
 *   holding a job; exactly, job by job, for Kling, which echoes our task id (external_task_id);
 * - no 5xx was answered; requests failed at the socket only while the process was down;
 * - every completed task's video is served;
 * - every task with a callback got exactly one event, delivered, under one webhook-id on every
 *   attempt, correctly signed;
 * - the ledger and balances add up exactly (each charge what its output costs, never more than
 *   reserved; every other reservation released; balances = top-up − charges).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import SQLite from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import { defaultCatalog } from '../../src/catalog/index.js';
import { costForOutputUsd } from '../../src/catalog/pricing.js';
import { settledUsd } from '../../src/contract/money.js';
import { generateSecret } from '../../src/keys/keys.js';
import { signKlingToken } from '../../src/providers/kling/auth.js';
import { protocolOf } from '../../src/providers/manifest.js';
import { manifestOf } from '../../src/providers/registry.js';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { upstreamJobsOf, freePort, startGatewayProcess, startSimProcess, type GatewayProcess, type SimProcess } from '../helpers/processes.js';

const CHAOS_MS = 100_000;
const KILL_EVERY_MS = 20_000;
/** Hung jobs must end before the test does: each model may run this long. */
const MAX_RUNTIME_S = 40;
const UPSTREAM_TIMEOUT_MS = 4_000;
const BALANCE = { main: 1000, small: 4 };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-chaos-'));
const dataDir = path.join(work, 'gateway');
const adminKey = generateSecret();
const rand = (n: number) => Math.floor(Math.random() * n);
const chance = (p: number) => Math.random() < p;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the Topaz tasks' source video is served (loopback; set once the file server listens). */
let sourceUrl = '';
/** What each provider is asked to make: cheap and short. */
const MIX: { provider: string; weight: number; body: () => Record<string, unknown> }[] = [
  { provider: 'google', weight: 3, body: () => ({ model: 'veo3.1-fast', duration: 4 }) },
  { provider: 'kling', weight: 4, body: () => ({ model: 'kling-v2.6-std', duration: 5 }) },
  { provider: 'xai', weight: 2, body: () => ({ model: 'grok-imagine-video', operation: 'text-to-video', duration: 1, resolution: '480p' }) },
  { provider: 'openai', weight: 2, body: () => ({ model: 'sora-2', duration: 4 }) },
  { provider: 'vidu', weight: 2, body: () => ({ model: 'viduq2', operation: 'text-to-video', duration: 1 }) },
  { provider: 'dashscope', weight: 2, body: () => ({ model: 'wan-2.5', resolution: '480p' }) },
  { provider: 'seedance', weight: 3, body: () => ({ model: 'seedance-1.5-pro', duration: 4, resolution: '480p' }) },
  { provider: 'topaz', weight: 1, body: () => ({ model: 'topaz-video-upscale', operation: 'video-to-video', video_url: sourceUrl }) },
];
const PROVIDERS = [...new Set(MIX.map((m) => m.provider))];
const MODELS = MIX.map((m) => m.body().model as string);

interface Sent {
  id: string;
  provider: string;
  key: 'main' | 'small';
  callback: boolean;
  idem: string | null;
  prompt: string;
}

/** Every answer the gateway gave, and every request that got none. */
const answers = new Map<number, number>();
const serverErrors: string[] = [];
const socketErrors: { at: number; what: string }[] = [];
/** [from, to] windows in which the gateway was (being) killed or starting again. */
const downtime: [number, number][] = [];

describe('chaos: kill -9 every ~20 s under upstream faults, with a steady mix of clients', { timeout: 420_000 }, () => {
  let sim: SimProcess;
  let gw: GatewayProcess | null = null;
  /** Every gateway process started (their logs are read at the end). */
  const runs: GatewayProcess[] = [];
  const startGw = async () => {
    gw = await startGatewayProcess(gwEnv);
    runs.push(gw);
  };
  let gwEnv: Record<string, string>;
  let base = '';
  let files: http.Server;
  let hooks: HookReceiver;
  const proxies = new Map<string, UpstreamProxy>();
  const keys: Record<'main' | 'small', { id: string; key: string; secret: string }> = {} as never;

  before(async () => {
    fs.mkdirSync(dataDir, { recursive: true });
    // A 2 s source for Topaz, served from loopback (VIDGATE_ALLOW_PRIVATE_NETWORK lets the gateway fetch it).
    const source = path.join(work, 'source.mp4');
    execFileSync(ffmpeg.path, ['-y', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x36:rate=12:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', source]);
    const sourceBytes = fs.readFileSync(source);
    files = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': sourceBytes.length }).end(sourceBytes));
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    sourceUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/source.mp4`;
    hooks = new HookReceiver();
    await hooks.start();
    sim = await startSimProcess({ speed: 40, dataDir: path.join(work, 'sim') });
    // Each provider is reached through its own proxy (the gateway only knows the proxy's address).
    const upstreamEnv = { ...sim.env };
    for (const p of PROVIDERS) {
      const name = protocolOf(manifestOf(p)!).baseUrl.env;
      assert.ok(sim.env[name], `the simulators printed ${name}`);
      const proxy = new UpstreamProxy(new URL(sim.env[name]));
      await proxy.start();
      proxies.set(p, proxy);
      const target = new URL(sim.env[name]);
      upstreamEnv[name] = `${proxy.origin}${target.pathname === '/' ? '' : target.pathname}`;
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gwEnv = {
      ...upstreamEnv,
      PORT: String(port),
      VIDGATE_DATA_DIR: dataDir,
      VIDGATE_ADMIN_KEY: adminKey,
      VIDGATE_ALLOW_PRIVATE_NETWORK: '1',
      VIDGATE_LEASE_MS: '5000',
      VIDGATE_ENGINE_TICK_MS: '100',
      VIDGATE_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      VIDGATE_RATE_LIMIT_RPM: '0',
      VIDGATE_WEBHOOK_RETRY_SCHEDULE_MS: '0,300,600,1000,2000,3000,5000,8000,10000,10000',
      VIDGATE_WEBHOOK_TICK_MS: '100',
      VIDGATE_WEBHOOK_ENDPOINT_COOLDOWN_MS: '1000',
      VIDGATE_CATALOG_OVERRIDES: JSON.stringify(Object.fromEntries(MODELS.map((m) => [m, { typical_seconds: 2, max_runtime_seconds: MAX_RUNTIME_S }]))),
    };
    await startGw();
    for (const [name, balance] of Object.entries(BALANCE) as ['main' | 'small', number][]) {
      const created = (await (await call('POST', '/v1/admin/keys', adminKey, { name: `chaos-${name}` })).json()) as { id: string; key: string };
      assert.equal((await call('PATCH', `/v1/admin/keys/${created.id}`, adminKey, { balance_usd: balance })).status, 200);
      const secret = ((await (await call('GET', '/v1/webhooks/secret', created.key)).json()) as { secret: string }).secret;
      keys[name] = { ...created, secret };
      hooks.secrets.set(`/${name}`, secret);
    }
  });

  after(async () => {
    await gw?.kill9();
    await sim?.stop();
    for (const p of proxies.values()) await p.close();
    files?.close();
    await hooks?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** One request to the gateway; answers and socket failures are recorded for the verdict. */
  async function call(method: string, p: string, key: string | null, json?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (key) h.authorization = `Bearer ${key}`;
    if (json !== undefined) h['content-type'] = 'application/json';
    try {
      const res = await fetch(`${base}${p}`, { method, headers: h, body: json === undefined ? undefined : JSON.stringify(json), signal: AbortSignal.timeout(30_000) });
      answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
      if (res.status >= 500) serverErrors.push(`${method} ${p} answered ${res.status}: ${await res.clone().text()}`);
      return res;
    } catch (err) {
      socketErrors.push({ at: Date.now(), what: `${method} ${p}: ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message}` });
      throw err;
    }
  }

  const control = async (p: string, body: unknown) => {
    const res = await fetch(`${sim.controlUrl}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, `${p}: ${await res.text()}`);
  };
  const stats = async () => (await (await fetch(`${sim.controlUrl}/stats`)).json()) as Record<string, { creates: number; faulted?: number; requests: number }>;

  /** The gateway's own record, read beside it (WAL readers never block its writes). */
  function readDb<T>(fn: (db: SQLite.Database) => T): T {
    const db = new SQLite(path.join(dataDir, 'vidgate.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  it('every task ends, nothing is created twice upstream, no 5xx, every video and webhook arrives, and the money adds up', async () => {
    const sent: Sent[] = [];
    const seenTerminal = new Map<string, string>();
    const cancelled = new Set<string>();
    const violations: string[] = [];
    const faults = new Map<string, number>();
    let kills = 0;
    let stop = false;
    const started = Date.now();
    const chaosEnds = started + CHAOS_MS;

    // ---- Clients: a create about every 900 ms, reads, cancels.
    const createOne = async (n: number) => {
      const mix = pickWeighted(MIX);
      const key = chance(0.2) ? 'small' : 'main';
      const callback = chance(0.5);
      const idem = chance(0.4) ? `chaos-${randomUUID()}` : null;
      const prompt = `chaos #${n} ${mix.provider}`;
      const body = { ...mix.body(), prompt, ...(callback ? { callback_url: `${hooks.base}/${key}` } : {}) };
      // With an Idempotency-Key a client may retry a create whose answer it lost: it must get one task.
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await call('POST', '/v1/videos/generations', keys[key].key, body, idem ? { 'idempotency-key': idem } : {});
        } catch {
          if (!idem || stop || attempt > 60) return;
          await sleep(500);
          continue;
        }
        if (res.status === 200) {
          const id = ((await res.json()) as { id: string }).id;
          const again = sent.find((s) => s.idem !== null && s.idem === idem);
          if (again && again.id !== id) violations.push(`Idempotency-Key ${idem} made ${again.id} and then ${id}`);
          if (!again) sent.push({ id, provider: mix.provider, key, callback, idem, prompt });
          if (idem && chance(0.3)) continue; // a duplicate retry on purpose: must replay
          return;
        }
        if (res.status === 402) return; // the small balance ran out: refused before anything was stored
        violations.push(`create answered ${res.status}: ${await res.text()}`);
        return;
      }
    };
    const creating: Promise<void>[] = [];
    const creator = (async () => {
      for (let n = 0; Date.now() < chaosEnds; n++) {
        creating.push(createOne(n).catch((err) => void violations.push(`create #${n} threw: ${err}`)));
        await sleep(700 + rand(400));
      }
    })();
    const reader = (async () => {
      while (!stop) {
        await sleep(150 + rand(150));
        if (sent.length === 0) continue;
        const t = sent[rand(sent.length)];
        try {
          const res = await call('GET', `/v1/tasks/${t.id}`, keys[t.key].key);
          if (res.status !== 200) {
            violations.push(`read ${t.id}: ${res.status}`);
            continue;
          }
          const body = (await res.json()) as { status: string; error?: { code: string } };
          const shown = body.status === 'failed' ? `failed:${body.error?.code}` : body.status;
          const before = seenTerminal.get(t.id);
          if (before && before !== shown) violations.push(`${t.id} was ${before}, later ${shown}`);
          if (body.status === 'completed' || body.status === 'failed') seenTerminal.set(t.id, shown);
        } catch {
          /* the gateway is down: judged by the downtime windows */
        }
      }
    })();
    const canceller = (async () => {
      while (!stop) {
        await sleep(1500 + rand(1500));
        // The newest open task (most likely still pending), or a Seedance one (cancellable upstream).
        const open = sent.filter((t) => !seenTerminal.has(t.id) && !cancelled.has(t.id));
        const seedance = open.filter((t) => t.provider === 'seedance');
        const t = chance(0.5) ? open[open.length - 1] : seedance[rand(seedance.length)];
        if (!t) continue;
        try {
          const res = await call('DELETE', `/v1/tasks/${t.id}`, keys[t.key].key);
          if (res.status === 200) cancelled.add(t.id);
          else if (res.status !== 409) violations.push(`cancel ${t.id}: ${res.status} ${await res.text()}`);
        } catch {
          /* down */
        }
      }
    })();

    // ---- Upstream faults: one every ~1.5 s on a random simulator.
    const faulter = (async () => {
      while (Date.now() < chaosEnds) {
        await sleep(1000 + rand(1000));
        const provider = PROVIDERS[rand(PROVIDERS.length)];
        const roll = rand(Date.now() > chaosEnds - MAX_RUNTIME_S * 1000 ? 6 : 7);
        const kind = ['429', '5xx', 'failed job', 'timeout', 'timeout', 'lost answer', 'hung job'][roll];
        faults.set(kind, (faults.get(kind) ?? 0) + 1);
        const at = `/faults/${provider}`;
        if (kind === '429') await control(at, { method: 'rateLimitNext', args: [1 + rand(3), { retryAfterSeconds: 1 }] });
        else if (kind === '5xx') await control(at, { method: 'serverErrorNext', args: [1 + rand(3)] });
        else if (kind === 'failed job') await control(at, { method: 'failNextJob', args: [] });
        else if (kind === 'hung job') await control(at, { method: 'hangNextJob', args: [] });
        else if (kind === 'lost answer') proxies.get(provider)!.loseNextCreate++;
        else {
          // Answers slower than the gateway waits: creates, polls and downloads time out for a while.
          await control(at, { method: 'setLatency', args: [UPSTREAM_TIMEOUT_MS + 1500] });
          await sleep(1500 + rand(1500));
          await control(at, { method: 'setLatency', args: [0] });
        }
      }
    })();

    // ---- kill -9 at about 20, 40, 60 and 80 s (±2 s), restarted on the same data dir.
    for (let i = 1; i * KILL_EVERY_MS < CHAOS_MS; i++) {
      await sleep(Math.max(0, started + i * KILL_EVERY_MS + rand(4000) - 2000 - Date.now()));
      const down = Date.now();
      await gw!.kill9();
      kills++;
      await sleep(500 + rand(1000));
      await startGw();
      downtime.push([down - 200, Date.now() + 200]);
    }
    await Promise.all([creator, faulter]);
    await Promise.all(creating);
    for (const p of PROVIDERS) {
      await control(`/faults/${p}/reset`, {});
      proxies.get(p)!.loseNextCreate = 0;
    }

    // ---- Every task in the database ends (acknowledged or not).
    const deadline = Date.now() + (MAX_RUNTIME_S + 60) * 1000;
    let open: { id: string; state: string }[] = [];
    while (Date.now() < deadline) {
      open = readDb((db) => db.prepare(`select id, state from tasks where state not in ('completed', 'failed')`).all() as { id: string; state: string }[]);
      if (open.length === 0) break;
      await sleep(1000);
    }
    stop = true;
    await Promise.all([reader, canceller]);
    assert.deepEqual(open, [], 'every task ended');

    const catalog = defaultCatalog();
    const rows = readDb((db) => db.prepare('select * from tasks').all() as TaskRow[]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const t of sent) assert.ok(byId.has(t.id), `acknowledged task ${t.id} is stored`);
    const mine = new Set([keys.main.id, keys.small.id]);
    const tasks = rows.filter((r) => mine.has(r.owner_key_id));

    // A status once seen terminal never changed; what the API says now is what the rows say.
    for (const t of sent) {
      const body = (await (await call('GET', `/v1/tasks/${t.id}`, keys[t.key].key)).json()) as { status: string; error?: { code: string }; video_url?: string; cancelled?: boolean };
      const shown = body.status === 'failed' ? `failed:${body.error?.code}` : body.status;
      if (seenTerminal.has(t.id)) assert.equal(shown, seenTerminal.get(t.id), `${t.id} changed after it ended`);
      assert.equal(body.status, byId.get(t.id)!.state);
      if (cancelled.has(t.id)) assert.deepEqual([body.status, body.cancelled], ['failed', true], `${t.id} was cancelled`);
    }
    // Idempotent creates made one task each, however often they were retried across kills.
    for (const t of sent.filter((s) => s.idem)) assert.equal(tasks.filter((r) => JSON.parse(r.request_json).prompt === t.prompt).length, 1, `one task for ${t.idem}`);

    // ---- No upstream job twice: no two tasks share a job; per simulator, creates between the tasks
    // holding a job and those plus the tasks whose create may have landed without our knowing.
    const upstreamIds = tasks.map((r) => r.upstream_id).filter((u): u is string => u !== null);
    assert.equal(new Set(upstreamIds.map((u) => u)).size, upstreamIds.length, 'no two tasks share an upstream job');
    const simStats = await stats();
    const perProvider: string[] = [];
    for (const p of PROVIDERS) {
      const of = tasks.filter((r) => r.provider === p);
      const withJob = of.filter((r) => r.upstream_id !== null).length;
      const uncertain = of.filter((r) => r.upstream_id === null && r.state === 'failed' && ['submission_interrupted', 'timeout_error'].includes(r.error_code ?? '')).length;
      const creates = upstreamJobsOf(simStats, p);
      perProvider.push(`${p} ${creates}/${withJob}+${uncertain}`);
      assert.ok(creates >= withJob && creates <= withJob + uncertain, `${p}: ${creates} upstream jobs for ${withJob} tasks with a job and ${uncertain} whose create may have landed`);
    }
    // Kling echoes our task id as external_task_id: match job by job.
    const klingJobs = await listKlingJobs(sim.env);
    const klingTasks = tasks.filter((r) => r.provider === 'kling');
    const jobsByRef = new Map<string, string[]>();
    for (const j of klingJobs) jobsByRef.set(j.ref, [...(jobsByRef.get(j.ref) ?? []), j.id]);
    // Our upstream ids are `<kind>/<task_id>` (the kind says which endpoint family to poll).
    const klingJob = (r: TaskRow) => r.upstream_id?.split('/').pop() ?? null;
    for (const [ref, ids] of jobsByRef) {
      assert.equal(ids.length, 1, `one Kling job for task ${ref}`);
      const task = byId.get(ref);
      assert.ok(task, `the Kling job ${ids[0]} belongs to a task of ours`);
      assert.ok(klingJob(task) === ids[0] || (task.upstream_id === null && task.error_code === 'submission_interrupted'), `${ref}: job ${ids[0]}, task holds ${task.upstream_id}`);
    }
    for (const t of klingTasks.filter((r) => r.upstream_id !== null)) assert.deepEqual(jobsByRef.get(t.id), [klingJob(t)], `Kling job of ${t.id}`);

    // ---- No 5xx; socket failures only while the gateway was down.
    assert.deepEqual(serverErrors, [], 'no 5xx answered');
    const outside = socketErrors.filter((e) => !downtime.some(([a, b]) => e.at >= a && e.at <= b));
    assert.deepEqual(
      outside.map((e) => e.what),
      [],
      'requests failed at the socket only while the gateway was down',
    );
    assert.deepEqual(violations, []);

    // ---- Every completed video is served (and a few are probed independently).
    const completed = tasks.filter((r) => r.state === 'completed');
    let probed = 0;
    for (const r of completed) {
      const owner = r.owner_key_id === keys.main.id ? keys.main : keys.small;
      const body = (await (await call('GET', `/v1/tasks/${r.id}`, owner.key)).json()) as { video_url: string; video: { duration: number } };
      const res = await call('GET', new URL(body.video_url).pathname + new URL(body.video_url).search, null);
      assert.equal(res.status, 200, `${r.id} video`);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(bytes.toString('latin1', 4, 8), 'ftyp', `${r.id} serves an MP4`);
      if (probed++ < 6) {
        const file = path.join(work, `${r.id}.mp4`);
        fs.writeFileSync(file, bytes);
        assert.ok(Math.abs((await ffprobeFile(file)).duration - body.video.duration) < 0.1);
      }
    }

    // ---- Webhooks: exactly one event per task with a callback, delivered, one id on every attempt.
    const withCallback = tasks.filter((r) => r.callback_url !== null);
    const hookDeadline = Date.now() + 60_000;
    while (Date.now() < hookDeadline && !withCallback.every((r) => hooks.delivered(r.id))) await sleep(250);
    for (const r of withCallback) {
      const got = hooks.deliveries.filter((d) => d.taskId === r.id);
      assert.ok(hooks.delivered(r.id), `${r.id}: delivered (${got.length} attempts)`);
      assert.equal(new Set(got.map((d) => d.id)).size, 1, `${r.id}: one webhook-id across ${got.length} attempts`);
      assert.ok(
        got.every((d) => d.verified && d.status === r.state),
        `${r.id}: signed, and says ${r.state}`,
      );
    }
    assert.ok(
      hooks.deliveries.every((d) => byId.get(d.taskId)?.callback_url),
      'no event for a task without a callback',
    );
    const retried = withCallback.filter((r) => hooks.deliveries.filter((d) => d.taskId === r.id).length > 1).length;

    // ---- Money: every charge is what the output costs (never more than reserved); every other
    // reservation was released; balances are the top-up minus the charges.
    const ledger = readDb((db) => db.prepare('select * from ledger').all() as LedgerRow[]);
    const keyRows = readDb((db) => db.prepare('select * from api_keys').all() as KeyRow[]);
    for (const [name, k] of Object.entries(keys) as ['main' | 'small', (typeof keys)['main']][]) {
      const own = tasks.filter((r) => r.owner_key_id === k.id);
      let charged = 0;
      for (const r of own) {
        const rows = ledger.filter((l) => l.task_id === r.id);
        const sum = (kind: string) => rows.filter((l) => l.kind === kind).reduce((s, l) => s + l.amount_usd, 0);
        const settles = rows.filter((l) => l.kind === 'settle');
        const held = sum('reserve') - sum('release');
        if (r.state === 'completed') {
          const spec = catalog.get(r.model)!;
          const produced = costForOutputUsd(spec, { seconds: r.video_duration_s!, resolution: JSON.parse(r.request_json).resolution, audio: r.video_has_audio === 1 });
          assert.equal(settles.length, 1, `${r.id}: one charge`);
          assert.ok(Math.abs(held - r.estimated_cost_usd) < 1e-6, `${r.id}: the ledger holds its reservation`);
          assert.ok(Math.abs(settles[0].amount_usd - settledUsd(produced, r.estimated_cost_usd)) < 1e-6, `${r.id}: charged ${settles[0].amount_usd} for ${produced} produced, ${r.estimated_cost_usd} reserved`);
          assert.equal(settles[0].id, r.billing_transaction_id);
          assert.equal(r.cost_usd, settles[0].amount_usd);
          charged += settles[0].amount_usd;
        } else {
          assert.equal(settles.length, 0, `${r.id}: failed, not charged`);
          assert.ok(Math.abs(held) < 1e-6, `${r.id}: its reservation was released (${held})`);
          assert.equal(r.cost_usd, null);
        }
      }
      const row = keyRows.find((x) => x.id === k.id)!;
      assert.ok(Math.abs(row.reserved_usd) < 1e-6, `${name}: nothing left reserved (${row.reserved_usd})`);
      assert.ok(Math.abs(row.spent_usd - charged) < 1e-6, `${name}: spent ${row.spent_usd} = charges ${charged}`);
      assert.ok(Math.abs(row.balance_usd - (BALANCE[name] - charged)) < 1e-6, `${name}: balance ${row.balance_usd} = ${BALANCE[name]} − ${charged}`);
      assert.ok(row.balance_usd >= -1e-9, `${name}: never overdrawn`);
    }

    // What the gateways logged as errors (pino level ≥ 50): none may be a crash of our own.
    const errorLogs = runs.flatMap((r) => r.out.join('').split('\n')).filter((l) => /"level":(5|6)\d/.test(l));
    const errorKinds = new Map<string, number>();
    for (const l of errorLogs) {
      const msg = (JSON.parse(l) as { msg?: string }).msg ?? '?';
      errorKinds.set(msg, (errorKinds.get(msg) ?? 0) + 1);
    }
    assert.deepEqual(
      [...errorKinds.keys()].filter((m) => /crash|internal|unhandled/i.test(m)),
      [],
      errorLogs.slice(0, 5).join('\n'),
    );

    const failedBy = new Map<string, number>();
    for (const r of tasks.filter((x) => x.state === 'failed')) failedBy.set(r.error_code ?? '?', (failedBy.get(r.error_code ?? '?') ?? 0) + 1);
    const injected = PROVIDERS.reduce((s, p) => s + (simStats[p].faulted ?? 0), 0);
    const lostAnswers = [...proxies.values()].reduce((s, p) => s + p.lost, 0);
    console.log(
      `chaos: ${Math.round((Date.now() - started) / 1000)} s, ${tasks.length} tasks (${sent.length} acknowledged, ${completed.length} completed, failed ${[...failedBy].map(([c, n]) => `${c} ${n}`).join(', ')}), ` +
        `${kills} kills, faults ${[...faults].map(([k, n]) => `${k} ${n}`).join(', ')} (${injected} upstream answers faulted, ${lostAnswers} create answers lost), ` +
        `${cancelled.size} cancelled, ${hooks.deliveries.length} webhook attempts for ${withCallback.length} events (${retried} retried), ${socketErrors.length} requests refused while down, ` +
        `error logs ${[...errorKinds].map(([m, n]) => `${m} ×${n}`).join('; ') || 'none'}, ` +
        `upstream creates/tasks with a job+uncertain: ${perProvider.join(', ')}, HTTP ${[...answers]
          .sort()
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
    );
    assert.equal(kills, 4);
    assert.ok(completed.length >= tasks.length / 3, `${completed.length} of ${tasks.length} completed`);
  });
});

interface TaskRow {
  id: string;
  owner_key_id: string;
  model: string;
  provider: string;
  state: string;
  request_json: string;
  upstream_id: string | null;
  error_code: string | null;
  callback_url: string | null;
  estimated_cost_usd: number;
  cost_usd: number | null;
  billing_transaction_id: string | null;
  video_duration_s: number | null;
  video_has_audio: number | null;
}
interface LedgerRow {
  id: string;
  key_id: string;
  task_id: string | null;
  kind: string;
  amount_usd: number;
}
interface KeyRow {
  id: string;
  balance_usd: number;
  reserved_usd: number;
  spent_usd: number;
}

/**
 * A pass-through proxy in front of one simulator that can lose the answer to the next creates (POSTs):
 * the request reaches the simulator, which makes the job and answers, and then the gateway's
 * connection is cut — it cannot know whether the job exists.
 */
class UpstreamProxy {
  loseNextCreate = 0;
  lost = 0;
  private server!: http.Server;
  origin = '';

  constructor(private readonly target: URL) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const lose = req.method === 'POST' && this.loseNextCreate > 0;
      if (lose) this.loseNextCreate--;
      const up = http.request({ host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        if (lose) {
          this.lost++;
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on('error', () => req.socket.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

function pickWeighted<T extends { weight: number }>(items: T[]): T {
  let r = Math.random() * items.reduce((s, i) => s + i.weight, 0);
  for (const i of items) {
    r -= i.weight;
    if (r < 0) return i;
  }
  return items[items.length - 1];
}

/** Every text-to-video job the Kling simulator holds, with the reference (our task id) it was created with. */
async function listKlingJobs(env: Record<string, string>): Promise<{ id: string; ref: string }[]> {
  const token = signKlingToken(env.KLING_ACCESS_KEY, env.KLING_SECRET_KEY);
  const out: { id: string; ref: string }[] = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${env.KLING_BASE_URL}/v1/videos/text2video?pageNum=${page}&pageSize=500`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const data = ((await res.json()) as { data: { task_id: string; task_info?: { external_task_id?: string } }[] }).data;
    for (const j of data) out.push({ id: j.task_id, ref: j.task_info?.external_task_id ?? '' });
    if (data.length < 500) return out;
  }
}

/** The callback receiver: checks signatures, fails some first attempts (500) so retries happen. */
class HookReceiver {
  readonly deliveries: { id: string; taskId: string; status: string; verified: boolean; answered: number }[] = [];
  readonly secrets = new Map<string, string>();
  private readonly failedOnce = new Set<string>();
  private server!: http.Server;
  base = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = String(req.headers['webhook-id'] ?? '');
        let verified = false;
        try {
          new Webhook(this.secrets.get(req.url ?? '') ?? 'whsec_AAAA').verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
        }
        let task: { id?: string; status?: string } = {};
        try {
          task = JSON.parse(body) as typeof task;
        } catch {
          /* recorded as unverified below */
        }
        const answered = !this.failedOnce.has(id) && chance(0.25) ? 500 : 200;
        if (answered === 500) this.failedOnce.add(id);
        this.deliveries.push({ id, taskId: task.id ?? '', status: task.status ?? '', verified, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  delivered(taskId: string): boolean {
    return this.deliveries.some((d) => d.taskId === taskId && d.answered === 200);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
