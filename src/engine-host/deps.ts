import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { AvailabilityChecker } from '../channels/availability.js';
import { UpstreamCallbacks } from '../channels/callbacks.js';
import { ChannelSet } from '../channels/channel-set.js';
import type { ChannelConfig } from '../channels/channel.js';
import type { Config } from '../config.js';
import { systemClock } from '../engine/clock.js';
import type { EngineDeps, EngineObserver } from '../engine/context.js';
import { CircuitBreaker } from '../limits/circuit-breaker.js';
import { createLimits, RedisLimits } from '../limits/index.js';
import type { Limits } from '../limits/types.js';
import { createMediaLoader } from '../media/fetcher.js';
import { fitImage } from '../media/fit-image.js';
import { probeVideo, probeVideoBytes } from '../media/probe.js';
import { instrumentAdapter } from '../metrics/instrument-adapters.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { isDocumentationUrl, placeholderMedia } from '../sandbox/example-media.js';
import type { Store } from '../store/types.js';
import { tempDirs } from '../temp-files.js';

/** What the engine is built from, in the HTTP thread (engine in process) or in the engine thread. */
export interface EngineParts {
  config: Config;
  store: Store;
  blobs: BlobStore;
  catalog: Catalog;
  channels: ChannelSet;
  availability: AvailabilityChecker;
  limits: Limits;
  log: Logger;
  workerId: string;
  /** Sandbox mode: simulated time runs faster, and the documentation's example URLs are served locally. */
  sandbox: boolean;
}

/** The engine's dependencies (one builder, so both places wire it the same way). */
export function buildEngineDeps(p: EngineParts): EngineDeps {
  const { config } = p;
  const guardedLoad = createMediaLoader({
    allowPrivateNetwork: config.allowPrivateNetwork,
    maxBytes: { image: config.media.maxImageBytes, video: config.media.maxVideoBytes, audio: config.media.maxAudioBytes },
    timeoutMs: config.media.fetchTimeoutMs,
  });
  const loadMedia: EngineDeps['loadMedia'] = p.sandbox ? (url, kind) => (isDocumentationUrl(url) ? placeholderMedia(url, kind) : guardedLoad(url, kind)) : guardedLoad;
  return {
    store: p.store,
    blobs: p.blobs,
    catalog: p.catalog,
    channels: p.channels,
    channelReason: (channel, spec, operation) => p.availability.channelReason(channel, spec, operation),
    loadMedia,
    probeFile: probeVideo,
    limits: p.limits,
    probeBytes: (bytes) => probeVideoBytes(bytes, tempDirs(config.dataDir).probes),
    fitImage,
    tmpDir: tempDirs(config.dataDir).outputs,
    log: p.log.child({ room: 'engine' }),
    breaker: new CircuitBreaker({ threshold: config.engine.breakerThreshold, cooldownMs: config.engine.breakerCooldownMs, maxCooldownMs: Math.max(config.engine.breakerCooldownMs, 300_000) }),
    clock: systemClock,
    workerId: p.workerId,
    settings: {
      ...config.engine,
      pollScale: p.sandbox ? 1 / config.sandboxSpeed : 1,
      maxTransientAttempts: 8,
    },
  };
}

/** Counts each task that ends, and says so (webhook delivery may have an event to send at once). */
export function finishObserver(metrics: GatewayMetrics, deps: Pick<EngineDeps, 'clock'>, onFinished: () => void): EngineObserver {
  return {
    transition: (task, decision) => {
      if (decision.to !== 'completed' && decision.to !== 'failed') return;
      metrics.taskFinished(task.model, task.provider, decision.to, task.created_ms, deps.clock.now());
      onFinished();
    },
  };
}

/** Upstream callbacks (VIDGATE_CALLBACK_BASE_URL), or undefined when they are off. */
export function upstreamCallbacks(p: Pick<EngineParts, 'config' | 'store' | 'channels' | 'log'>, wake: () => void): UpstreamCallbacks | undefined {
  const baseUrl = p.config.callbacks.baseUrl;
  if (!baseUrl) return undefined;
  return new UpstreamCallbacks({
    repo: p.store.upstreamCallbacks,
    baseUrl,
    channel: (id) => {
      const ch = p.channels.get(id);
      return ch && { provider: ch.provider, protocol: ch.protocol, credentials: ch.endpoint.credentials };
    },
    channelIds: () => p.channels.list().map((c) => c.id),
    projectWebhookSecret: p.config.callbacks.openaiWebhookSecret ?? undefined,
    clock: systemClock,
    log: p.log.child({ room: 'channels' }),
    wake,
  });
}

/** Request and submission limits: in this process, or counted across nodes in Redis (not fatal when Redis is slow to answer: counted here until it does, logged once). */
export async function openLimits(config: Config, log: Logger): Promise<Limits> {
  const limits = createLimits(config.redisUrl, log.child({ room: 'limits' }));
  if (limits instanceof RedisLimits) await limits.connected(2_000);
  return limits;
}

/** The channels, each adapter counted and timed in `metrics`. */
export function instrumentedChannels(configs: ChannelConfig[], metrics: GatewayMetrics): ChannelSet {
  return new ChannelSet(configs, (adapter, c) => instrumentAdapter(c.provider, adapter, metrics));
}

/** Every channel's breaker state, as /metrics shows it. */
export function breakerStates(channels: ChannelSet, breaker: CircuitBreaker): { provider: string; channel: string; state: string }[] {
  return channels.list().map((c) => ({ provider: c.provider, channel: c.id, state: breaker.state(c.id) }));
}
