/**
 * Crash recovery, end to end, with real processes: the simulators run as their own process
 * (`src/sandbox/main.ts`), the gateway as another (`src/main.ts`, sandbox off, pointed at them), and
 * the gateway is `kill -9`ed while submitting, while polling and while storing outputs, then restarted
 * on the same data dir. Proves: every task ends in the right terminal state (completed with a
 * playable MP4, or failed only with submission_interrupted), no upstream job is created twice, a Kling
 * task killed mid-submission is recovered by its reference, and the key's balance matches the outcomes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { defaultCatalog } from '../../src/catalog/index.js';
import { costForOutputUsd } from '../../src/catalog/pricing.js';
import type { Resolution } from '../../src/contract/operations.js';
import { generateSecret } from '../../src/keys/keys.js';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { until } from '../helpers/until.js';
import { CHEAP_REQUESTS, typicalSeconds } from '../helpers/workload.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-crash-'));
const dataDir = path.join(work, 'gateway');
const adminKey = generateSecret();
const BALANCE = 40;
const LEASE_MS = 3000;

/** Cheap requests, one per provider family in the mix (480p/720p, short). */
const WORKLOAD = CHEAP_REQUESTS.filter((w) => ['google', 'kling', 'xai', 'openai', 'vidu', 'dashscope'].includes(w.provider));

interface Gw {
  proc: ChildProcess;
  url: string;
  out: string[];
}

let sim: ChildProcess;
const simEnv: Record<string, string> = {};
let controlUrl = '';
let gw: Gw | null = null;
/** Everything every gateway run logged. */
const gatewayLogs: string[] = [];

/** The sim's printed lines are `<name> VAR=value VAR=value`: the gateway's env for that provider. */
before(async () => {
  sim = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, VIDGATE_SANDBOX_SPEED: '40', VIDGATE_DATA_DIR: path.join(work, 'sim') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const deadline = setTimeout(() => sim.kill('SIGKILL'), 60_000);
  for await (const line of createInterface({ input: sim.stdout! })) {
    if (line.startsWith('sandbox ready')) break;
    const [name, ...assignments] = line.split(' ');
    for (const a of assignments) {
      const eq = a.indexOf('=');
      if (eq > 0) simEnv[a.slice(0, eq)] = a.slice(eq + 1);
    }
    if (name === 'control') controlUrl = simEnv.SIM_CONTROL_URL;
  }
  clearTimeout(deadline);
  sim.stdout!.resume();
  assert.match(controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/, 'the sim prints its control URL');
  // The control server refuses what is not a fault control, and unknown simulators.
  const bad = await fetch(`${controlUrl}/faults/kling`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"method":"takeRequestFault","args":["create"]}' });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /setLatency/);
  assert.equal((await fetch(`${controlUrl}/faults/nope/reset`, { method: 'POST' })).status, 404);
  for (const v of ['GOOGLE_BASE_URL', 'KLING_ACCESS_KEY', 'KLING_SECRET_KEY', 'OPENAI_API_KEY', 'XAI_BASE_URL', 'VIDU_API_KEY', 'DASHSCOPE_BASE_URL']) assert.ok(simEnv[v], `sim printed ${v}`);
});

after(async () => {
  if (gw && gw.proc.exitCode === null) gw.proc.kill('SIGKILL');
  if (sim && sim.exitCode === null) {
    sim.kill('SIGTERM');
    await Promise.race([once(sim, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
    if (sim.exitCode === null) sim.kill('SIGKILL');
  }
  fs.rmSync(work, { recursive: true, force: true });
});

async function startGateway(): Promise<Gw> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      HOST: '127.0.0.1',
      VIDGATE_DATA_DIR: dataDir,
      VIDGATE_ADMIN_KEY: adminKey,
      VIDGATE_SANDBOX: '0',
      VIDGATE_LEASE_MS: String(LEASE_MS),
      VIDGATE_ENGINE_TICK_MS: '100',
      // Polls are scheduled around each model's typical latency; the simulators run 40x faster than real.
      VIDGATE_CATALOG_OVERRIDES: typicalSeconds(WORKLOAD, 3),
      ...Object.fromEntries(Object.entries(simEnv).filter(([k]) => k !== 'SIM_CONTROL_URL')),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => gatewayLogs.push(d.toString()));
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out.join('')}\n${stderr}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out.push(d.toString());
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`gateway exited ${code}:\n${out.join('')}\n${stderr}`)));
  });
  return { proc, url, out };
}

async function kill9(g: Gw): Promise<void> {
  const exited = once(g.proc, 'exit');
  g.proc.kill('SIGKILL');
  await exited;
}

async function api(p: string, init: { method?: string; json?: unknown; key?: string } = {}): Promise<Response> {
  return fetch(`${gw!.url}${p}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.key ?? adminKey}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
}

async function control(p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${controlUrl}${p}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, `${p}: ${await res.clone().text()}`);
  return res.json();
}
const setLatency = (provider: string, ms: number) => control(`/faults/${provider}`, { method: 'setLatency', args: [ms] });
const resetFaults = async () => {
  for (const w of WORKLOAD) await control(`/faults/${w.provider}/reset`, {});
};

/**
 * The gateway's own record, read-only (WAL lets us read beside it, alive or killed). Snapshots that
 * judge a kill are taken after it: the database at death is exactly what recovery starts from.
 */
function states(ids: string[]): Map<string, { state: string; upstream_id: string | null; cost_usd: number | null; error_code: string | null }> {
  const db = new SQLite(path.join(dataDir, 'vidgate.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`select id, state, upstream_id, cost_usd, error_code from tasks where id in (${ids.map(() => '?').join(',')})`).all(...ids) as any[];
    return new Map(rows.map((r) => [r.id, r]));
  } finally {
    db.close();
  }
}

describe('crash recovery: kill -9 the gateway while submitting, polling and storing', { timeout: 300_000 }, () => {
  it('loses no task, creates no upstream job twice, and bills exactly what completed', async () => {
    gw = await startGateway();
    const created = (await (await api('/v1/admin/keys', { method: 'POST', json: { name: 'crash' } })).json()) as { id: string; key: string };
    assert.equal((await api(`/v1/admin/keys/${created.id}`, { method: 'PATCH', json: { balance_usd: BALANCE } })).status, 200);
    const tasks: { id: string; provider: string; model: string; resolution: Resolution; phase: string }[] = [];
    const submit = async (phase: string, w: (typeof WORKLOAD)[number], i: number) => {
      const res = await api('/v1/videos/generations', { method: 'POST', json: { ...w.body, prompt: `${phase} ${w.provider} #${i}` }, key: created.key });
      assert.equal(res.status, 200, await res.clone().text());
      tasks.push({ id: ((await res.json()) as { id: string }).id, provider: w.provider, model: w.body.model as string, resolution: w.resolution, phase });
    };
    const statsOf = async () => (await control('/stats')) as Record<string, { creates: number; requests: number }>;
    const ids = (phase?: string) => tasks.filter((t) => !phase || t.phase === phase).map((t) => t.id);

    // ---- 1. Kill while submitting: creates are slow upstream (Kling, Veo, Sora), a burst is in flight.
    const before1 = await statsOf();
    for (const p of ['kling', 'google', 'openai']) await setLatency(p, 1500);
    for (const w of WORKLOAD) for (let i = 0; i < 2; i++) await submit('submit', w, i);
    // Both Kling creates have reached Kling (it counts a request on arrival, then waits out the latency).
    await until('both Kling creates in flight', async () => (await statsOf()).kling.requests >= before1.kling.requests + 2);
    await kill9(gw);
    const atKill1 = states(ids());
    const inSubmittingAtKill = [...atKill1.values()].filter((r) => r.state === 'submitting').length;
    const klingSubmitting = tasks.filter((t) => t.provider === 'kling' && atKill1.get(t.id)!.state === 'submitting').length;
    assert.equal(klingSubmitting, 2, 'both Kling tasks were mid-submission when the gateway died');
    // Whether a create cut off by the crash lands upstream is the upstream's business (this simulator
    // drops a request whose client vanished before it read the body; a real API may have taken it):
    // recovery must be right either way. It runs only once the dead worker's lease (3 s) has expired,
    // after the simulator's 1.5 s latency, so by then the upstream has made up its mind.
    await resetFaults();
    gw = await startGateway();
    // Recovery settles the first batch's submissions before the next kill, so that kill cannot catch
    // one of them mid-submission a second time (each kill is judged on its own batch).
    await until('the first batch is past submission', () => [...states(ids('submit')).values()].every((r) => r.state !== 'pending' && r.state !== 'submitting'), 60_000);

    // ---- 2. Kill while polling: a fresh batch, killed as soon as all of it is submitted upstream.
    for (const w of WORKLOAD) await submit('poll', w, 0);
    await until('the polling batch is processing', () => [...states(ids('poll')).values()].every((r) => r.state !== 'pending' && r.state !== 'submitting'), 30_000);
    await kill9(gw);
    const atKill2 = states(ids());
    const processingAtKill = ids('poll').filter((id) => atKill2.get(id)!.state === 'processing' || atKill2.get(id)!.state === 'finishing').length;
    assert.ok(processingAtKill >= 1, `tasks still processing at the second kill: ${processingAtKill}`);
    gw = await startGateway();

    // ---- 3. Kill while storing outputs: Sora and Veo downloads are slow, killed mid-download.
    for (const w of WORKLOAD.filter((x) => x.provider === 'openai' || x.provider === 'google')) for (let i = 0; i < 2; i++) await submit('finish', w, i);
    await until('the storing batch is processing', () => [...states(ids('finish')).values()].every((r) => r.state !== 'pending' && r.state !== 'submitting'), 30_000);
    for (const p of ['google', 'openai']) await setLatency(p, 2000);
    await until('an output is being stored', () => [...states(ids('finish')).values()].some((r) => r.state === 'finishing'), 60_000);
    await kill9(gw);
    const atKill3 = states(ids());
    const finishingAtKill = ids('finish').filter((id) => atKill3.get(id)!.state === 'finishing').length;
    assert.ok(finishingAtKill >= 1);
    await resetFaults();
    gw = await startGateway();

    // ---- Every task reaches a terminal state.
    const done = new Map<string, Record<string, any>>();
    await until(
      'every task terminal',
      async () => {
        for (const t of tasks) {
          if (done.has(t.id)) continue;
          const body = (await (await api(`/v1/tasks/${t.id}`, { key: created.key })).json()) as Record<string, any>;
          if (body.status === 'completed' || body.status === 'failed') done.set(t.id, body);
        }
        return done.size === tasks.length;
      },
      120_000,
      250,
    );

    // ---- The right terminal state: completed with a playable MP4, or failed only as the rule allows.
    const catalog = defaultCatalog();
    let expectedCost = 0;
    const interrupted = new Map<string, number>();
    for (const t of tasks) {
      const body = done.get(t.id)!;
      if (body.status === 'failed') {
        assert.equal(body.error?.code, 'submission_interrupted', `${t.phase} ${t.model}: ${JSON.stringify(body.error)}`);
        assert.ok(
          [atKill1, atKill2, atKill3].some((at) => at.get(t.id)?.state === 'submitting'),
          `only a task caught mid-submission by a kill may fail: ${t.phase} ${t.model} (${t.provider}) failed with "${body.error?.message}"; at the kills it was ${[atKill1, atKill2, atKill3].map((at) => at.get(t.id)?.state ?? 'not created').join(', ')}`,
        );
        assert.notEqual(t.provider, 'kling', 'Kling tasks are recovered by reference, never failed');
        interrupted.set(t.provider, (interrupted.get(t.provider) ?? 0) + 1);
        continue;
      }
      const res = await fetch(body.video_url);
      assert.equal(res.status, 200);
      const file = path.join(work, `${t.id}.mp4`);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const probe = await ffprobeFile(file);
      assert.equal(probe.codec, 'h264');
      assert.ok(probe.duration > 0.5, `${t.model} duration ${probe.duration}`);
      assert.deepEqual([probe.width, probe.height], [body.video.width, body.video.height]);
      expectedCost += costForOutputUsd(catalog.get(t.model)!, { seconds: body.video.duration, resolution: t.resolution, audio: body.has_audio });
    }
    const completed = tasks.filter((t) => done.get(t.id)!.status === 'completed');
    assert.equal(tasks.length, 12 + 6 + 4);
    assert.ok(completed.length >= tasks.length - inSubmittingAtKill);
    for (const phase of ['poll', 'finish']) {
      for (const t of tasks.filter((x) => x.phase === phase)) assert.equal(done.get(t.id)!.status, 'completed', `${phase} ${t.model}`);
    }

    // ---- No upstream job created twice: per provider, creates ≥ tasks with a job, ≤ that + interrupted ones.
    const finalRows = states(ids());
    const upstreamIds = [...finalRows.values()].map((r) => r.upstream_id).filter((u): u is string => u !== null);
    assert.equal(new Set(upstreamIds).size, upstreamIds.length, 'no two tasks share an upstream job');
    const stats = await statsOf();
    const report: string[] = [];
    for (const provider of new Set(WORKLOAD.map((w) => w.provider))) {
      const withJob = tasks.filter((t) => t.provider === provider && finalRows.get(t.id)!.upstream_id !== null).length;
      const lost = interrupted.get(provider) ?? 0;
      const creates = stats[provider].creates;
      report.push(`${provider}: ${creates} creates, ${withJob} tasks with a job, ${lost} interrupted`);
      assert.ok(creates >= withJob && creates <= withJob + lost, `${provider}: ${creates} creates for ${withJob} tasks with a job and ${lost} interrupted`);
    }
    // Kling: exact. Its two tasks killed mid-create were looked up by their reference (found → that
    // job polled; certainly absent → submitted again), completed, and each has exactly one job.
    assert.equal(stats.kling.creates, tasks.filter((t) => t.provider === 'kling').length, report.join('; '));
    const klingDone = tasks.filter((t) => t.provider === 'kling' && t.phase === 'submit').map((t) => done.get(t.id)!.status);
    assert.deepEqual(klingDone, ['completed', 'completed']);
    const logText = gatewayLogs.join('');
    const foundByLookup = logText.split('interrupted submission had reached the upstream').length - 1;
    const absentByLookup = logText.split('interrupted submission never reached the upstream').length - 1;
    assert.equal(foundByLookup + absentByLookup, 2, 'both Kling tasks were settled by a lookup');
    report.push(`kling lookups: ${foundByLookup} found, ${absentByLookup} certainly absent`);

    // ---- Balance consistent with outcomes.
    const key = ((await (await api('/v1/admin/keys')).json()) as { data: any[] }).data.find((k) => k.id === created.id);
    const billed = completed.reduce((s, t) => s + (finalRows.get(t.id)!.cost_usd ?? 0), 0);
    assert.equal(key.reserved_usd, 0, 'every reservation settled or released');
    assert.ok(Math.abs(BALANCE - billed - key.balance_usd) < 1e-6, `balance ${key.balance_usd} vs ${BALANCE} − ${billed}`);
    assert.ok(Math.abs(key.spent_usd - billed) < 1e-6);
    assert.ok(Math.abs(billed - expectedCost) < 1e-3 * completed.length, `billed ${billed} vs priced from outputs ${expectedCost}`);
    for (const t of tasks.filter((x) => done.get(x.id)!.status === 'failed')) assert.equal(finalRows.get(t.id)!.cost_usd ?? 0, 0);
    const usage = (await (await api('/v1/usage', { key: created.key })).json()) as { total_cost_usd: number };
    assert.ok(Math.abs(usage.total_cost_usd - billed) < 1e-6);

    console.log(
      `crash-recovery: ${tasks.length} tasks, ${completed.length} completed, ${tasks.length - completed.length} submission_interrupted; at the kills: ${inSubmittingAtKill} submitting, ${processingAtKill} processing, ${finishingAtKill} finishing; ${report.join('; ')}; billed $${billed.toFixed(6)}`,
    );
    await kill9(gw);
  });
});
