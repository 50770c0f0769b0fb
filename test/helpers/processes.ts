/**
 * Real processes for end-to-end tests and benchmarks: the simulators (`npm run sim`) and gateways
 * (`src/main.ts`, as `npm start` runs it), each in its own process on loopback.
 */
import { SIMULATORS } from '../../src/sandbox/simulators.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SimProcess {
  proc: ChildProcess;
  /** Environment variables that point a gateway at these simulators (credentials and base URLs). */
  env: Record<string, string>;
  /** The control server: counters and fault controls (see src/sandbox/control.ts). */
  controlUrl: string;
  stop(): Promise<void>;
}

export async function startSimProcess(opts: { speed?: number; dataDir: string; env?: Record<string, string> }): Promise<SimProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, VIDGATE_SANDBOX_SPEED: String(opts.speed ?? 20), VIDGATE_DATA_DIR: opts.dataDir, ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env: Record<string, string> = {};
  let controlUrl = '';
  // Lines are read for as long as the process lives: closing its stdout early would make its next
  // log line an EPIPE (and a crash) in the simulators.
  const lines = createInterface({ input: proc.stdout! });
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('the simulators did not start within 60 s'));
    }, 60_000);
    proc.once('exit', (code) => reject(new Error(`the simulators exited (${code}) before they were ready`)));
    lines.on('line', (line) => {
      if (controlUrl && line.startsWith('sandbox ready')) {
        clearTimeout(deadline);
        resolve();
        return;
      }
      const [name, ...assignments] = line.split(' ');
      for (const a of assignments) {
        const eq = a.indexOf('=');
        if (eq > 0) env[a.slice(0, eq)] = a.slice(eq + 1);
      }
      if (name === 'control') controlUrl = env.SIM_CONTROL_URL;
    });
  });
  if (!controlUrl) throw new Error('the simulators did not start');
  delete env.SIM_CONTROL_URL;
  return { proc, env, controlUrl, stop: () => stopProcess(proc) };
}

export interface GatewayProcess {
  proc: ChildProcess;
  url: string;
  /** Everything it wrote on stdout (JSON log lines). */
  out: string[];
  stderr(): string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/**
 * A gateway as `npm start` runs it. `entry`: the TypeScript source (via tsx, default) or the built
 * `dist/src/main.js`.
 */
export async function startGatewayProcess(env: Record<string, string>, entry: 'source' | 'built' = 'source', nodeArgs: string[] = []): Promise<GatewayProcess> {
  // A port chosen here, so readiness is a /healthz answer whatever the log level.
  if (!env.PORT || env.PORT === '0') return onFreePort((port) => startGatewayProcess({ ...env, PORT: String(port) }, entry, nodeArgs));
  const args = [...nodeArgs, ...(entry === 'built' ? [path.join(ROOT, 'dist/src/main.js')] : ['--import', 'tsx', 'src/main.ts'])];
  const port = Number(env.PORT);
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', VIDGATE_SANDBOX: '0', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  proc.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`gateway exited (${proc.exitCode ?? proc.signalCode}):\n${out.join('')}\n${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`gateway did not start:\n${out.join('')}\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    url,
    out,
    stderr: () => stderr,
    stop: () => stopProcess(proc),
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * `start` on a free port; on another (up to `tries` in all) while it fails with EADDRINUSE: the
 * port is free when chosen, but another test's connection can take it before `start` listens.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, tries = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= tries || !/EADDRINUSE/.test(String((err as Error)?.message))) throw err;
    }
  }
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(proc: ChildProcess, graceMs = 15_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Peak resident memory of a process so far (Linux VmHWM), in bytes; null where unknown. */
export function peakRssBytes(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function simControl(controlUrl: string, p: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${controlUrl}${p}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`sim control ${p}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Every simulator's counters (`creates`, `requests`, …), by provider. */
export function simStats(controlUrl: string): Promise<Record<string, { creates: number; requests: number }>> {
  return simControl(controlUrl, '/stats') as Promise<Record<string, { creates: number; requests: number }>>;
}

/** Calls one simulator's fault control, e.g. `simFault(url, 'kling', 'setLatency', 1500)`. */
export async function simFault(controlUrl: string, provider: string, method: string, ...args: unknown[]): Promise<void> {
  await simControl(controlUrl, `/faults/${provider}`, { method, args });
}

export async function simResetFaults(controlUrl: string, provider: string): Promise<void> {
  await simControl(controlUrl, `/faults/${provider}/reset`, {});
}

/**
 * Upstream jobs a provider's simulators started, over all its channel kinds (OpenAI and Azure OpenAI,
 * BytePlus and Volcengine Ark, …). A Topaz request runs only once its upload is complete: its create
 * is a free estimate, and a request released after a failed accept or upload (the adapter DELETEs it
 * and the engine sends the task again) never runs, so its jobs are its completed uploads.
 */
export function upstreamJobsOf(stats: Record<string, { creates: number; completes?: number }>, provider: string): number {
  const started = (s: { creates: number; completes?: number } | undefined) => (provider === 'topaz' ? s?.completes : s?.creates) ?? 0;
  return SIMULATORS.filter((k) => k.provider === provider).reduce((sum, k) => sum + started(stats[k.name]), 0);
}
