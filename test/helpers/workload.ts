import type { Resolution } from '../../src/contract/operations.js';

export interface CheapRequest {
  provider: string;
  /** The resolution it is produced (and priced) at. */
  resolution: Resolution;
  /** A create body without its prompt. */
  body: Record<string, unknown>;
}

/** One cheap create per provider family (short, 480p/720p), for tests that run many tasks through the simulators. */
export const CHEAP_REQUESTS: readonly CheapRequest[] = [
  { provider: 'google', resolution: '720p', body: { model: 'veo3.1-fast', duration: 4 } },
  { provider: 'kling', resolution: '720p', body: { model: 'kling-v2.6-std', duration: 5 } },
  { provider: 'xai', resolution: '480p', body: { model: 'grok-imagine-video', operation: 'text-to-video', duration: 1, resolution: '480p' } },
  { provider: 'openai', resolution: '720p', body: { model: 'sora-2', duration: 4 } },
  { provider: 'vidu', resolution: '720p', body: { model: 'viduq2', operation: 'text-to-video', duration: 1 } },
  { provider: 'dashscope', resolution: '480p', body: { model: 'wan-2.5', resolution: '480p' } },
  { provider: 'seedance', resolution: '480p', body: { model: 'seedance-1.5-pro', duration: 4, resolution: '480p' } },
  { provider: 'minimax', resolution: '720p', body: { model: 'hailuo-2.3-standard', duration: 6 } },
];

/**
 * VIDGATE_CATALOG_OVERRIDES that schedule polls around `seconds` of upstream latency for these
 * models (the simulators run many times faster than the real APIs).
 */
export function typicalSeconds(requests: readonly CheapRequest[], seconds: number): string {
  return JSON.stringify(Object.fromEntries(requests.map((w) => [w.body.model as string, { typical_seconds: seconds }])));
}
