import { join } from 'node:path';
import type { ProviderName } from '../catalog/types.js';
import type { ChannelEndpoint } from '../providers/manifest.js';
import { manifestOf } from '../providers/registry.js';
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
  /** Per simulator with project-level webhooks (`openai`): the URL its dashboard would name. */
  projectWebhooks?: Partial<Record<string, string>>;
}

export interface Sandbox {
  /** Each provider's default channel: where its traffic goes, and with which credentials. */
  providers: Partial<Record<ProviderName, ChannelEndpoint>>;
  /** One channel per channel kind the simulators serve (`gemini-api`, `azure-openai`, `kling-jwt`, …), named after its protocol. */
  channels: SandboxChannel[];
  /** By simulator name: a provider's default simulator under the provider's name, the others under their protocol's. */
  simulators: Partial<Record<string, RunningSimulator>>;
  close(): Promise<void>;
}

/** A channel kind a simulator serves, as plain data (the gateway turns it into a channel, src/server.ts). */
export interface SandboxChannel {
  provider: ProviderName;
  protocol: string;
  endpoint: ChannelEndpoint;
}

export const DEFAULT_SANDBOX_SPEED = 20;

/** Start every simulator; close() stops them all. */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const speed = opts.speed ?? DEFAULT_SANDBOX_SPEED;
  const simulators: Partial<Record<string, RunningSimulator>> = {};
  const channels: SandboxChannel[] = [];
  try {
    for (const [i, kind] of SIMULATORS.entries()) {
      const sim = await kind.start({
        host: opts.host,
        port: opts.portBase === undefined ? 0 : opts.portBase + i,
        speed,
        workDir: join(opts.workDir, kind.name),
        fetchInput: opts.fetchInput ?? publicInputsOnly,
        projectWebhookUrl: opts.projectWebhooks?.[kind.name],
      });
      simulators[kind.name] = sim;
      for (const c of sim.channels) {
        channels.push({ provider: kind.provider, protocol: c.protocol, endpoint: { credentials: c.credentials, baseUrl: c.baseUrl } });
      }
    }
  } catch (err) {
    await Promise.allSettled(Object.values(simulators).map((s) => s!.close()));
    throw err;
  }
  const providers: Sandbox['providers'] = {};
  for (const c of channels) if (manifestOf(c.provider)?.defaultProtocol === c.protocol) providers[c.provider] = c.endpoint;
  return {
    providers,
    channels,
    simulators,
    async close() {
      await Promise.allSettled(Object.values(simulators).map((s) => s!.close()));
    },
  };
}

export type { RunningSimulator } from './simulators.js';
export type { GoogleSimulator } from './google/index.js';
