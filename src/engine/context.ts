import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ProviderName } from '../catalog/types.js';
import type { AdapterContext, ProviderAdapter } from '../providers/types.js';
import type { Store } from '../store/types.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { CircuitBreaker } from './circuit-breaker.js';

export interface EngineSettings {
  providerLimits: Partial<Record<string, { concurrency?: number; rpm?: number }>>;
  breakerThreshold: number;
  breakerCooldownMs: number;
  tickMs: number;
  leaseMs: number;
  maxConcurrentSubmits: number;
  maxConcurrentPolls: number;
  maxConcurrentFinishes: number;
  /** Multiplies poll delays: < 1 in the sandbox, where simulated time runs faster. */
  pollScale: number;
  /** Transient failures tolerated per step before a task fails. */
  maxTransientAttempts: number;
  /** Per upstream call. */
  upstreamTimeoutMs: number;
  /** Per output download (whole file). */
  downloadTimeoutMs: number;
}

/** What every engine step needs; built once by the app. */
export interface EngineDeps {
  store: Store;
  blobs: BlobStore;
  catalog: Catalog;
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  loadMedia: AdapterContext['loadMedia'];
  probeBytes: AdapterContext['probeVideo'];
  fitImage: NonNullable<AdapterContext['fitImage']>;
  probe: (path: string) => Promise<{ durationSeconds: number; width: number; height: number; hasAudio: boolean }>;
  log: Logger;
  settings: EngineSettings;
  /** Outage signals per provider; the engine creates one when not given. */
  breaker?: CircuitBreaker;
  /** This worker's lease owner id. */
  workerId: string;
  now?: () => number;
  metrics?: GatewayMetrics;
}

/** What an adapter may use of the gateway for one call, aborted after `timeoutMs`. */
export function mediaContext(deps: Pick<EngineDeps, 'loadMedia' | 'probeBytes' | 'fitImage'>, timeoutMs: number): AdapterContext {
  return { loadMedia: deps.loadMedia, probeVideo: deps.probeBytes, fitImage: deps.fitImage, signal: AbortSignal.timeout(timeoutMs) };
}
