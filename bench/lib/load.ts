import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../../test/helpers/processes.js';

/** What one load run measured (autocannon, in its own process). */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  total: number;
}

export interface LoadOptions {
  url: string;
  seconds?: number;
  connections?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Requests per second across all connections; unset = as fast as the server answers. */
  rate?: number;
  /** Stop after this many requests (instead of after `seconds`). */
  amount?: number;
}

/** Runs autocannon as a separate process, so the load generator never shares an event loop with what it measures. */
export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const args = [path.join(ROOT, 'node_modules/autocannon/autocannon.js'), '--json', '-c', String(o.connections ?? 32)];
  if (o.amount !== undefined) args.push('-a', String(o.amount));
  else args.push('-d', String(o.seconds ?? 5));
  if (o.method) args.push('-m', o.method);
  if (o.rate !== undefined) args.push('-R', String(o.rate));
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (o.body !== undefined) args.push('-b', o.body);
  args.push(o.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024, timeout: ((o.seconds ?? 5) + 120) * 1000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`autocannon failed: ${err.message}\n${stderr}`));
      const r = JSON.parse(stdout) as { requests: { average: number; total: number }; latency: { p50: number; p99: number; max: number }; non2xx: number; errors: number };
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, non2xx: r.non2xx, errors: r.errors, total: r.requests.total });
    });
  });
}

/** Whether wrk (C, epoll; Debian's `wrk` package) is installed; BENCH_LOADGEN=autocannon forces autocannon. */
export function wrkAvailable(): boolean {
  if (process.env.BENCH_LOADGEN === 'autocannon') return false;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk prints its version and exits 1; only a missing binary is "not available".
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Runs wrk as a separate process (one thread: on 2 cores the server keeps the other). A Node load
 * generator can be the slower side against a bare server; wrk is not, so ratios measure the servers.
 * No `rate` or `amount` (wrk has neither): for those, runLoad.
 */
export function runWrk(o: Omit<LoadOptions, 'rate' | 'amount'>): Promise<LoadResult> {
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-wrk-')), 'request.lua');
  const lua = [`wrk.method = ${JSON.stringify(o.method ?? 'GET')}`];
  if (o.body !== undefined) lua.push(`wrk.body = ${JSON.stringify(o.body)}`);
  for (const [k, v] of Object.entries(o.headers ?? {})) lua.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  fs.writeFileSync(script, `${lua.join('\n')}\n`);
  const args = ['-t1', `-c${o.connections ?? 32}`, `-d${o.seconds ?? 5}s`, '--latency', '-s', script, o.url];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: ((o.seconds ?? 5) + 60) * 1000 }, (err, stdout, stderr) => {
      fs.rmSync(path.dirname(script), { recursive: true, force: true });
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stderr}`));
      // wrk prints durations with a unit: 373.21us, 8.82ms, 1.02s.
      const toMs = (m: RegExpExecArray | null) => (m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : Number.NaN);
      const percentile = (label: string) => toMs(new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(stdout));
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      const total = Number(/^\s*(\d+) requests in/m.exec(stdout)?.[1] ?? Number.NaN);
      resolve({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN),
        p50: percentile('50'),
        p99: percentile('99'),
        // The Latency line: average, deviation, max.
        max: toMs(/^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/m.exec(stdout)),
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
        errors: socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
        total,
      });
    });
  });
}

/** The bare node:http baseline in its own process, answering `body`. */
export async function startBareServer(body: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'bench/bare-server.mjs')], { env: { ...process.env, BARE_BODY: body }, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: proc.stdout! })) {
    if (line.startsWith('http://')) {
      proc.stdout!.resume();
      return { url: line.trim(), proc };
    }
  }
  throw new Error('the bare server did not start');
}

/**
 * CPU time (user + system, ms) the main thread of process `pid` has used: on Linux, from
 * /proc/<pid>/task/<pid>/stat; null where that does not exist. Per request, it is a steadier
 * figure than requests per second on a shared machine (it does not count time the process waited
 * for a core) — and the main thread is where a Node server's request work runs.
 */
export function mainThreadCpuMs(pid: number): number | null {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

/** utime + stime (ms) from a /proc …/stat file, or null where it does not exist. */
function statCpuMs(file: string): number | null {
  try {
    const stat = fs.readFileSync(file, 'utf8');
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU time (user + system, ms) all threads of process `pid` have used (Linux), or null. */
export function processCpuMs(pid: number): number | null {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** The whole machine's busy and total CPU time so far (ms, all cores; Linux), or null. */
export function machineCpuMs(): { busy: number; total: number } | null {
  try {
    const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    // idle and iowait are the 4th and 5th.
    return { busy: ((total - ticks[3] - ticks[4]) * 1000) / CLOCK_TICKS_PER_SECOND, total: (total * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** Linux reports /proc CPU times in clock ticks, 100 per second on every platform Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Runs `load` and returns its result with the CPU microseconds `pid` spent per request: its main
 * thread's, and all its threads' (the create writer's, libuv's pool, GC helpers).
 */
export async function withCpuPerRequest(pid: number, load: () => Promise<LoadResult>): Promise<LoadResult & { cpuUsPerRequest: number | null; processCpuUsPerRequest: number | null }> {
  const before = [mainThreadCpuMs(pid), processCpuMs(pid)];
  const r = await load();
  const after = [mainThreadCpuMs(pid), processCpuMs(pid)];
  const perRequest = (i: number) => (before[i] === null || after[i] === null || r.total === 0 ? null : ((after[i]! - before[i]!) * 1000) / r.total);
  return { ...r, cpuUsPerRequest: perRequest(0), processCpuUsPerRequest: perRequest(1) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
