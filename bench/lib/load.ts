import { execFile, spawn, type ChildProcess } from 'node:child_process';
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

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
