// `npm run sim`: run every provider simulator until SIGINT/SIGTERM and print how to point the gateway at them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestOf } from '../providers/registry.js';
import { protocolOf } from '../providers/manifest.js';
import { startControlServer } from './control.js';
import { simulatorInputFetcher } from './fetch-input.js';
import { DEFAULT_SANDBOX_SPEED, startSandbox } from './index.js';

function numberEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`${name} must be a positive number, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

const portBase = numberEnv('PORT_BASE');
const speed = numberEnv('VIDGATE_SANDBOX_SPEED') ?? DEFAULT_SANDBOX_SPEED;
const dataDir = process.env.VIDGATE_DATA_DIR;
// With no data dir the renders are throwaway: use a temp dir and remove it on exit.
const workDir = dataDir ? join(dataDir, 'sandbox') : await mkdtemp(join(tmpdir(), 'vidgate-sandbox-'));

// Tenant URLs go through the guarded fetcher; VIDGATE_ALLOW_PRIVATE_NETWORK=1 lets them reach loopback (tests).
const allowPrivateNetwork = ['1', 'true', 'yes', 'on'].includes((process.env.VIDGATE_ALLOW_PRIVATE_NETWORK ?? '').toLowerCase());
// VIDGATE_CALLBACK_BASE_URL (the gateway's, as in its own env): the OpenAI project webhook points at its `openai` channel.
const callbackBase = process.env.VIDGATE_CALLBACK_BASE_URL?.trim().replace(/\/+$/, '');
const projectWebhooks = callbackBase ? { openai: `${callbackBase}/v1/upstream-callbacks/openai` } : undefined;
const sandbox = await startSandbox({ workDir, speed, portBase, host: process.env.VIDGATE_SANDBOX_HOST, fetchInput: simulatorInputFetcher({ allowPrivateNetwork }), projectWebhooks });
// One line per channel kind, as env assignments the gateway understands (names from the provider manifests).
for (const channel of sandbox.channels) {
  const creds = Object.entries(channel.endpoint.credentials).map(([k, v]) => `${k}=${v}`);
  console.log([channel.protocol, `${protocolOf(manifestOf(channel.provider)!, channel.protocol).baseUrl.env}=${channel.endpoint.baseUrl}`, ...creds].join(' '));
}
// Counters and fault controls for tests in another process (loopback only; see README).
const control = await startControlServer(sandbox.simulators);
console.log(`control SIM_CONTROL_URL=${control.url}`);
console.log(`sandbox ready (speed ${speed}, data in ${workDir}); Ctrl+C to stop`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing simulators`);
  await control.close();
  await sandbox.close();
  if (!dataDir) await rm(workDir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
