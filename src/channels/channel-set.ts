/**
 * The configured channels, each with its adapter and counters: which channels serve a model, can
 * take a request, and which one a task is pinned to. Built once at start from ChannelConfig.
 */
import type { ModelSpec } from '../catalog/types.js';
import type { Operation } from '../contract/operations.js';
import type { ResolvedVideoRequest } from '../contract/video-request.js';
import { manifestOf } from '../providers/registry.js';
import type { ProtocolManifest, ProtocolRefusal } from '../providers/manifest.js';
import type { ProviderAdapter } from '../providers/types.js';
import { PRE_CHANNEL_PIN } from '../store/types.js';
import type { ChannelConfig } from './channel.js';

export interface LiveChannel extends ChannelConfig {
  adapter: ProviderAdapter;
  protocolManifest: ProtocolManifest;
  /** Since start, on this node: creates sent, and creates that failed. */
  counts: { submissions: number; failures: number };
}

/** What a task needs routed: its provider and model, and the request as the catalog resolved it. */
export interface Routable {
  provider: string;
  model: string;
  request: ResolvedVideoRequest;
}

export type Candidates =
  | { ok: true; channels: LiveChannel[] }
  /** `refusal`: the request itself cannot be served by any configured channel (a 400 naming the parameter), not merely no channel right now. */
  | { ok: false; reason: string; refusal?: ProtocolRefusal };

export class ChannelSet {
  private readonly byId = new Map<string, LiveChannel>();
  /** Each provider's channels in configuration order: asked on every create (which channels serve the model). */
  private readonly byProvider = new Map<string, LiveChannel[]>();

  constructor(configs: ChannelConfig[], wrap: (adapter: ProviderAdapter, channel: ChannelConfig) => ProviderAdapter = (a) => a) {
    for (const c of configs) {
      if (this.byId.has(c.id)) throw new Error(`two channels are named '${c.id}'; channel ids must be unique`);
      const manifest = manifestOf(c.provider);
      const protocolManifest = manifest?.protocols[c.protocol];
      if (!protocolManifest) throw new Error(`channel '${c.id}': ${c.provider} has no protocol '${c.protocol}'`);
      const live: LiveChannel = { ...c, protocolManifest, adapter: wrap(protocolManifest.create(c.endpoint), c), counts: { submissions: 0, failures: 0 } };
      this.byId.set(c.id, live);
      const own = this.byProvider.get(c.provider);
      if (own) own.push(live);
      else this.byProvider.set(c.provider, [live]);
    }
  }

  list(): LiveChannel[] {
    return [...this.byId.values()];
  }

  get(id: string): LiveChannel | undefined {
    return this.byId.get(id);
  }

  forProvider(provider: string): LiveChannel[] {
    return [...(this.byProvider.get(provider) ?? [])];
  }

  hasProvider(provider: string): boolean {
    return this.byProvider.has(provider);
  }

  /**
   * The channel a task was submitted through (undefined: not pinned, or no longer configured). A
   * task sent before channels existed went through its provider's environment channel: the one of
   * its default protocol (the first of a key pool), else the provider's only channel.
   */
  pinned(task: { provider: string; channelId: string | null }): LiveChannel | undefined {
    if (task.channelId === null) return undefined;
    if (task.channelId !== PRE_CHANNEL_PIN) return this.byId.get(task.channelId);
    const protocol = manifestOf(task.provider)?.defaultProtocol;
    const own = this.forProvider(task.provider);
    return (protocol === undefined ? undefined : (this.byId.get(protocol) ?? this.byId.get(`${protocol}-1`))) ?? (own.length === 1 ? own[0] : undefined);
  }

  /** The id a pinned task names (for messages), whether or not that channel still exists; null when not pinned. */
  pinnedId(task: { provider: string; channelId: string | null }): string | null {
    if (task.channelId !== PRE_CHANNEL_PIN) return task.channelId;
    return this.pinned(task)?.id ?? manifestOf(task.provider)?.defaultProtocol ?? task.provider;
  }

  /** Channels configured for the model (whatever their state), in configuration order. */
  serving(provider: string, model: string): LiveChannel[] {
    return (this.byProvider.get(provider) ?? []).filter((c) => c.models === null || Object.hasOwn(c.models, model));
  }

  /** The channels that could take this request (serve the model, speak what it needs); or why none can. */
  candidates(task: Routable): Candidates {
    const serving = this.serving(task.provider, task.model);
    if (serving.length === 0) {
      const reason = this.hasProvider(task.provider)
        ? `no configured ${task.provider} channel serves '${task.model}'.`
        : `the '${task.provider}' provider is not built into this gateway yet or has no credentials configured.`;
      return { ok: false, reason };
    }
    const refusals: ProtocolRefusal[] = [];
    const able = serving.filter((c) => {
      const why = c.protocolManifest.supports?.(task.request) ?? null;
      if (why !== null) refusals.push(why);
      return why === null;
    });
    if (able.length === 0) return { ok: false, reason: `no configured channel can serve this request: ${refusals.map((r) => r.reason).join('; ')}`, refusal: refusals[0] };
    return { ok: true, channels: able };
  }

  /** The request as this channel sends it: the model under the channel's own upstream id. */
  requestFor(channel: LiveChannel, request: ResolvedVideoRequest, model: string): ResolvedVideoRequest {
    const upstream = upstreamModelOn(channel, model, request.upstream_model);
    return upstream === request.upstream_model ? request : { ...request, upstream_model: upstream };
  }
}

/** The upstream id a channel uses for a model whose catalog upstream id is `catalogId`. */
export function upstreamModelOn(channel: Pick<LiveChannel, 'models' | 'protocolManifest'>, model: string, catalogId: string): string {
  return channel.models?.[model] ?? channel.protocolManifest.upstreamModel?.(catalogId) ?? catalogId;
}

/** Every upstream id a model uses on a channel (its default and per-operation ones), or one operation's. */
export function upstreamIdsOn(channel: Pick<LiveChannel, 'models' | 'protocolManifest'>, spec: ModelSpec, operation?: Operation): string[] {
  // One operation (every create's check): one id, nothing to de-duplicate.
  if (operation) return [upstreamModelOn(channel, spec.id, spec.operations.find((o) => o.operation === operation)?.upstream_model ?? spec.upstream_model)];
  const catalogIds = spec.operations.map((o) => o.upstream_model ?? spec.upstream_model);
  return [...new Set(catalogIds.map((id) => upstreamModelOn(channel, spec.id, id)))];
}
