/**
 * The engine thread's program: the engine over connections of its own (store, Redis), so its SQL,
 * upstream calls and garbage collection never run on the HTTP event loop. It hears wake-ups from the
 * HTTP thread and tells it when tasks end; task changes travel through the store's own feed (the
 * SQLite thread feed, or PostgreSQL LISTEN/NOTIFY) as they do between nodes.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { openBlobStore } from '../blobs/index.js';
import { defaultCatalog } from '../catalog/index.js';
import { AvailabilityChecker } from '../channels/availability.js';
import { Engine } from '../engine/engine.js';
import { loggerOptions } from '../logging.js';
import { GatewayMetrics } from '../metrics/metrics.js';
import { openStore } from '../store/index.js';
import { breakerStates, buildEngineDeps, finishObserver, instrumentedChannels, openLimits, upstreamCallbacks } from './deps.js';
import { channelStatesOf } from './handle.js';
import { oncePerTurn, type EngineThreadData, type FromEngine, type ToEngine } from './protocol.js';

const port = parentPort!;
const data = workerData as EngineThreadData;
const send = (m: FromEngine) => port.postMessage(m);

// Finished lines go to the HTTP thread's logger destination (stdout, or a test's capture).
const logger = pino(loggerOptions(data.log.level, data.log.base), { write: (line: string) => send({ t: 'log', line }) });

/**
 * Linux keeps a nice value per thread, and setpriority() for "this process" (pid 0) sets the calling
 * thread's: the engine thread yields the CPU to the HTTP thread without touching its priority.
 */
function lowerPriority(nice: number): void {
  // Elsewhere (macOS, the BSDs, Windows) the priority is the process's: lowering it would lower the HTTP thread's too.
  if (nice === 0 || process.platform !== 'linux') return;
  try {
    os.setPriority(nice);
  } catch (err) {
    logger.warn({ err: (err as Error).message, nice }, 'could not lower the engine thread priority; it competes with HTTP answers for the CPU');
  }
}

async function run(): Promise<void> {
  const { config } = data;
  lowerPriority(config.engine.nice);
  const blobs = openBlobStore(config.blobs);
  const limits = await openLimits(config, logger);
  const store = openStore(config.databaseUrl, config.dataDir);
  const metrics = new GatewayMetrics({ processMetrics: false });
  const channels = instrumentedChannels(data.channels, metrics);
  const catalog = defaultCatalog(config.catalogOverrides);
  // Never started here: the HTTP thread reads the model lists and sends what it learns.
  const availability = new AvailabilityChecker({ channels, catalog, intervalMs: 0, log: logger.child({ room: 'channels' }) });
  availability.adopt(data.availability);

  const deps = buildEngineDeps({ config, store, blobs, catalog, channels, availability, limits, log: logger, workerId: data.workerId, sandbox: data.sandbox });
  const engine = new Engine(deps);
  engine.pauseClaims(data.claimsPaused === true);
  deps.callbacks = upstreamCallbacks({ config, store, channels, log: logger }, () => engine.wake());
  deps.observe = finishObserver(
    metrics,
    deps,
    oncePerTurn(() => send({ t: 'finished' })),
  );
  metrics.readFrom({ breakerStates: () => breakerStates(channels, deps.breaker) });

  // Hear the HTTP thread's changes (a cancel): this store's cached copies are dropped at once.
  const stopWatching = store.watchTaskChanges(() => undefined);
  if (!data.hold) engine.start();
  // Another node's callback made work due (PostgreSQL): look now rather than at the next tick.
  const stopWatchingDue = deps.callbacks ? store.watchWorkDue(() => engine.wake()) : () => undefined;

  port.on('message', (m: ToEngine) => {
    switch (m.t) {
      case 'go':
        return engine.start();
      case 'wake':
        return engine.wake();
      case 'pauseClaims':
        return engine.pauseClaims(m.paused);
      case 'availability':
        return availability.adopt(m.lists);
      case 'ask':
        return void (m.what === 'channels' ? Promise.resolve(channelStatesOf(channels, deps.breaker)) : metrics.snapshot()).then(
          (value) => send({ t: 'answer', id: m.id, value }),
          () => send({ t: 'answer', id: m.id, value: null }),
        );
      case 'stop':
        return void (async () => {
          const released = await engine.stop(m.graceMs);
          stopWatchingDue();
          stopWatching();
          await Promise.allSettled([store.close(), limits.close()]);
          send({ t: 'stopped', released });
        })();
    }
  });
  send({ t: 'ready' });
}

run().catch((err: unknown) => send({ t: 'failed', message: err instanceof Error ? err.message : String(err) }));
