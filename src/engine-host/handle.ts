import type { ChannelSet } from '../channels/channel-set.js';
import type { EngineDeps } from '../engine/context.js';
import { Engine } from '../engine/engine.js';
import type { BreakerState, CircuitBreaker } from '../limits/circuit-breaker.js';
import type { MetricsSnapshot } from '../metrics/metrics.js';

/** This node's engine as of now, per channel: its breaker and what it sent through the channel. */
export type ChannelStates = Record<string, { breaker: BreakerState; submissions: number; failures: number }>;

/** The engine as the rest of the process sees it, whether it runs here or in its own thread. */
export interface EngineHandle {
  /** Look for work now (after a create, or a callback), instead of at the next tick. */
  wake(): void;
  channelStates(): Promise<ChannelStates>;
  /** Figures the engine keeps in a registry of its own (the thread's), or null when it shares the process's. */
  metrics(): Promise<MetricsSnapshot | null>;
  /** Stop (true) or resume (false) claiming work: this node's clock is too far off the database's. */
  pauseClaims(paused: boolean): void;
  /** Stop claiming, let steps in flight finish for up to `graceMs`, release the rest. */
  stop(graceMs: number): Promise<void>;
}

export function channelStatesOf(channels: ChannelSet, breaker: CircuitBreaker): ChannelStates {
  return Object.fromEntries(channels.list().map((c) => [c.id, { breaker: breaker.state(c.id), submissions: c.counts.submissions, failures: c.counts.failures }]));
}

/** The engine on this event loop (VIDGATE_ENGINE_THREAD=0). */
export function localEngine(deps: EngineDeps): EngineHandle {
  const engine = new Engine(deps);
  engine.start();
  return {
    wake: () => engine.wake(),
    pauseClaims: (paused) => engine.pauseClaims(paused),
    channelStates: async () => channelStatesOf(deps.channels, deps.breaker),
    metrics: async () => null,
    stop: async (graceMs) => void (await engine.stop(graceMs)),
  };
}
