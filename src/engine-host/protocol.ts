import type { AvailabilitySnapshot } from '../channels/availability.js';
import type { ChannelConfig } from '../channels/channel.js';
import type { Config } from '../config.js';

/** What the engine thread starts from (structured-cloned into it). */
export interface EngineThreadData {
  config: Config;
  /** The channels this process routes through (in sandbox mode, pointed at the simulators). */
  channels: ChannelConfig[];
  sandbox: boolean;
  workerId: string;
  /** The HTTP thread's logger level and bindings, so engine lines look like its own. */
  log: { level: string; base: Record<string, unknown> };
  availability: AvailabilitySnapshot;
  /** Wait for `go` before claiming work (a first start: until the gateway listens); a restart starts at once. */
  hold: boolean;
  /** Claim no work (this node's clock is too far off the database's) until told otherwise. */
  claimsPaused?: boolean;
}

/** HTTP thread → engine thread. */
export type ToEngine =
  | { t: 'go' }
  | { t: 'wake' }
  | { t: 'pauseClaims'; paused: boolean }
  | { t: 'availability'; lists: AvailabilitySnapshot }
  | { t: 'ask'; id: number; what: 'channels' | 'metrics' }
  | { t: 'stop'; graceMs: number };

/** Engine thread → HTTP thread. */
export type FromEngine =
  | { t: 'ready' }
  | { t: 'failed'; message: string }
  | { t: 'log'; line: string }
  /** At least one task ended since the last such message (webhook delivery may have work). */
  | { t: 'finished' }
  | { t: 'answer'; id: number; value: unknown }
  /** `released`: the engine released its leases (else the HTTP thread does it for it). */
  | { t: 'stopped'; released: boolean };

/** `send` at most once per turn of the event loop, however often the result is called in it (wake-ups, finished tasks). */
export function oncePerTurn(send: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      send();
    });
  };
}
