import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startGoogleSimulator, type GoogleSimulator } from './google/index.js';

export interface SandboxOptions {
  workDir: string;
  /** Time scale for every simulator; default 20 (Veo jobs finish in about 0.5–3 s). */
  speed?: number;
  host?: string;
  /** Fixed ports: provider i listens on portBase + i (google = +0). Default: ephemeral ports. */
  portBase?: number;
}

/** Where the gateway should send each provider's traffic, and with which credential. */
export interface SandboxProviders {
  google: { baseUrl: string; apiKey: string };
}

export interface Sandbox {
  providers: SandboxProviders;
  simulators: { google: GoogleSimulator };
  close(): Promise<void>;
}

export const DEFAULT_SANDBOX_SPEED = 20;

/** A key shaped like a real Gemini API key (AIza + 35 chars), fresh per run. */
function fakeGoogleApiKey(): string {
  return `AIza${randomBytes(27).toString('base64url').slice(0, 35)}`;
}

/** Start every provider simulator; close() stops them all. */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const speed = opts.speed ?? DEFAULT_SANDBOX_SPEED;
  const port = (offset: number) => (opts.portBase === undefined ? 0 : opts.portBase + offset);
  const google = await startGoogleSimulator({
    host: opts.host,
    port: port(0),
    apiKey: fakeGoogleApiKey(),
    speed,
    workDir: join(opts.workDir, 'google'),
  });
  return {
    providers: { google: { baseUrl: google.baseUrl, apiKey: google.apiKey } },
    simulators: { google },
    async close() {
      await google.close();
    },
  };
}

export type { GoogleSimulator } from './google/index.js';
