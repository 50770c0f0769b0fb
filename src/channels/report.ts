/**
 * What `GET /v1/admin/channels` shows of each channel: where it goes (never its credentials),
 * what it serves, its standing in the routing, its breaker and its counts.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { BreakerState } from '../limits/circuit-breaker.js';
import type { LiveChannel } from './channel-set.js';
import type { ChannelView } from '../contract/channels.js';

export type { ChannelView };

function safeBaseUrl(url: string | null): string | null {
  if (url === null) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

export function channelView(c: LiveChannel, catalog: Catalog, state: BreakerState, inFlight: number): ChannelView {
  const models =
    c.models === null
      ? catalog
          .list()
          .filter((m) => m.provider === c.provider)
          .map((m) => m.id)
      : Object.keys(c.models);
  const upstream = Object.entries(c.models ?? {}).filter((e): e is [string, string] => e[1] !== null);
  return {
    id: c.id,
    provider: c.provider,
    protocol: c.protocol,
    base_url: safeBaseUrl(c.endpoint.baseUrl ?? c.protocolManifest.baseUrl.default),
    models,
    upstream_models: Object.fromEntries(upstream),
    state: state === 'half-open' ? 'half_open' : state,
    in_flight: inFlight,
    submissions: c.counts.submissions,
    failures: c.counts.failures,
    priority: c.priority,
    weight: c.weight,
    concurrency: c.concurrency ?? null,
    rpm: c.rpm ?? null,
  };
}
