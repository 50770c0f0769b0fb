import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProviderName } from '../catalog/types.js';
import { persistedSecret } from './common/state.js';
import type { InputFetcher } from './fetch-input.js';
import { startGoogleSimulator } from './google/index.js';
import { startSeedanceSimulator } from './seedance/index.js';
import { startTopazSimulator } from './topaz/index.js';
import { startKlingSimulator } from './kling/index.js';
import { startMinimaxSimulator } from './minimax/index.js';
import { startDashScopeSimulator } from './dashscope/index.js';
import { startOpenAISimulator } from './openai/index.js';
import { startXaiSimulator } from './xai/index.js';
import { startViduSimulator } from './vidu/index.js';
import { startVertexSimulator } from './vertex/index.js';

/** One kind of channel a simulator serves: the protocol, where it listens and the credentials it accepts. */
export interface SimulatorChannel {
  protocol: string;
  baseUrl: string;
  /** Keyed by the protocol's credential env var names (its manifest, src/providers/<name>/manifest.ts). */
  credentials: Record<string, string>;
}

/** What every simulator offers the sandbox. */
export interface RunningSimulator {
  /** Where the simulator's first channel kind listens, and the credentials it accepts. */
  baseUrl: string;
  credentials: Record<string, string>;
  /** Every channel kind it serves (Kling: an API key and an AccessKey/SecretKey pair), first = the default. */
  channels: SimulatorChannel[];
  /** Counters (creates, polls, …) so tests can prove nothing was submitted twice. */
  stats: object;
  /** The simulator's own fault controls (each simulator documents its own). */
  faults: unknown;
  close(): Promise<void>;
}

export interface SimulatorStartOptions {
  host?: string;
  port: number;
  speed: number;
  workDir: string;
  /** How the simulators read tenant URLs: through the gateway's guarded fetcher, with its policy. */
  fetchInput: InputFetcher;
  /** Where a provider with project-level webhooks (OpenAI) sends them, as set in its dashboard. */
  projectWebhookUrl?: string;
}

/**
 * A random secret shaped like the provider's own, kept in the simulator's work dir: a restart on
 * the same data directory is the same upstream account.
 */
export function fakeSecret(prefix: string, length = 35, workDir?: string, name = 'apiKey'): string {
  const make = () => `${prefix}${randomBytes(length).toString('base64url').slice(0, length)}`;
  return workDir ? persistedSecret(workDir, name, make) : make();
}

type Started = { baseUrl: string; stats: object; faults: unknown; close(): Promise<void> };

export interface SimulatorKind {
  provider: ProviderName;
  /** Names the simulator's work dir (its persisted keys) and its entry in the sandbox. */
  name: string;
  start(o: SimulatorStartOptions): Promise<RunningSimulator>;
}

/** A simulator serving one channel kind authenticated by one API key, shaped like the provider's own (`prefix` + `length` characters). */
function oneKey(provider: ProviderName, protocol: string, env: string, [prefix, length]: [string, number], start: (o: SimulatorStartOptions, apiKey: string) => Promise<Started>, name: string = provider): SimulatorKind {
  return {
    provider,
    name,
    async start(o) {
      const apiKey = fakeSecret(prefix, length, o.workDir);
      const sim = await start(o, apiKey);
      const credentials = { [env]: apiKey };
      return { baseUrl: sim.baseUrl, credentials, channels: [{ protocol, baseUrl: sim.baseUrl, credentials }], stats: sim.stats, faults: sim.faults, close: () => sim.close() };
    },
  };
}

/**
 * One line per simulator; the sandbox starts all of them and configures one channel per channel
 * kind they serve. A provider's first simulator is its default protocol's. Order fixes PORT_BASE
 * offsets: append new ones at the end.
 */
export const SIMULATORS: SimulatorKind[] = [
  oneKey('google', 'gemini-api', 'GEMINI_API_KEY', ['AIza', 35], (o, apiKey) => startGoogleSimulator({ ...o, apiKey })),
  {
    provider: 'kling',
    name: 'kling',
    start: async (o) => {
      const accessKey = fakeSecret('AK', 30, o.workDir, 'accessKey');
      const secretKey = fakeSecret('SK', 30, o.workDir, 'secretKey');
      const apiKey = fakeSecret('kl-', 40, o.workDir); // a console API key, Kling's current method
      const sim = await startKlingSimulator({ ...o, accessKey, secretKey, apiKey });
      // One simulator accepts both; each channel sends only its own credential.
      const channels: SimulatorChannel[] = [
        { protocol: 'kling-api-key', baseUrl: sim.baseUrl, credentials: { KLING_API_KEY: apiKey } },
        { protocol: 'kling-jwt', baseUrl: sim.baseUrl, credentials: { KLING_ACCESS_KEY: accessKey, KLING_SECRET_KEY: secretKey } },
      ];
      return { baseUrl: sim.baseUrl, credentials: channels[0].credentials, channels, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
    },
  },
  oneKey('xai', 'xai', 'XAI_API_KEY', ['xai-', 80], (o, apiKey) => startXaiSimulator({ ...o, apiKey })),
  oneKey('vidu', 'vidu', 'VIDU_API_KEY', ['vda_', 40], (o, apiKey) => startViduSimulator({ ...o, apiKey })),
  {
    provider: 'openai',
    name: 'openai',
    start: async (o) => {
      const apiKey = fakeSecret('sk-proj-', 48, o.workDir); // shaped like a real OpenAI project key
      // The project webhook's signing secret, as the dashboard shows it (whsec_ + base64).
      const webhookSecret = persistedSecret(o.workDir, 'webhookSecret', () => `whsec_${randomBytes(24).toString('base64')}`);
      const sim = await startOpenAISimulator({ ...o, apiKey, projectWebhook: o.projectWebhookUrl ? { url: o.projectWebhookUrl, secret: webhookSecret } : undefined });
      const credentials = { OPENAI_API_KEY: apiKey, OPENAI_WEBHOOK_SECRET: webhookSecret };
      return { baseUrl: sim.baseUrl, credentials, channels: [{ protocol: 'openai', baseUrl: sim.baseUrl, credentials }], stats: sim.stats, faults: sim.faults, close: () => sim.close() };
    },
  },
  oneKey('minimax', 'minimax', 'MINIMAX_API_KEY', ['sk-api-', 48], (o, apiKey) => startMinimaxSimulator({ ...o, apiKey })),
  oneKey('dashscope', 'dashscope', 'DASHSCOPE_API_KEY', ['sk-', 32], async (o, apiKey) => {
    const sim = await startDashScopeSimulator({ ...o, apiKey });
    return { ...sim, baseUrl: sim.apiBaseUrl, close: () => sim.close() };
  }),
  // Ark API keys are opaque 36-character strings.
  oneKey('seedance', 'byteplus-ark', 'ARK_API_KEY', ['', 36], (o, apiKey) => startSeedanceSimulator({ ...o, apiKey })),
  oneKey('topaz', 'topaz', 'TOPAZ_API_KEY', ['', 40], (o, apiKey) => startTopazSimulator({ ...o, apiKey })),
  // Variants of the simulators above, speaking another protocol of the same provider.
  oneKey('openai', 'azure-openai', 'AZURE_OPENAI_API_KEY', ['', 32], (o, apiKey) => startOpenAISimulator({ ...o, apiKey, dialect: 'azure' }), 'azure-openai'),
  oneKey('seedance', 'volcengine-ark', 'VOLCENGINE_ARK_API_KEY', ['', 36], (o, apiKey) => startSeedanceSimulator({ ...o, apiKey, region: 'volcengine' }), 'volcengine-ark'),
  {
    provider: 'google',
    name: 'vertex-ai',
    // A service-account key file made by the simulator (its token_uri the simulator's token endpoint),
    // named the standard Google way; a file, so `npm run sim` can print it as one shell word.
    start: async (o) => {
      const sim = await startVertexSimulator(o);
      const keyFile = join(o.workDir, 'service-account.json');
      await writeFile(keyFile, sim.serviceAccountJson, { mode: 0o600 });
      const credentials = { GOOGLE_APPLICATION_CREDENTIALS: keyFile };
      return { baseUrl: sim.baseUrl, credentials, channels: [{ protocol: 'vertex-ai', baseUrl: sim.baseUrl, credentials }], stats: sim.stats, faults: sim.faults, close: () => sim.close() };
    },
  },
];
