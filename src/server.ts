import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { openBlobStore } from './blobs/index.js';
import { defaultCatalog } from './catalog/index.js';
import type { Config } from './config.js';
import { implicitChannel } from './channels/channel.js';
import { channelView } from './channels/report.js';
import { RetentionSweeper } from './engine/retention.js';
import { ClockSkewWatch, judgeClockSkew, measureClockOffset, type ClockVerdict } from './engine/clock-skew.js';
import { systemClock } from './engine/clock.js';
import { AvailabilityChecker } from './channels/availability.js';
import { CALLBACK_PATH } from './channels/callbacks.js';
import { buildHttpApp } from './http/app.js';
import { requestIdFor } from './http/request-parsing.js';
import { FastReads } from './http/fast-reads.js';
import { Authenticator } from './http/auth.js';
import type { Gateway } from './http/gateway.js';
import { UrlSigner } from './http/signed-urls.js';
import { renderTask } from './http/task-routes.js';
import { ensureAdminKey } from './keys/keys.js';
import { GatewayMetrics } from './metrics/metrics.js';
import { simulatorInputFetcher } from './sandbox/fetch-input.js';
import { startSandbox, type RunningSimulator } from './sandbox/index.js';
import { openStore } from './store/index.js';
import { sharedStateWarning } from './shared-state-warning.js';
import { TempFileSweeper } from './temp-files.js';
import { localUrl, publicBaseUrl } from './public-base-url.js';
import pino from 'pino';
import { requestLogFields } from './http/log-redaction.js';
import { baseOf, loggerOptions } from './logging.js';
import { AccountService } from './tasks/accounts.js';
import { TaskService, type UpstreamCanceller } from './tasks/service.js';
import { adapterContext } from './engine/context.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { breakerStates, buildEngineDeps, finishObserver, instrumentedChannels, openLimits, upstreamCallbacks } from './engine-host/deps.js';
import { localEngine, type EngineHandle } from './engine-host/handle.js';
import { EngineThread } from './engine-host/thread.js';

export function createLogger(level: string): Logger {
  return pino({ ...loggerOptions(level), serializers: { req: requestLogFields } });
}

export interface RunningGateway {
  /** Base URL the gateway listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Set only on the first start without VIDGATE_ADMIN_KEY (after `announceAdminKey` showed it). */
  generatedAdminKey: string | null;
  /** The simulators (base URL, credentials, counters, fault controls) when running in sandbox mode. */
  sandbox: Partial<Record<string, RunningSimulator>> | null;
  /** Which models the upstream model lists still name (checked on start and every 10 minutes). */
  availability: AvailabilityChecker;
  /**
   * Stops accepting connections, lets in-flight requests and engine steps finish for up to
   * `graceMs` (VIDGATE_SHUTDOWN_GRACE_MS), then closes every remaining connection — idle, slow or
   * half-sent — releases work leases and closes the store.
   */
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Shows a generated admin key; called before the key is stored, so no key is stored unseen. */
  announceAdminKey?: (secret: string) => void;
}

/** Start-up failed for a reason the operator can fix (one line, no stack trace). */
export class StartupError extends Error {}

/** host:port/db of a database URL, never its credentials. */
function databaseHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

/** How often an engine node measures its clock against the database's again (at least once a lease). */
const CLOCK_CHECK_INTERVAL_MS = 60_000;

/** How often each channel's upstream model list is read again. */
const AVAILABILITY_INTERVAL_MS = 10 * 60_000;

/** Starts the whole gateway: store, keys, sandbox (if on), engine, HTTP. */
export async function startGateway(config: Config, logger: Logger = createLogger(config.logLevel), options: StartOptions = {}): Promise<RunningGateway> {
  // Said before anything else, so an operator scanning the start-up lines sees it.
  const sharedState = sharedStateWarning(config);
  if (sharedState !== null) logger.warn(sharedState);
  // The blob store first: an unreachable bucket stops the start before anything is written.
  const blobs = openBlobStore(config.blobs);
  try {
    await blobs.check();
  } catch (err) {
    throw new StartupError(`VIDGATE_BLOB_URL: ${(err as Error).message}`);
  }
  const limits = await openLimits(config, logger);
  // Only nodes that serve the API take creates: a worker node needs no create writer thread.
  const store = openStore(config.databaseUrl, config.dataDir, { createWriter: config.sqliteWriter && config.role !== 'worker' });
  try {
    await store.migrate();
  } catch (err) {
    await Promise.all([store.close().catch(() => undefined), limits.close()]);
    const why = err instanceof Error ? err.message : String(err);
    throw new StartupError(
      config.databaseUrl ? `cannot use the database at VIDGATE_DATABASE_URL (${databaseHost(config.databaseUrl)}): ${why}` : `cannot open the database in VIDGATE_DATA_DIR (${config.dataDir}): ${why}`,
    );
  }
  // Leases and due times are this node's clock against the other nodes': PostgreSQL's clock is the reference (SQLite: one machine, one clock).
  const databaseMs = async () => (await store.databaseTimeMs()) ?? systemClock.now();
  let clock: ClockVerdict = { verdict: 'ok' };
  if (store.dialect === 'postgres') {
    try {
      clock = judgeClockSkew(await measureClockOffset(databaseMs, systemClock), config.engine.leaseMs);
    } catch (err) {
      clock = { verdict: 'refuse', message: `cannot read the clock of the database at VIDGATE_DATABASE_URL: ${(err as Error).message}` };
    }
    if (clock.verdict === 'refuse') {
      await Promise.all([store.close().catch(() => undefined), limits.close()]);
      throw new StartupError(clock.message);
    }
    if (clock.verdict === 'warn') logger.warn(clock.message);
  }
  const signingSecret = config.urlSigningSecret ?? (await store.meta.setIfAbsent('url_signing_secret', randomBytes(32).toString('hex')));

  // The in-process simulators read tenant URLs through the same guard and policy as the gateway.
  const simulatorInputs = simulatorInputFetcher({ allowPrivateNetwork: config.allowPrivateNetwork, timeoutMs: config.media.fetchTimeoutMs });
  // With callbacks on, the OpenAI simulator's project webhook points at its `openai` channel (as one sets it in OpenAI's dashboard).
  const callbackBase = config.callbacks.baseUrl;
  const projectWebhooks = callbackBase ? { openai: `${callbackBase}${CALLBACK_PATH}/openai` } : undefined;
  const sandbox = config.sandbox ? await startSandbox({ workDir: path.join(config.dataDir, 'sandbox'), speed: config.sandboxSpeed, fetchInput: simulatorInputs, projectWebhooks }) : null;
  // In sandbox mode every channel kind with a simulator is pointed at it; otherwise only configured channels count.
  const channelConfigs = sandbox ? sandbox.channels.map((c) => implicitChannel(c.provider, c.protocol, c.endpoint)) : config.channels;
  const metrics = new GatewayMetrics();
  const channels = instrumentedChannels(channelConfigs, metrics);

  const catalog = defaultCatalog(config.catalogOverrides);
  const availability = new AvailabilityChecker({
    channels,
    catalog,
    intervalMs: AVAILABILITY_INTERVAL_MS,
    log: logger.child({ room: 'channels' }),
    onChange: (lists) => engineThread?.availability(lists),
  });
  const workerId = `worker_${randomBytes(6).toString('hex')}`;
  const engineParts = { config, store, blobs, catalog, channels, availability, limits, log: logger, workerId, sandbox: sandbox !== null };
  // Built here even when the engine runs in its own thread: upstream cancels are sent from this one.
  const engineDeps = buildEngineDeps(engineParts);
  const runsEngine = config.role !== 'api';
  let engine: EngineHandle | null = null;
  let engineThread: EngineThread | null = null;
  const callbacks = upstreamCallbacks(engineParts, () => engine?.wake());
  engineDeps.callbacks = callbacks;
  let webhooks: WebhookDispatcher | null = null;
  // Started now, so it comes up while the HTTP side does; awaited before the gateway counts as started.
  const threadStarting =
    runsEngine && config.engine.thread
      ? EngineThread.start(
          { config, channels: channelConfigs, sandbox: sandbox !== null, workerId, log: { level: logger.level, base: baseOf(logger) }, availability: availability.snapshot(), hold: true, claimsPaused: false },
          { logger, onFinished: () => webhooks?.wake(), onGone: () => store.tasks.releaseLeases(workerId, Date.now()) },
        )
      : null;
  threadStarting?.catch(() => undefined);
  metrics.readFrom({
    countByState: () => store.tasks.countActiveByState(),
    // The engine thread reports its breakers in its own figures.
    breakerStates: () => (engineThread ? [] : breakerStates(channels, engineDeps.breaker)),
    elsewhere: async () => (engine ? engine.metrics() : null),
  });

  const cancelUpstream: UpstreamCanceller = async (task) => {
    const adapter = channels.pinned(task)?.adapter;
    if (!adapter?.cancel || task.upstream_id === null) return 'unsupported';
    return (await adapter.cancel(task.upstream_id, adapterContext(engineDeps, 15_000))) ? 'cancelled' : 'refused';
  };
  const tasks = new TaskService({
    store,
    blobs,
    catalog,
    channels: (task) => {
      const found = channels.candidates(task);
      if (!found.ok) return found.refusal ? { ok: false, ...found.refusal } : { ok: false, reason: found.reason };
      const spec = catalog.get(task.model);
      const unavailable = spec ? availability.unavailableReason(spec, task.operation as never) : undefined;
      return unavailable ? { ok: false, reason: `${unavailable}.` } : { ok: true };
    },
    cancelUpstream,
    allowPrivateNetwork: config.allowPrivateNetwork,
    maxWaitsPerKey: config.maxWaitsPerKey,
    waitRecheckMs: config.waitRecheckMs,
    onCreated: (task) => {
      metrics.taskCreated(task.model, task.provider);
      engine?.wake();
    },
    onCancelled: (task) => metrics.taskFinished(task.model, task.provider, 'failed', task.created_ms),
  });
  const accounts = new AccountService(store);
  const auth = new Authenticator((hash) => accounts.byHash(hash));
  const fastReads = new FastReads({ auth, limits, defaultRpm: config.rateLimitPerMinute, metrics, log: logger, requestId: requestIdFor });
  const stopWatching = store.watchTaskChanges((id) => {
    fastReads.forget(id);
    tasks.changes.notify(id);
  });

  const listenHost = config.host;
  const gw: Gateway = {
    config,
    blobs,
    catalog,
    auth,
    fastReads,
    limits,
    // Filled in after listen, when the port is known (PORT=0 picks one).
    signer: new UrlSigner(signingSecret, '', config.fileUrlTtlSeconds),
    tasks,
    accounts,
    metrics,
    availability,
    channels: {
      report: async () => {
        const [inFlight, states] = await Promise.all([store.tasks.inFlightByChannel(), engine ? engine.channelStates() : Promise.resolve(null)]);
        return channels.list().map((c) => {
          const state = states?.[c.id];
          // An API node runs no engine: its breakers and counts are the idle ones it was built with.
          return channelView(state ? { ...c, counts: { submissions: state.submissions, failures: state.failures } } : c, catalog, state?.breaker ?? engineDeps.breaker.state(c.id), inFlight[c.id] ?? 0);
        });
      },
      ofTask: (task) => {
        const id = channels.pinnedId(task);
        if (id === null) return null;
        const c = channels.pinned(task);
        return c ? { id: c.id, provider: c.provider, protocol: c.protocol } : { id, provider: task.provider, protocol: null };
      },
    },
    callbacks,
  };
  const app = buildHttpApp(gw, logger, { api: config.role !== 'worker' });
  // Temp files a crash (kill -9) left in VIDGATE_DATA_DIR/tmp: removed before serving, then every ten minutes, once abandoned.
  const tempFiles = new TempFileSweeper({ dataDir: config.dataDir, log: logger.child({ room: 'tmp' }) });
  // A start that fails from here on closes what it opened (abandonStart: the engine thread and the server too).
  const closeOpened = async () => {
    await Promise.all([availability.stop(), sandbox?.close(), limits.close(), tempFiles.stop()]);
    await store.close();
  };
  /** …and with it the engine thread, and the server if it listens: nothing may outlive a failed start. */
  const abandonStart = async (listening: boolean) => {
    await threadStarting?.then((t) => t.stop(0)).catch(() => undefined);
    if (listening) await closeHttp(app, 0);
    await closeOpened();
  };
  await tempFiles.start();
  try {
    await app.listen({ host: listenHost, port: config.port });
  } catch (err) {
    await abandonStart(false);
    const code = (err as NodeJS.ErrnoException).code;
    throw code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' ? new StartupError(`cannot listen on ${listenHost}:${config.port} (${code}); set HOST and PORT`) : err;
  }
  // Only once the gateway is up: a generated key is shown, then stored (never stored unseen).
  let generated: string | null;
  try {
    ({ generated } = await ensureAdminKey(store, config.adminKey, options.announceAdminKey));
  } catch (err) {
    await abandonStart(true);
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const { url: baseUrl, warning: localOnlyUrls } = publicBaseUrl(config, port);
  if (localOnlyUrls !== null) logger.warn(localOnlyUrls);
  const url = localUrl(listenHost, port);
  gw.signer = new UrlSigner(signingSecret, baseUrl, config.fileUrlTtlSeconds);
  // Events are the task exactly as GET /v1/tasks/{id} renders it (gw.signer is read per call: it is replaced above).
  webhooks = new WebhookDispatcher({
    store,
    render: (row) => renderTask(gw, row),
    policy: { allowPrivateNetwork: config.allowPrivateNetwork },
    settings: config.webhooks,
    log: logger.child({ room: 'webhooks' }),
    workerId,
    metrics,
  });
  const delivery = webhooks;
  let stopWatchingDue = () => undefined as unknown;
  let clockWatch: ClockSkewWatch | null = null;
  const retention = new RetentionSweeper({ store, blobs, retentionSeconds: config.retentionSeconds, intervalMs: config.retentionSweepMs, log: logger.child({ room: 'retention' }), clock: engineDeps.clock });
  availability.start();
  if (runsEngine) {
    if (threadStarting) {
      try {
        engine = engineThread = await threadStarting;
        // Up and listening: only now may it claim work (a failed listen never left a claim behind).
        engineThread.go();
        // The lists read while it was starting (availability.start() above): onChange had no thread to tell.
        engineThread.availability(availability.snapshot());
      } catch (err) {
        await abandonStart(true);
        throw new StartupError((err as Error).message);
      }
    } else {
      // A task that finished here may have an event to send: no need to wait for the next tick.
      engineDeps.observe = finishObserver(metrics, engineDeps, () => delivery.wake());
      engine = localEngine(engineDeps);
      // Another node's callback made work due: look now rather than at the next tick.
      if (callbacks) stopWatchingDue = store.watchWorkDue(() => engine?.wake());
    }
    if (store.dialect === 'postgres') {
      const running = engine;
      clockWatch = new ClockSkewWatch({
        databaseMs,
        clock: systemClock,
        leaseMs: config.engine.leaseMs,
        intervalMs: Math.min(CLOCK_CHECK_INTERVAL_MS, config.engine.leaseMs),
        log: logger.child({ room: 'clock' }),
        onPause: (paused) => running.pauseClaims(paused),
        initial: clock.verdict,
      });
      clockWatch.start();
    }
    // The id this node's leases carry (work_items.lease_owner): which node holds which work.
    logger.info({ workerId, thread: engineThread !== null }, 'engine started');
    retention.start();
    webhooks.start();
  }

  let closed = false;
  return {
    url,
    generatedAdminKey: generated,
    sandbox: sandbox ? sandbox.simulators : null,
    availability,
    async close(graceMs = config.http.shutdownGraceMs) {
      if (closed) return;
      closed = true;
      tasks.close(); // long polls answer now, event streams end
      // All at once, each bounded by the grace period: HTTP drains while engine steps and webhook
      // deliveries in flight finish (or are released for another node).
      await Promise.all([closeHttp(app, graceMs), availability.stop(), engine?.stop(graceMs), clockWatch?.stop(), retention.stop(), delivery.stop(graceMs), tempFiles.stop()]);
      stopWatching();
      stopWatchingDue();
      await sandbox?.close();
      await limits.close();
      await store.close();
    },
  };
}

/**
 * Stops accepting, answers requests in flight, and after `graceMs` closes every connection still
 * open (idle keep-alive, slow or half-sent requests), so a client can never hold the process up.
 */
async function closeHttp(app: FastifyInstance, graceMs: number): Promise<void> {
  const force = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(force);
  }
}
