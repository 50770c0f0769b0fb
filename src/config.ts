import path from 'node:path';
import type { CatalogOverrides, ProviderName } from './catalog/types.js';
import { readWebhookSettings, type WebhookSettings } from './webhooks/config.js';
// Providers' credential and base-URL environment names come from their manifests (src/providers/*/manifest.ts).
import { builtProviders, channelsFromEnv, type Channel } from './providers/registry.js';

export type { Channel };

/** One typed, validated configuration, read from the environment once at start. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Absolute base for URLs we hand out (video_url). Defaults to http://HOST:PORT. */
  publicBaseUrl: string | null;
  adminKey: string | null;
  /** Run the provider simulators on loopback and point adapters without credentials at them. */
  sandbox: boolean;
  sandboxSpeed: number;
  allowPrivateNetwork: boolean;
  /** Secret for signing file URLs; generated and stored in the data dir when unset. */
  urlSigningSecret: string | null;
  fileUrlTtlSeconds: number;
  /** Stored outputs are deleted this long after completion (task rows are kept). */
  retentionSeconds: number;
  retentionSweepMs: number;
  maxBodyBytes: number;
  /** Requests per minute per API key on our API (0 = unlimited). */
  rateLimitPerMinute: number;
  logLevel: string;
  /** all: API + engine; api: serve the API only, while other nodes run the engine. */
  role: 'all' | 'api';
  engine: {
    /** Per-provider caps on jobs in flight upstream and on submissions per minute (unset = none). */
    providerLimits: Partial<Record<ProviderName, { concurrency?: number; rpm?: number }>>;
    breakerThreshold: number;
    breakerCooldownMs: number;
    /** How often the engine looks for due work, ms. */
    tickMs: number;
    /** How long a claimed task is ours before another worker may take it over, ms. */
    leaseMs: number;
    maxConcurrentSubmits: number;
    maxConcurrentPolls: number;
    maxConcurrentFinishes: number;
    /** Time cap of one upstream API call (create, poll, lookup), ms. */
    upstreamTimeoutMs: number;
    /** Time cap of one output download (the whole file), ms. */
    downloadTimeoutMs: number;
  };
  media: { maxImageBytes: number; maxVideoBytes: number; maxAudioBytes: number; fetchTimeoutMs: number };
  /** Providers whose credentials are all configured. */
  providers: Partial<Record<ProviderName, Channel>>;
  catalogOverrides: CatalogOverrides;
  /** Outbound webhook delivery (VIDGATE_WEBHOOK_*). */
  webhooks: WebhookSettings;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  return n;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`${name} must be a number ≥ ${min}, got '${raw}'`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 1 or 0, got '${raw}'`);
}

function str(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function url(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = str(env, name);
  if (raw === null) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got '${raw}'`);
  }
  return raw.replace(/\/+$/, '');
}

function catalogOverrides(env: NodeJS.ProcessEnv): CatalogOverrides {
  const raw = str(env, 'VIDGATE_CATALOG_OVERRIDES');
  if (raw === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('VIDGATE_CATALOG_OVERRIDES must be a JSON object keyed by model id');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('VIDGATE_CATALOG_OVERRIDES must be a JSON object keyed by model id');
  }
  return parsed as CatalogOverrides;
}

function providerChannels(env: NodeJS.ProcessEnv): Partial<Record<ProviderName, Channel>> {
  try {
    return channelsFromEnv(env, (name) => url(env, name));
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message);
  }
}

function providerLimits(env: NodeJS.ProcessEnv): Config['engine']['providerLimits'] {
  const raw = str(env, 'VIDGATE_PROVIDER_LIMITS');
  if (raw === null) return {};
  const fail = (why: string) => new ConfigError(`VIDGATE_PROVIDER_LIMITS ${why}; expected JSON like {"kling":{"concurrency":5,"rpm":60}}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw fail('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail('must be an object');
  const out: Config['engine']['providerLimits'] = {};
  for (const [name, v] of Object.entries(parsed)) {
    if (!(builtProviders() as string[]).includes(name)) throw fail(`names an unknown provider '${name}' (known: ${builtProviders().join(', ')})`);
    if (typeof v !== 'object' || v === null) throw fail(`has a non-object value for '${name}'`);
    const limits: { concurrency?: number; rpm?: number } = {};
    for (const [k, n] of Object.entries(v)) {
      if ((k !== 'concurrency' && k !== 'rpm') || typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw fail(`has a bad '${name}.${k}' (concurrency and rpm are whole numbers ≥ 1)`);
      limits[k] = n;
    }
    out[name as ProviderName] = limits;
  }
  return out;
}

function role(env: NodeJS.ProcessEnv): Config['role'] {
  const raw = str(env, 'VIDGATE_ROLE') ?? 'all';
  if (raw !== 'all' && raw !== 'api') throw new ConfigError(`VIDGATE_ROLE must be all or api, got '${raw}'`);
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const providers = providerChannels(env);
  const anyCredential = Object.keys(providers).length > 0;
  const sandboxFlag = flag(env, 'VIDGATE_SANDBOX');
  return {
    host: str(env, 'HOST') ?? '127.0.0.1',
    port: int(env, 'PORT', 8080, 0, 65535),
    dataDir: path.resolve(str(env, 'VIDGATE_DATA_DIR') ?? './data'),
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL'),
    adminKey: str(env, 'VIDGATE_ADMIN_KEY'),
    // Sandbox by default only when no provider credential is configured.
    sandbox: sandboxFlag ?? !anyCredential,
    sandboxSpeed: num(env, 'VIDGATE_SANDBOX_SPEED', 6, 0.01),
    allowPrivateNetwork: flag(env, 'VIDGATE_ALLOW_PRIVATE_NETWORK') ?? false,
    urlSigningSecret: str(env, 'VIDGATE_URL_SECRET'),
    fileUrlTtlSeconds: int(env, 'VIDGATE_FILE_URL_TTL', 24 * 3600, 60),
    retentionSeconds: int(env, 'VIDGATE_RETENTION_SECONDS', 7 * 24 * 3600, 1),
    retentionSweepMs: int(env, 'VIDGATE_RETENTION_SWEEP_MS', 60_000, 100),
    maxBodyBytes: int(env, 'VIDGATE_MAX_BODY_BYTES', 32 * 1024 * 1024, 1024),
    rateLimitPerMinute: int(env, 'VIDGATE_RATE_LIMIT_RPM', 1000, 0),
    logLevel: str(env, 'LOG_LEVEL') ?? 'info',
    role: role(env),
    engine: {
      providerLimits: providerLimits(env),
      breakerThreshold: int(env, 'VIDGATE_BREAKER_THRESHOLD', 5, 1),
      breakerCooldownMs: int(env, 'VIDGATE_BREAKER_COOLDOWN_MS', 30_000, 10),
      tickMs: int(env, 'VIDGATE_ENGINE_TICK_MS', 250, 10),
      leaseMs: int(env, 'VIDGATE_LEASE_MS', 60_000, 1000),
      maxConcurrentSubmits: int(env, 'VIDGATE_MAX_SUBMITS', 8, 1),
      maxConcurrentPolls: int(env, 'VIDGATE_MAX_POLLS', 16, 1),
      maxConcurrentFinishes: int(env, 'VIDGATE_MAX_FINISHES', 4, 1),
      upstreamTimeoutMs: int(env, 'VIDGATE_UPSTREAM_TIMEOUT_MS', 60_000, 100),
      downloadTimeoutMs: int(env, 'VIDGATE_DOWNLOAD_TIMEOUT_MS', 600_000, 1000),
    },
    media: {
      maxImageBytes: int(env, 'VIDGATE_MAX_IMAGE_BYTES', 20 * 1024 * 1024, 1024),
      maxVideoBytes: int(env, 'VIDGATE_MAX_VIDEO_BYTES', 200 * 1024 * 1024, 1024),
      maxAudioBytes: int(env, 'VIDGATE_MAX_AUDIO_BYTES', 25 * 1024 * 1024, 1024),
      fetchTimeoutMs: int(env, 'VIDGATE_FETCH_TIMEOUT_MS', 30_000, 100),
    },
    providers,
    catalogOverrides: catalogOverrides(env),
    webhooks: readWebhookSettings(env, ConfigError),
  };
}
