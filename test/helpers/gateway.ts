import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { generateSecret } from '../../src/keys/keys.js';
import { startGateway, type RunningGateway } from '../../src/server.js';

export interface TestGateway extends RunningGateway {
  adminKey: string;
  dataDir: string;
  /** Log lines the gateway wrote (JSON), for secret-leak checks. */
  logs: string[];
  api(pathname: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
}

/** Starts a real gateway (sandbox simulators, SQLite in a temp dir) on an ephemeral loopback port. */
export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-test-'));
  const adminKey = env.VIDGATE_ADMIN_KEY ?? generateSecret();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    VIDGATE_DATA_DIR: dataDir,
    VIDGATE_ADMIN_KEY: adminKey,
    VIDGATE_SANDBOX: '1',
    VIDGATE_SANDBOX_SPEED: '20',
    VIDGATE_ENGINE_TICK_MS: '50',
    // The engine on the test's own event loop: under tsx an engine thread loads its modules again
    // (~1.5 s per gateway). The thread is the default everywhere else: the files that ask for it and
    // every gateway started as a process (chaos, cluster, restarts, startup) run it, and
    // VIDGATE_TEST_ENGINE_THREAD=1 runs every test gateway with it.
    VIDGATE_ENGINE_THREAD: process.env.VIDGATE_TEST_ENGINE_THREAD === '1' ? '1' : '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  const gw = await startGateway(config, logger);
  const api = (pathname: string, init: RequestInit & { key?: string | null; json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    const key = init.key === undefined ? adminKey : init.key;
    if (key !== null) headers.set('authorization', `Bearer ${key}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(`${gw.url}${pathname}`, { ...init, headers, body });
  };
  return {
    ...gw,
    adminKey,
    dataDir,
    logs,
    api,
    async close() {
      await gw.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls a task until it is terminal (or the deadline passes) and returns its last body. */
export async function waitForTask(gw: TestGateway, id: string, opts: { key?: string; timeoutMs?: number } = {}): Promise<Record<string, any>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let last: Record<string, any> = {};
  while (Date.now() < deadline) {
    const res = await gw.api(`/v1/tasks/${id}`, { key: opts.key });
    last = (await res.json()) as Record<string, any>;
    if (last.status === 'completed' || last.status === 'failed') return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${id} not terminal in time; last: ${JSON.stringify(last)}`);
}

/** Waits until the task reaches one of `statuses` (e.g. processing). */
export async function waitForStatus(gw: TestGateway, id: string, statuses: string[], timeoutMs = 30_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, any> = {};
  while (Date.now() < deadline) {
    last = (await (await gw.api(`/v1/tasks/${id}`)).json()) as Record<string, any>;
    if (statuses.includes(last.status)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${id} never reached ${statuses.join('|')}; last: ${JSON.stringify(last)}`);
}
