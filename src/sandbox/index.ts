import { join } from 'node:path';
import type { ProviderName } from '../catalog/types.js';
import type { Channel } from '../config.js';
import { publicInputsOnly, type InputFetcher } from './fetch-input.js';
import { SIMULATORS, type RunningSimulator } from './simulators.js';

export interface SandboxOptions {
  workDir: string;
  /** Time scale for every simulator; default 20 (Veo jobs finish in about 0.5–3 s). */
  speed?: number;
  host?: string;
  /** Fixed ports: the i-th simulator in SIMULATORS listens on portBase + i. Default: ephemeral ports (the same ones again after a restart on the same work dir, when free). */
  portBase?: number;
  /** How simulators read tenant URLs (the gateway's guard and policy). Default: public addresses only. */
  fetchInput?: InputFetcher;
  /** Per provider with project-level webhooks (OpenAI): the URL its dashboard would name. */
  projectWebhooks?: Partial<Record<ProviderName, string>>;
}

export interface Sandbox {
  /** Where the gateway should send each provider's traffic, and with which credentials. */
  providers: Partial<Record<ProviderName, Channel>>;
  simulators: Partial<Record<ProviderName, RunningSimulator>>;
  close(): Promise<void>;
}

export const DEFAULT_SANDBOX_SPEED = 20;

/** Start every provider simulator; close() stops them all. */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const speed = opts.speed ?? DEFAULT_SANDBOX_SPEED;
  const entries = Object.entries(SIMULATORS) as [ProviderName, NonNullable<(typeof SIMULATORS)[ProviderName]>][];
  const simulators: Partial<Record<ProviderName, RunningSimulator>> = {};
  try {
    for (const [i, [name, start]] of entries.entries()) {
      simulators[name] = await start({ host: opts.host, port: opts.portBase === undefined ? 0 : opts.portBase + i, speed, workDir: join(opts.workDir, name), fetchInput: opts.fetchInput ?? publicInputsOnly, projectWebhookUrl: opts.projectWebhooks?.[name] });
    }
  } catch (err) {
    await Promise.allSettled(Object.values(simulators).map((s) => s.close()));
    throw err;
  }
  const providers = Object.fromEntries(Object.entries(simulators).map(([name, s]) => [name, { credentials: s.credentials, baseUrl: s.baseUrl }]));
  return {
    providers,
    simulators,
    async close() {
      await Promise.allSettled(Object.values(simulators).map((s) => s.close()));
    },
  };
}

export type { RunningSimulator } from './simulators.js';
export type { GoogleSimulator } from './google/index.js';
