import { randomBytes } from 'node:crypto';
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

/** What every simulator offers the sandbox: where it listens and the credentials it accepts. */
export interface RunningSimulator {
  baseUrl: string;
  /** Keyed by the provider's credential env var names (its manifest, src/providers/<name>/manifest.ts). */
  credentials: Record<string, string>;
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

/** One line per provider simulator; the sandbox starts all of them. Order fixes PORT_BASE offsets. */
export const SIMULATORS: Partial<Record<ProviderName, (o: SimulatorStartOptions) => Promise<RunningSimulator>>> = {
  google: async (o) => {
    const apiKey = fakeSecret('AIza', 35, o.workDir); // shaped like a real Gemini API key
    const sim = await startGoogleSimulator({ ...o, apiKey });
    return { baseUrl: sim.baseUrl, credentials: { GEMINI_API_KEY: apiKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
  kling: async (o) => {
    const accessKey = fakeSecret('AK', 30, o.workDir, 'accessKey');
    const secretKey = fakeSecret('SK', 30, o.workDir, 'secretKey');
    const apiKey = fakeSecret('kl-', 40, o.workDir); // a console API key, Kling's current method
    const sim = await startKlingSimulator({ ...o, accessKey, secretKey, apiKey });
    // All three: the channel prefers the API key; the pair works too.
    return { baseUrl: sim.baseUrl, credentials: { KLING_API_KEY: apiKey, KLING_ACCESS_KEY: accessKey, KLING_SECRET_KEY: secretKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
  xai: async (o) => {
    const apiKey = fakeSecret('xai-', 80, o.workDir); // shaped like a real xAI key
    const sim = await startXaiSimulator({ ...o, apiKey });
    return { baseUrl: sim.baseUrl, credentials: { XAI_API_KEY: apiKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
  vidu: async (o) => {
    const apiKey = fakeSecret('vda_', 40, o.workDir);
    const sim = await startViduSimulator({ ...o, apiKey });
    return { baseUrl: sim.baseUrl, credentials: { VIDU_API_KEY: apiKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
  openai: async (o) => {
    const apiKey = fakeSecret('sk-proj-', 48, o.workDir); // shaped like a real OpenAI project key
    // The project webhook's signing secret, as the dashboard shows it (whsec_ + base64).
    const webhookSecret = persistedSecret(o.workDir, 'webhookSecret', () => `whsec_${randomBytes(24).toString('base64')}`);
    const sim = await startOpenAISimulator({ ...o, apiKey, projectWebhook: o.projectWebhookUrl ? { url: o.projectWebhookUrl, secret: webhookSecret } : undefined });
    return { baseUrl: sim.baseUrl, credentials: { OPENAI_API_KEY: apiKey, OPENAI_WEBHOOK_SECRET: webhookSecret }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
  minimax: async (o) => {
    const apiKey = fakeSecret('sk-api-', 48, o.workDir); // shaped like a MiniMax API key
    const sim = await startMinimaxSimulator({ ...o, apiKey });
    return { baseUrl: sim.baseUrl, credentials: { MINIMAX_API_KEY: apiKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
  dashscope: async (o) => {
    const apiKey = fakeSecret('sk-', 32, o.workDir); // shaped like a DashScope key
    const sim = await startDashScopeSimulator({ ...o, apiKey });
    return { baseUrl: sim.apiBaseUrl, credentials: { DASHSCOPE_API_KEY: apiKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
  seedance: async (o) => {
    const apiKey = fakeSecret('', 36, o.workDir); // Ark API keys are opaque 36-character strings
    const sim = await startSeedanceSimulator({ ...o, apiKey });
    return { baseUrl: sim.baseUrl, credentials: { ARK_API_KEY: apiKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
  topaz: async (o) => {
    const apiKey = fakeSecret('', 40, o.workDir);
    const sim = await startTopazSimulator({ ...o, apiKey });
    return { baseUrl: sim.baseUrl, credentials: { TOPAZ_API_KEY: apiKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
};
