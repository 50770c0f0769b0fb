import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { LocalBlobStore } from './blobs/local.js';
import { defaultCatalog } from './catalog/index.js';
import type { ProviderName } from './catalog/types.js';
import type { Channel, Config } from './config.js';
import type { EngineDeps } from './engine/context.js';
import { Engine } from './engine/engine.js';
import { RetentionSweeper } from './engine/retention.js';
import { AvailabilityChecker } from './channels/availability.js';
import { buildHttpApp } from './http/app.js';
import { Authenticator } from './http/auth.js';
import type { Gateway } from './http/gateway.js';
import { UrlSigner } from './http/signed-urls.js';
import { renderTask } from './http/task-routes.js';
import { ensureAdminKey } from './keys/keys.js';
import { createMediaLoader } from './media/fetcher.js';
import { fitImage } from './media/fit-image.js';
import { probeVideo, probeVideoBytes } from './media/probe.js';
import { createAdapters } from './providers/registry.js';
import { isDocumentationUrl, placeholderMedia } from './sandbox/example-media.js';
import { simulatorInputFetcher } from './sandbox/fetch-input.js';
import { startSandbox, type RunningSimulator } from './sandbox/index.js';
import { openSqliteStore } from './store/sqlite.js';
import { WebhookStore } from './store/webhook-store.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';

export interface RunningGateway {
  /** Base URL the gateway listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Set only on the first start without VIDGATE_ADMIN_KEY: print it once. */
  generatedAdminKey: string | null;
  /** The simulators (base URL, credentials, counters, fault controls) when running in sandbox mode. */
  sandbox: Partial<Record<ProviderName, RunningSimulator>> | null;
  /** Which models the upstream model lists still name (checked on start and every 10 minutes). */
  availability: AvailabilityChecker;
  close(): Promise<void>;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'vidgate' },
    // Belt and braces: nothing that looks like a credential reaches the log.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.apiKey', '*.api_key', 'key', 'secret'], censor: '[redacted]' },
  });
}

/** How often each channel's upstream model list is read again. */
const AVAILABILITY_INTERVAL_MS = 10 * 60_000;

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the whole gateway: store, keys, sandbox (if on), engine, HTTP. */
export async function startGateway(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningGateway> {
  const store = openSqliteStore(path.join(config.dataDir, 'vidgate.sqlite'));
  await store.migrate();
  const { generated } = await ensureAdminKey(store, config.adminKey);
  const signingSecret = config.urlSigningSecret ?? (await store.setMetaIfAbsent('url_signing_secret', randomBytes(32).toString('hex')));

  // The in-process simulators read tenant URLs through the same guard and policy as the gateway.
  const simulatorInputs = simulatorInputFetcher({ allowPrivateNetwork: config.allowPrivateNetwork, timeoutMs: config.media.fetchTimeoutMs });
  const sandbox = config.sandbox ? await startSandbox({ workDir: path.join(config.dataDir, 'sandbox'), speed: config.sandboxSpeed, fetchInput: simulatorInputs }) : null;
  // In sandbox mode every provider with a simulator is pointed at it; otherwise only real credentials count.
  const channels: Partial<Record<ProviderName, Channel>> = sandbox ? sandbox.providers : config.providers;
  const adapters = createAdapters(channels);

  const catalog = defaultCatalog(config.catalogOverrides);
  const blobs = new LocalBlobStore(path.join(config.dataDir, 'blobs'));
  const guardedLoad = createMediaLoader({
    allowPrivateNetwork: config.allowPrivateNetwork,
    maxBytes: { image: config.media.maxImageBytes, video: config.media.maxVideoBytes, audio: config.media.maxAudioBytes },
    timeoutMs: config.media.fetchTimeoutMs,
  });
  const loadMedia: EngineDeps['loadMedia'] = sandbox
    ? (url, kind) => (isDocumentationUrl(url) ? placeholderMedia(url, kind) : guardedLoad(url, kind))
    : guardedLoad;
  const engineDeps: EngineDeps = {
    store,
    blobs,
    catalog,
    adapters,
    loadMedia,
    probe: probeVideo,
    probeBytes: (bytes) => probeVideoBytes(bytes, path.join(config.dataDir, 'tmp')),
    fitImage,
    log: logger.child({ room: 'engine' }),
    workerId: `worker_${randomBytes(6).toString('hex')}`,
    settings: {
      ...config.engine,
      pollScale: sandbox ? 1 / config.sandboxSpeed : 1,
      maxTransientAttempts: 8,
      upstreamTimeoutMs: config.engine.upstreamTimeoutMs,
      downloadTimeoutMs: config.engine.downloadTimeoutMs,
    },
  };
  const engine = new Engine(engineDeps);
  const availability = new AvailabilityChecker({ adapters, catalog, intervalMs: AVAILABILITY_INTERVAL_MS, log: logger.child({ room: 'channels' }) });

  const listenHost = config.host;
  const gw: Gateway = {
    config,
    store,
    blobs,
    catalog,
    auth: new Authenticator(store, config.rateLimitPerMinute),
    // Filled in after listen, when the port is known (PORT=0 picks one).
    signer: new UrlSigner(signingSecret, '', config.fileUrlTtlSeconds),
    channels: new Set(Object.keys(adapters) as ProviderName[]),
    engineDeps,
    availability,
    wakeEngine: () => engine.wake(),
  };
  const app = buildHttpApp(gw, logger);
  await app.listen({ host: listenHost, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${displayHost(listenHost)}:${port}`;
  gw.signer = new UrlSigner(signingSecret, config.publicBaseUrl ?? url, config.fileUrlTtlSeconds);
  // Events are the task exactly as GET /v1/tasks/{id} renders it (gw.signer is read per call: it is replaced above).
  const webhooks = new WebhookDispatcher({
    store: new WebhookStore(store.kysely),
    render: (row) => renderTask(gw, row),
    policy: { allowPrivateNetwork: config.allowPrivateNetwork },
    settings: config.webhooks,
    log: logger.child({ room: 'webhooks' }),
    workerId: engineDeps.workerId,
  });
  const retention = new RetentionSweeper(store, blobs, config.retentionSeconds, config.retentionSweepMs, logger.child({ room: 'retention' }));
  availability.start();
  if (config.role !== 'api') {
    engine.start();
    retention.start();
    webhooks.start();
  }

  let closed = false;
  return {
    url,
    generatedAdminKey: generated,
    sandbox: sandbox ? sandbox.simulators : null,
    availability,
    async close() {
      if (closed) return;
      closed = true;
      await app.close(); // stop taking requests
      await availability.stop();
      await engine.stop(); // finish or release in-flight work
      await retention.stop();
      await webhooks.stop(); // same for deliveries in flight
      await sandbox?.close();
      await store.close();
    },
  };
}
