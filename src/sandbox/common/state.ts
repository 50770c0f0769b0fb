/**
 * What a simulator keeps in its work dir so that a restart on the same data directory is the same
 * upstream: its port (links handed out before the restart keep working), its secrets (keys and the
 * link-signing secret) and, through JobStore, its jobs. A fresh work dir starts fresh.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { listen } from '../http-util.js';

export interface SimState {
  /** Ports by server name ('api', 'media'), as last listened on. */
  ports: Record<string, number>;
  /** Named secrets (API keys, signing secrets), generated once per work dir. */
  secrets: Record<string, string>;
}

const FILE = 'state.json';

export function readState(workDir: string): SimState {
  try {
    const parsed = JSON.parse(readFileSync(join(workDir, FILE), 'utf8')) as Partial<SimState>;
    return { ports: { ...parsed.ports }, secrets: { ...parsed.secrets } };
  } catch {
    return { ports: {}, secrets: {} };
  }
}

export function writeState(workDir: string, state: SimState): void {
  mkdirSync(workDir, { recursive: true });
  const tmp = join(workDir, `${FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, join(workDir, FILE));
}

/** A secret kept in the work dir: `make()` runs only the first time. */
export function persistedSecret(workDir: string, name: string, make: () => string = () => randomBytes(32).toString('hex')): string {
  const state = readState(workDir);
  if (!state.secrets[name]) {
    state.secrets[name] = make();
    writeState(workDir, state);
  }
  return state.secrets[name];
}

/**
 * Listen on `port` when one is given; otherwise on the port this server had before a restart (if
 * it is still free), else an ephemeral one. The port used is remembered.
 */
export async function listenPersisted(server: Server, workDir: string, name: string, host: string, port: number | undefined): Promise<string> {
  const state = readState(workDir);
  const previous = state.ports[name];
  let url: string;
  if (port) url = await listen(server, host, port);
  else if (previous) url = await listen(server, host, previous).catch(() => listen(server, host, 0));
  else url = await listen(server, host, 0);
  const now = readState(workDir);
  now.ports[name] = Number(new URL(url).port);
  writeState(workDir, now);
  return url;
}
