import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ModelSpec } from '../catalog/types.js';
import type { ChannelSet, LiveChannel } from '../channels/channel-set.js';
import type { Operation } from '../contract/operations.js';
import type { AdapterContext } from '../providers/types.js';
import type { Store, Task, TaskTransition } from '../store/types.js';
import type { Limits } from '../limits/types.js';
import type { CircuitBreaker } from '../limits/circuit-breaker.js';
import type { Clock } from './clock.js';

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
  /** Attempts of a step tolerated before a task fails (where the retry policy bounds them). */
  maxTransientAttempts: number;
  /** Per upstream call. */
  upstreamTimeoutMs: number;
  /** Per output download (whole file). */
  downloadTimeoutMs: number;
}

/** Hooks for metrics: told of every state change the engine commits. */
export interface EngineObserver {
  transition(task: Task, decision: TaskTransition): void;
}

/** Upstream callbacks as the engine sees them (channels/callbacks.ts). */
export interface EngineCallbacks {
  /** Whether a task's channel calls back (polls are then a sparse fallback); null: not pinned to a channel. */
  covers(channelId: string | null): boolean;
  /** Before a create on a channel: the callback URL to send (its token registered), if the channel takes one per task. */
  callbackUrlFor(task: Pick<Task, 'id'>, channelId: string): Promise<string | undefined>;
  /** After a create: lets a project-level webhook find the task by its upstream id. */
  submitted(task: Pick<Task, 'id'>, channelId: string, upstreamId: string): Promise<void>;
  /** Whether a callback made the task due at or after `sinceMs`. */
  pokedSince(taskId: string, sinceMs: number): Promise<boolean>;
}

/** What every engine step needs; built once by the app. */
export interface EngineDeps {
  store: Store;
  blobs: BlobStore;
  catalog: Catalog;
  /** The routes to the upstreams; a task is submitted through one and pinned to it. */
  channels: ChannelSet;
  /** Why a channel cannot serve a model now (its upstream model list), or null. */
  channelReason?: (channel: LiveChannel, spec: ModelSpec, operation?: Operation) => string | null;
  loadMedia: AdapterContext['loadMedia'];
  probeBytes: AdapterContext['probeVideo'];
  fitImage: NonNullable<AdapterContext['fitImage']>;
  /** Probes a finished output downloaded to a local temp file. */
  probeFile: (path: string) => Promise<{ durationSeconds: number; width: number; height: number; hasAudio: boolean }>;
  /** Where outputs are downloaded and probed before they go to blob storage. */
  tmpDir: string;
  log: Logger;
  settings: EngineSettings;
  /** Outage signals per channel (by channel id). */
  breaker: CircuitBreaker;
  /** Submission rates per provider (in process, or shared by every node through Redis). */
  limits: Limits;
  /** This worker's lease owner id. */
  workerId: string;
  clock: Clock;
  observe?: EngineObserver;
  /** Set when VIDGATE_CALLBACK_BASE_URL is: upstream callbacks, polling as a fallback. */
  callbacks?: EngineCallbacks;
}

/** What an adapter may use of the gateway for one call, aborted after `timeoutMs`. */
export function adapterContext(deps: Pick<EngineDeps, 'loadMedia' | 'probeBytes' | 'fitImage'>, timeoutMs: number): AdapterContext {
  return { loadMedia: deps.loadMedia, probeVideo: deps.probeBytes, fitImage: deps.fitImage, signal: AbortSignal.timeout(timeoutMs) };
}
