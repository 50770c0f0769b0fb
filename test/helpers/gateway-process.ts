import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSecret } from '../../src/keys/keys.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface GatewayProcess {
  proc: ChildProcess;
  url: string;
  adminKey: string;
  dataDir: string;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running, and remove the data dir. */
  dispose(): Promise<void>;
}

/** Runs `src/main.ts` (through tsx) as its own process on an ephemeral port, sandbox on. */
export async function spawnGateway(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-proc-'));
  const adminKey = generateSecret();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', VIDGATE_DATA_DIR: dataDir, VIDGATE_ADMIN_KEY: adminKey, VIDGATE_SANDBOX: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = once(proc, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const deadline = Date.now() + 90_000;
  let url: string | null = null;
  while (!url) {
    url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1] ?? null;
    if (url) break;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`gateway did not start (exit ${proc.exitCode}):\n${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    url,
    adminKey,
    dataDir,
    stdout: () => out,
    stderr: () => err,
    exited,
    async dispose() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process now and at its peak (VmHWM), MiB. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
