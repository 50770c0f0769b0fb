/**
 * `npm run bench`: the gateway against a bare node:http server, in one run on loopback, every party
 * in its own process (load generator, gateway, simulators, bare server), so machine noise hits both
 * sides alike. Reports ratios (gateway / bare), medians over rounds.
 *   BENCH_SECONDS (default 5) per round, BENCH_CONNECTIONS (default 32), BENCH_ROUNDS (default 3),
 *   BENCH_ONLY (reads or creates).
 * `npm run bench -- backlog` runs the backlog benchmark instead (bench/backlog.ts).
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSecret } from '../src/keys/keys.js';
import { ROOT, startGatewayProcess, startSimProcess, stopProcess } from '../test/helpers/processes.js';
import { median, runLoad, runWrk, startBareServer, withCpuPerRequest, wrkAvailable } from './lib/load.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * Creates are also measured with more connections: each create waits for an fsync of the WAL
 * (~2–4 ms on these machines), so with 32 connections the rate is bounded by 32 ÷ that latency,
 * whatever the CPU; with more, by the CPU (bench/README.md, seventh session).
 */
const busyConnections = Number(process.env.BENCH_CREATE_BUSY_CONNECTIONS ?? 128);
/** `reads` or `creates` runs only those rows (quicker while working on one of them); unset runs both. */
const only = process.env.BENCH_ONLY ?? '';
if (only !== '' && only !== 'reads' && only !== 'creates') throw new Error(`BENCH_ONLY must be reads or creates, not ${JSON.stringify(only)}`);
// wrk when installed (it outruns both servers); autocannon otherwise (it may be the slower side).
const useWrk = wrkAvailable();
const load = useWrk ? runWrk : runLoad;

async function waitCompleted(url: string, auth: Record<string, string>, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const t = (await (await fetch(`${url}/v1/tasks/${id}`, { headers: auth })).json()) as Record<string, unknown>;
    if (t.status === 'completed') return t;
    if (t.status === 'failed') throw new Error(`bench task failed: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bench task did not complete');
}

async function main(): Promise<void> {
  if (process.argv.includes('backlog')) {
    await import('./backlog.js');
    return;
  }
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-bench-'));
  const sims = await startSimProcess({ speed: 50, dataDir: path.join(work, 'sim') });
  const adminKey = generateSecret();
  const auth = { authorization: `Bearer ${adminKey}` };
  const gatewayEnv = (role: string, dir: string) => ({
    ...sims.env,
    VIDGATE_DATA_DIR: path.join(work, dir),
    VIDGATE_ADMIN_KEY: adminKey,
    VIDGATE_ROLE: role,
    LOG_LEVEL: 'warn',
    // The limiter is on (its cost counts) with a limit the bench never reaches.
    VIDGATE_RATE_LIMIT_RPM: '1000000000',
  });
  // Per row: requests per second, and the main thread's CPU microseconds per request (Linux).
  const read = { bare: sample(), completed: sample(), processing: sample(), viaNode: sample() };
  // Every round launches its own gateway and bare server: throughput differs a few percent from one
  // launch of a process to the next (bench/README.md), so a median over launches is the fair figure.
  // Within a round the sides alternate so drift affects both.
  for (let i = 0; i < (only === 'creates' ? 0 : rounds); i++) {
    const gw = await startGatewayProcess(gatewayEnv('all', `reads-${i}`), 'built');
    const post = (body: unknown) =>
      fetch(`${gw.url}/v1/videos/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ id: string }>);
    const done = await post({ model: 'veo3.1-fast', prompt: 'bench', duration: 4 });
    const task = await waitCompleted(gw.url, auth, done.id);
    // One that stays processing (the simulator never finishes it).
    const running = await post({ model: 'veo3.1-fast', prompt: 'bench running [sim:hang]', duration: 4 });
    const bare = await startBareServer(JSON.stringify(task));
    read.bare.add(await measure(bare.proc, { url: `${bare.url}/v1/tasks/${done.id}` }, false));
    read.completed.add(await measure(gw.proc, { url: `${gw.url}/v1/tasks/${done.id}`, headers: auth }));
    read.processing.add(await measure(gw.proc, { url: `${gw.url}/v1/tasks/${running.id}`, headers: auth }));
    // The same read on connections Node's HTTP server owns (as after a create on the same
    // connection): a header value with a non-ASCII byte, which Node accepts and the socket path
    // leaves to Node (src/http/socket-reads.ts), so the in-memory answer goes through Node's handler.
    read.viaNode.add(await measure(gw.proc, { url: `${gw.url}/v1/tasks/${done.id}`, headers: { ...auth, 'x-bench-door': 'node\u00e9' } }));
    await Promise.all([gw.stop(), stopProcess(bare.proc)]);
  }

  // Creates on an API-only node (no engine: the durable create, not video rendering), a fresh
  // database per round.
  const createBody = JSON.stringify({ model: 'veo3.1-fast', prompt: 'bench create', duration: 4, aspect_ratio: '16:9' });
  const create = { bare: sample(), gateway: sample() };
  const createBusy = { bare: sample(), gateway: sample() };
  for (let i = 0; i < (only === 'reads' ? 0 : rounds); i++) {
    const [api, bare] = await Promise.all([startGatewayProcess(gatewayEnv('api', `creates-${i}`), 'built'), startBareServer('{}')]);
    const post = { method: 'POST', body: createBody };
    for (const [row, conns] of [
      [create, connections],
      [createBusy, busyConnections],
    ] as const) {
      row.bare.add(await measure(bare.proc, { ...post, url: `${bare.url}/v1/videos/generations`, headers: { 'content-type': 'application/json' } }, false, conns));
      row.gateway.add(await measure(api.proc, { ...post, url: `${api.url}/v1/videos/generations`, headers: { ...auth, 'content-type': 'application/json' } }, true, conns));
    }
    await Promise.all([api.stop(), stopProcess(bare.proc)]);
  }
  await sims.stop();
  fs.rmSync(work, { recursive: true, force: true });

  const rows = [
    { what: 'GET /v1/tasks/{id} (completed)', bare: read.bare, gateway: read.completed, target: 0.85 },
    { what: 'GET /v1/tasks/{id} (processing)', bare: read.bare, gateway: read.processing, target: 0.85 },
    { what: "GET /v1/tasks/{id} (via Node's HTTP)", bare: read.bare, gateway: read.viaNode, target: null },
    { what: 'POST /v1/videos/generations', bare: create.bare, gateway: create.gateway, target: 0.5 },
    { what: `  the same, ${busyConnections} connections`, bare: createBusy.bare, gateway: createBusy.gateway, target: 0.5 },
  ];
  console.log(`\nVidgate bench: ${rounds} rounds × ${seconds}s, ${connections} connections, load from ${useWrk ? 'wrk' : 'autocannon'}, node ${process.version}, ${os.cpus().length} cores`);
  console.log(
    'what'.padEnd(36),
    'bare req/s'.padStart(12),
    'gateway req/s'.padStart(14),
    'ratio'.padStart(7),
    'target'.padStart(8),
    '',
    'CPU µs/req bare, gateway, ratio'.padStart(34),
    'gateway, all threads'.padStart(21),
  );
  for (const r of rows) {
    if (r.gateway.rps.length === 0) continue;
    const ratio = median(r.gateway.rps) / median(r.bare.rps);
    // The same comparison by main-thread CPU per request (bare ÷ gateway: 1 means as cheap as bare).
    const cpu = r.bare.cpu.length && r.gateway.cpu.length ? [median(r.bare.cpu), median(r.gateway.cpu)] : null;
    const cpuText = cpu ? `${cpu[0].toFixed(1)}, ${cpu[1].toFixed(1)}, ${(cpu[0] / cpu[1]).toFixed(2)}` : 'n/a (no /proc)';
    console.log(
      r.what.padEnd(36),
      median(r.bare.rps).toFixed(0).padStart(12),
      median(r.gateway.rps).toFixed(0).padStart(14),
      ratio.toFixed(2).padStart(7),
      (r.target === null ? '—' : `≥ ${r.target}`).padStart(8),
      (r.target === null ? '' : ratio >= r.target ? 'PASS' : 'BELOW').padEnd(5),
      cpuText.padStart(28),
      (r.gateway.processCpu.length ? median(r.gateway.processCpu).toFixed(1) : 'n/a').padStart(21),
    );
  }
}

/**
 * One load run against `proc` (this run's duration and connections), with its main-thread CPU per
 * request. `checked`: refuse a run that saw errors (the gateway's rows; the bare side as before).
 */
function measure(proc: ChildProcess, o: { url: string; method?: string; headers?: Record<string, string>; body?: string }, checked = true, conns = connections) {
  return withCpuPerRequest(proc.pid!, () => {
    const run = load({ ...o, seconds, connections: conns });
    return checked ? check(run) : run;
  });
}

/** A row's measurements over rounds: requests per second, and CPU µs per request where known. */
function sample() {
  const s = {
    rps: [] as number[],
    cpu: [] as number[],
    processCpu: [] as number[],
    add(r: { rps: number; cpuUsPerRequest: number | null; processCpuUsPerRequest: number | null }) {
      s.rps.push(r.rps);
      if (r.cpuUsPerRequest !== null) s.cpu.push(r.cpuUsPerRequest);
      if (r.processCpuUsPerRequest !== null) s.processCpu.push(r.processCpuUsPerRequest);
    },
  };
  return s;
}

/** A benchmark that saw errors measured something else: refuse its number. */
async function check(p: ReturnType<typeof runLoad>) {
  const r = await p;
  // wrk counts only 4xx/5xx as non-2xx; none of these requests should ever answer 3xx either.
  if (!Number.isFinite(r.rps) || r.total === 0) throw new Error('the load generator reported no requests (unparsable output?)');
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`the benchmark saw ${r.non2xx} non-2xx answers and ${r.errors} errors`);
  return r;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
