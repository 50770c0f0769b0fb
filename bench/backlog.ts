/**
 * `npm run bench -- backlog`: N tasks that never finish upstream (BENCH_BACKLOG, default 100,000),
 * with the simulators, the gateway and the load generators each in their own process. Reports the
 * create rate, how fast the engine submits, upstream polls per minute, task-read latency (p50/p99)
 * while the engine works through the backlog, and the gateway's peak RSS.
 *   BENCH_BACKLOG tasks; BENCH_BACKLOG_SECONDS of engine work measured after the creates (default 60);
 *   BENCH_READ_RATE task reads per second during that time (default 200).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSecret } from '../src/keys/keys.js';
import { peakRssBytes, ROOT, startGatewayProcess, startSimProcess } from '../test/helpers/processes.js';
import { machineCpuMs, mainThreadCpuMs, processCpuMs, runLoad } from './lib/load.js';

const total = Number(process.env.BENCH_BACKLOG ?? 100_000);
const workSeconds = Number(process.env.BENCH_BACKLOG_SECONDS ?? 60);
const readRate = Number(process.env.BENCH_READ_RATE ?? 200);

interface SimStats {
  creates: number;
  polls: number;
}

async function googleStats(controlUrl: string): Promise<SimStats> {
  const all = (await (await fetch(`${controlUrl}/stats`)).json()) as Record<string, SimStats>;
  return all.google;
}

export async function runBacklog(): Promise<void> {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-backlog-'));
  // Real-time simulators (speed 1): the jobs never finish anyway, polls follow the real schedule.
  const sims = await startSimProcess({ speed: 1, dataDir: path.join(work, 'sim') });
  const adminKey = generateSecret();
  const auth = { authorization: `Bearer ${adminKey}` };
  const gw = await startGatewayProcess(
    {
      ...sims.env,
      VIDGATE_DATA_DIR: path.join(work, 'gw'),
      VIDGATE_ADMIN_KEY: adminKey,
      LOG_LEVEL: 'warn',
      VIDGATE_RATE_LIMIT_RPM: '1000000000',
      // e.g. VIDGATE_ENGINE_THREAD=0 npm run bench -- backlog: the engine on the HTTP event loop, to compare.
      ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('VIDGATE_ENGINE_') && e[1] !== undefined)),
    },
    'built',
    // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway under the backlog.
    (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  try {
    const body = JSON.stringify({ model: 'veo3.1-fast', prompt: 'a backlog that never ends [sim:hang]', duration: 4 });
    const probe = (await (await fetch(`${gw.url}/v1/videos/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body })).json()) as { id: string };

    // 1. The burst: N creates as fast as the gateway takes them, while the engine already works.
    const t0 = Date.now();
    const creates = await runLoad({ url: `${gw.url}/v1/videos/generations`, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body, amount: total - 1, connections: 64, seconds: 3600 });
    const createSeconds = (Date.now() - t0) / 1000;
    if (creates.non2xx > 0 || creates.errors > 0) throw new Error(`creates: ${creates.non2xx} non-2xx, ${creates.errors} errors`);
    const afterCreates = await googleStats(sims.controlUrl);

    // 2. The engine works through the backlog; clients read a task at a steady rate meanwhile.
    const t1 = Date.now();
    // Where the CPU went meanwhile: the HTTP thread, the whole gateway (the engine thread is the
    // difference), the simulators, the machine (2 cores: 200% is all of it).
    const cpuBefore = { http: mainThreadCpuMs(gw.proc.pid!), gateway: processCpuMs(gw.proc.pid!), sims: processCpuMs(sims.proc.pid!), machine: machineCpuMs() };
    const reads = await runLoad({ url: `${gw.url}/v1/tasks/${probe.id}`, headers: auth, rate: readRate, connections: 16, seconds: workSeconds });
    const windowMs = Date.now() - t1;
    const windowMinutes = windowMs / 60_000;
    const cpuAfter = { http: mainThreadCpuMs(gw.proc.pid!), gateway: processCpuMs(gw.proc.pid!), sims: processCpuMs(sims.proc.pid!), machine: machineCpuMs() };
    const share = (a: number | null, b: number | null) => (a === null || b === null ? 'n/a' : `${((100 * (b - a)) / windowMs).toFixed(0)}%`);
    const machineShare =
      cpuBefore.machine && cpuAfter.machine ? `${((100 * os.cpus().length * (cpuAfter.machine.busy - cpuBefore.machine.busy)) / (cpuAfter.machine.total - cpuBefore.machine.total)).toFixed(0)}%` : 'n/a';
    // The gateway's own view: how late its event loop ran timers (prom-client's default metrics).
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: auth })).text();
    const lag = (name: string) => Number(new RegExp(`^vidgate_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN) * 1000;
    const after = await googleStats(sims.controlUrl);
    const rss = peakRssBytes(gw.proc.pid!);
    // With BENCH_GATEWAY_NODE_ARGS=--trace-gc: the longest pauses, for looking into the read p99.
    const pauses = gw.out
      .join('')
      .split('\n')
      .filter((l) => /Mark-Compact|Scavenge/.test(l));
    if (pauses.length > 0) {
      const ms = (l: string) => Number(/, ([\d.]+) \/ [\d.]+ ms/.exec(l)?.[1] ?? 0);
      const compacts = pauses.filter((l) => l.includes('Mark-Compact'));
      console.log(
        `GC: ${pauses.length - compacts.length} scavenges, ${compacts.length} mark-compacts; longest pauses ${pauses
          .map(ms)
          .sort((a, b) => b - a)
          .slice(0, 5)
          .join(', ')} ms`,
      );
      if (process.env.BENCH_SHOW_GC) for (const l of compacts) console.log(l.trim());
    }

    const rows: [string, string][] = [
      ['tasks created', `${total} in ${createSeconds.toFixed(1)} s → ${(total / createSeconds).toFixed(0)} creates/s (p99 ${creates.p99} ms)`],
      [
        'submitted upstream',
        `${afterCreates.creates} during the creates, ${after.creates} after ${workSeconds} s more → ${((after.creates - afterCreates.creates) / (windowMinutes * 60)).toFixed(0)} submits/s while reading`,
      ],
      ['upstream polls', `${((after.polls - afterCreates.polls) / windowMinutes).toFixed(0)} per minute`],
      ['task reads while the engine works', `${reads.rps.toFixed(0)}/s, p50 ${reads.p50} ms, p99 ${reads.p99} ms, max ${reads.max} ms, non-2xx ${reads.non2xx}`],
      ['gateway event-loop delay', `p50 ${lag('p50').toFixed(1)} ms, p99 ${lag('p99').toFixed(1)} ms, max ${lag('max').toFixed(1)} ms (since start)`],
      [
        'CPU while reading (of one core)',
        `HTTP thread ${share(cpuBefore.http, cpuAfter.http)}, whole gateway ${share(cpuBefore.gateway, cpuAfter.gateway)}, simulators ${share(cpuBefore.sims, cpuAfter.sims)}, machine ${machineShare}`,
      ],
      ['gateway peak RSS', rss === null ? 'unknown' : `${(rss / 2 ** 20).toFixed(0)} MiB`],
    ];
    console.log(`\nVidgate backlog bench: ${total} never-finishing tasks, node ${process.version}, ${os.cpus().length} cores`);
    for (const [k, v] of rows) console.log(`${k.padEnd(36)} ${v}`);
    console.log(`targets: read p99 ≤ 25 ms → ${reads.p99 <= 25 ? 'PASS' : 'BELOW'}; peak RSS ≤ 1 GiB → ${rss !== null && rss <= 2 ** 30 ? 'PASS' : 'BELOW'}`);
  } finally {
    await gw.stop();
    await sims.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await runBacklog();
