import type { ResolvedVideoRequest } from '../contract/video-request.js';
import type { ProtocolManifest } from '../providers/manifest.js';

/**
 * The order in which a submission tries its channels: highest priority first; among channels of
 * equal priority, a weighted random order (a channel of weight 2 comes first twice as often as
 * one of weight 1), so equal channels share the load and the rest stand by for failover.
 */
export interface Weighted {
  priority: number;
  weight: number;
}

export function routeOrder<T extends Weighted>(channels: readonly T[], random: () => number = Math.random): T[] {
  const byPriority = new Map<number, T[]>();
  for (const c of channels) byPriority.set(c.priority, [...(byPriority.get(c.priority) ?? []), c]);
  return [...byPriority.keys()].sort((a, b) => b - a).flatMap((p) => weightedShuffle(byPriority.get(p)!, random));
}

/** Weighted sampling without replacement: each pick proportional to the weights left. */
function weightedShuffle<T extends Weighted>(items: T[], random: () => number): T[] {
  const left = [...items];
  const out: T[] = [];
  while (left.length > 0) {
    const total = left.reduce((s, c) => s + c.weight, 0);
    let r = random() * total;
    let i = 0;
    while (i < left.length - 1 && r >= left[i].weight) r -= left[i++].weight;
    out.push(left.splice(i, 1)[0]);
  }
  return out;
}

/**
 * Channels that serve the request as asked before those that only make up for it afterwards
 * (`degrades`: Veo 3 without audio on the Gemini API has its track removed); order kept otherwise.
 */
export function faithfulFirst<T extends { protocolManifest: Pick<ProtocolManifest, 'degrades'> }>(ordered: readonly T[], request: ResolvedVideoRequest): T[] {
  const degraded = (c: T) => c.protocolManifest.degrades?.(request) === true;
  return [...ordered.filter((c) => !degraded(c)), ...ordered.filter(degraded)];
}
