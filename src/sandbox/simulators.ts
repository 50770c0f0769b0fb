import { randomBytes } from 'node:crypto';
import type { ProviderName } from '../catalog/types.js';
import { startGoogleSimulator } from './google/index.js';

/** What every simulator offers the sandbox: where it listens and the credentials it accepts. */
export interface RunningSimulator {
  baseUrl: string;
  /** Keyed by the provider's credential env var names (config.ts PROVIDER_ENV). */
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
}

/** A random secret shaped like the provider's own. */
export function fakeSecret(prefix: string, length = 35): string {
  return `${prefix}${randomBytes(length).toString('base64url').slice(0, length)}`;
}

/** One line per provider simulator; the sandbox starts all of them. Order fixes PORT_BASE offsets. */
export const SIMULATORS: Partial<Record<ProviderName, (o: SimulatorStartOptions) => Promise<RunningSimulator>>> = {
  google: async (o) => {
    const apiKey = fakeSecret('AIza'); // shaped like a real Gemini API key
    const sim = await startGoogleSimulator({ ...o, apiKey });
    return { baseUrl: sim.baseUrl, credentials: { GEMINI_API_KEY: apiKey }, stats: sim.stats, faults: sim.faults, close: () => sim.close() };
  },
};
