import path from 'node:path';
import { parseBlobUrl, type BlobLocation } from './blobs/location.js';
import { defaultCatalog } from './catalog/index.js';
import type { CatalogOverrides, ProviderName } from './catalog/types.js';
import { checkRedisUrl } from './limits/location.js';
import { postgresTarget } from './store/postgres-tls.js';
import { readWebhookSettings, type WebhookSettings } from './webhooks/config.js';
// Providers' credential and base-URL environment names come from their manifests (src/providers/*/manifest.ts).
import { builtProviders } from './providers/registry.js';
import type { ChannelConfig } from './channels/channel.js';
import { channelsFromConfigFile } from './channels/config-file.js';
import { channelsFromEnv } from './channels/from-env.js';

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
  /** Largest create body (inline data: media counts); every other route takes at most SMALL_BODY_BYTES. */
  maxBodyBytes: number;
  /** Create bodies over LARGE_BODY_BYTES read at the same time; more wait for a slot. */
  maxLargeBodies: number;
  http: {
    /** Time to receive a request's headers, ms (slowloris). */
    headersTimeoutMs: number;
    /** Time to receive a whole request, headers and body, ms. */
    requestTimeoutMs: number;
    /** A socket with no traffic for this long is closed, ms. */
    idleTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** On SIGTERM, how long in-flight requests may take before every connection is closed, ms. */
    shutdownGraceMs: number;
  };
  /** Where stored outputs live (VIDGATE_BLOB_URL). */
  blobs: BlobLocation;
  /** Redis for limits counted across nodes (VIDGATE_REDIS_URL); null = counted per node. */
  redisUrl: string | null;
  /** Requests per minute per API key on our API (0 = unlimited). */
  rateLimitPerMinute: number;
  /** Open long polls and event streams one API key may hold at once. */
  maxWaitsPerKey: number;
  /** How often an event stream sends a heartbeat comment, ms. */
  streamHeartbeatMs: number;
  /** A long poll or stream re-reads its task at least this often, whatever change notices say, ms. */
  waitRecheckMs: number;
  logLevel: string;
  /** all: API + engine; api: serve the API only; worker: engine, webhooks and retention only (and /healthz). */
  role: 'all' | 'api' | 'worker';
  /** PostgreSQL for many nodes; null = SQLite in the data directory. */
  databaseUrl: string | null;
  /**
   * SQLite: creates are written by a thread of their own, with its own connection
   * (VIDGATE_SQLITE_WRITER, on by default), so the HTTP thread does none of their SQL.
   */
  sqliteWriter: boolean;
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
    /**
     * Run the engine in a worker thread of its own (VIDGATE_ENGINE_THREAD, on by default), so its
     * SQL, upstream calls and garbage never hold up the HTTP event loop.
     */
    thread: boolean;
    /**
     * The engine thread's nice value (VIDGATE_ENGINE_NICE, 0–19, default 10): on a busy machine the
     * scheduler runs the HTTP thread first, and the engine's work waits a few milliseconds instead.
     */
    nice: number;
  };
  media: { maxImageBytes: number; maxVideoBytes: number; maxAudioBytes: number; fetchTimeoutMs: number };
  /** The channels the environment (and VIDGATE_CONFIG's file) define; empty = none configured. */
  channels: ChannelConfig[];
  catalogOverrides: CatalogOverrides;
  /** Outbound webhook delivery (VIDGATE_WEBHOOK_*). */
  webhooks: WebhookSettings;
  /** Upstream callbacks (providers telling us a job finished); off when `baseUrl` is null. */
  callbacks: CallbackSettings;
}

export interface CallbackSettings {
  /** VIDGATE_CALLBACK_BASE_URL: this gateway's base URL as the providers reach it (no trailing slash). */
  baseUrl: string | null;
  /** OPENAI_WEBHOOK_SECRET: the whsec_ secret of the OpenAI project webhook (video.completed, video.failed). */
  openaiWebhookSecret: string | null;
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

function callbackSettings(env: NodeJS.ProcessEnv): CallbackSettings {
  const baseUrl = url(env, 'VIDGATE_CALLBACK_BASE_URL');
  if (baseUrl !== null) {
    const u = new URL(baseUrl);
    if (u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
      throw new ConfigError(`VIDGATE_CALLBACK_BASE_URL must be a plain base URL like https://gateway.example.com (no query, fragment or credentials), got '${baseUrl}'`);
    }
  }
  const secret = str(env, 'OPENAI_WEBHOOK_SECRET');
  if (secret !== null && !/^whsec_[A-Za-z0-9+/=]{16,}$/.test(secret)) {
    throw new ConfigError("OPENAI_WEBHOOK_SECRET must be the project webhook's signing secret as the OpenAI dashboard shows it (whsec_ followed by base64)");
  }
  return { baseUrl, openaiWebhookSecret: secret };
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

/** Channels from VIDGATE_CONFIG's file, then from the environment; ids must be unique across both. */
function configuredChannels(env: NodeJS.ProcessEnv, overrides: CatalogOverrides): ChannelConfig[] {
  let channels: ChannelConfig[];
  try {
    const file = str(env, 'VIDGATE_CONFIG');
    const fromFile = file === null ? [] : channelsFromConfigFile(path.resolve(file), env, defaultCatalog(overrides));
    channels = [...fromFile, ...channelsFromEnv(env, (name) => url(env, name))];
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message);
  }
  const seen = new Set<string>();
  for (const c of channels) {
    if (seen.has(c.id)) throw new ConfigError(`channel id '${c.id}' is defined twice (VIDGATE_CONFIG and the environment name channels the same way); rename the one in the file`);
    seen.add(c.id);
  }
  return channels;
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

/** Room for one inline input at the image or audio cap (base64 is 4/3 of the bytes) plus the rest of the JSON. */
export function defaultMaxBodyBytes(maxImageBytes: number, maxAudioBytes: number): number {
  return Math.ceil(Math.max(maxImageBytes, maxAudioBytes) / 3) * 4 + JSON_ALLOWANCE_BYTES;
}
/** Prompts (2 × 20,000 characters, escaped), ids and every other field fit easily in 1 MiB. */
const JSON_ALLOWANCE_BYTES = 1024 * 1024;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: NodeJS.ProcessEnv): string {
  const raw = str(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(raw)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return raw;
}

function adminKey(env: NodeJS.ProcessEnv): string | null {
  const raw = str(env, 'VIDGATE_ADMIN_KEY');
  if (raw !== null && (!raw.startsWith('sk-') || raw.length < 20 || raw.length > 200 || /\s/.test(raw))) {
    throw new ConfigError('VIDGATE_ADMIN_KEY must start with "sk-" and be 20–200 characters without spaces');
  }
  return raw;
}

function blobLocation(env: NodeJS.ProcessEnv, dataDir: string): BlobLocation {
  const raw = str(env, 'VIDGATE_BLOB_URL');
  if (raw === null) return { kind: 'file', root: path.join(dataDir, 'blobs') };
  try {
    return parseBlobUrl(raw, str(env, 'AWS_REGION') ?? str(env, 'AWS_DEFAULT_REGION') ?? 'us-east-1');
  } catch (err) {
    throw new ConfigError(`VIDGATE_BLOB_URL ${(err as Error).message}`);
  }
}

function redisUrl(env: NodeJS.ProcessEnv): string | null {
  const raw = str(env, 'VIDGATE_REDIS_URL');
  if (raw === null) return null;
  try {
    return checkRedisUrl(raw);
  } catch (err) {
    throw new ConfigError(`VIDGATE_REDIS_URL ${(err as Error).message}`);
  }
}

/** The overrides are applied once here, so a typo stops the start before anything is written. */
function checkedCatalogOverrides(env: NodeJS.ProcessEnv): CatalogOverrides {
  const overrides = catalogOverrides(env);
  try {
    defaultCatalog(overrides);
  } catch (err) {
    throw new ConfigError(`VIDGATE_CATALOG_OVERRIDES: ${(err as Error).message}`);
  }
  return overrides;
}

function httpTimeouts(env: NodeJS.ProcessEnv): Config['http'] {
  const headersTimeoutMs = int(env, 'VIDGATE_HEADERS_TIMEOUT_MS', 10_000, 100, 3_600_000);
  const requestTimeoutMs = int(env, 'VIDGATE_REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000);
  // Node requires the headers deadline to fall within the whole-request one.
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError(`VIDGATE_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed VIDGATE_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    idleTimeoutMs: int(env, 'VIDGATE_IDLE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    keepAliveTimeoutMs: int(env, 'VIDGATE_KEEPALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    shutdownGraceMs: int(env, 'VIDGATE_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
  };
}

function role(env: NodeJS.ProcessEnv): Config['role'] {
  const raw = str(env, 'VIDGATE_ROLE') ?? 'all';
  if (raw !== 'all' && raw !== 'api' && raw !== 'worker') throw new ConfigError(`VIDGATE_ROLE must be all, api or worker, got '${raw}'`);
  return raw;
}

/** postgres://user[:pass]@host[:port]/db (or postgresql://); unset = the embedded SQLite. */
function databaseUrl(env: NodeJS.ProcessEnv): string | null {
  const raw = str(env, 'VIDGATE_DATABASE_URL');
  if (raw === null) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError('VIDGATE_DATABASE_URL must be a URL like postgres://user:password@host:5432/vidgate');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new ConfigError(`VIDGATE_DATABASE_URL must start with postgres:// (only PostgreSQL is supported; unset it for the embedded SQLite), got '${u.protocol}//…'`);
  if (u.hostname === '' || u.pathname.length <= 1) throw new ConfigError('VIDGATE_DATABASE_URL must name a host and a database, e.g. postgres://user:password@host:5432/vidgate');
  try {
    postgresTarget(raw, env);
  } catch (err) {
    throw new ConfigError(`VIDGATE_DATABASE_URL: ${(err as Error).message}`);
  }
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const overrides = checkedCatalogOverrides(env);
  const channels = configuredChannels(env, overrides);
  const anyCredential = channels.length > 0;
  const sandboxFlag = flag(env, 'VIDGATE_SANDBOX');
  const dataDir = path.resolve(str(env, 'VIDGATE_DATA_DIR') ?? './data');
  const media = {
    maxImageBytes: int(env, 'VIDGATE_MAX_IMAGE_BYTES', 20 * 1024 * 1024, 1024),
    maxVideoBytes: int(env, 'VIDGATE_MAX_VIDEO_BYTES', 200 * 1024 * 1024, 1024),
    maxAudioBytes: int(env, 'VIDGATE_MAX_AUDIO_BYTES', 25 * 1024 * 1024, 1024),
    fetchTimeoutMs: int(env, 'VIDGATE_FETCH_TIMEOUT_MS', 30_000, 100),
  };
  return {
    host: str(env, 'HOST') ?? '127.0.0.1',
    port: int(env, 'PORT', 8080, 0, 65535),
    dataDir,
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL'),
    adminKey: adminKey(env),
    // Sandbox by default only when no provider credential is configured.
    sandbox: sandboxFlag ?? !anyCredential,
    sandboxSpeed: num(env, 'VIDGATE_SANDBOX_SPEED', 6, 0.01),
    allowPrivateNetwork: flag(env, 'VIDGATE_ALLOW_PRIVATE_NETWORK') ?? false,
    urlSigningSecret: str(env, 'VIDGATE_URL_SECRET'),
    fileUrlTtlSeconds: int(env, 'VIDGATE_FILE_URL_TTL', 24 * 3600, 60),
    retentionSeconds: int(env, 'VIDGATE_RETENTION_SECONDS', 7 * 24 * 3600, 1),
    retentionSweepMs: int(env, 'VIDGATE_RETENTION_SWEEP_MS', 60_000, 100),
    maxBodyBytes: int(env, 'VIDGATE_MAX_BODY_BYTES', defaultMaxBodyBytes(media.maxImageBytes, media.maxAudioBytes), 1024, 2 ** 31 - 1),
    maxLargeBodies: int(env, 'VIDGATE_MAX_LARGE_BODIES', 4, 1, 1000),
    http: httpTimeouts(env),
    blobs: blobLocation(env, dataDir),
    redisUrl: redisUrl(env),
    rateLimitPerMinute: int(env, 'VIDGATE_RATE_LIMIT_RPM', 1000, 0),
    maxWaitsPerKey: int(env, 'VIDGATE_MAX_WAITS_PER_KEY', 100, 1, 100_000),
    streamHeartbeatMs: int(env, 'VIDGATE_STREAM_HEARTBEAT_MS', 15_000, 100, 300_000),
    waitRecheckMs: int(env, 'VIDGATE_WAIT_RECHECK_MS', 2_000, 50, 600_000),
    logLevel: logLevel(env),
    role: role(env),
    databaseUrl: databaseUrl(env),
    sqliteWriter: flag(env, 'VIDGATE_SQLITE_WRITER') ?? true,
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
      thread: flag(env, 'VIDGATE_ENGINE_THREAD') ?? true,
      nice: int(env, 'VIDGATE_ENGINE_NICE', 10, 0, 19),
    },
    media,
    channels,
    catalogOverrides: overrides,
    webhooks: readWebhookSettings(env, ConfigError),
    callbacks: callbackSettings(env),
  };
}
