/**
 * Which models each channel can serve right now, from the upstream's own model list (Gemini
 * models.list, OpenAI and xAI /v1/models). Every channel whose adapter has `listModels` is checked
 * on start and then periodically; a model whose upstream id the list no longer names is unavailable
 * there, so creates are refused at once (503 all_channels_failed, naming the reason) instead of
 * failing later, and the Models API says so. A list that cannot be read changes nothing: the last
 * good answer stands, and a channel never read counts as available (unchecked).
 *
 * Self-contained on purpose: the channels work (several channels per provider, failover) builds on it.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { ModelAvailabilityView } from '../catalog/describe.js';
import type { ModelSpec, ProviderName } from '../catalog/types.js';
import type { Operation } from '../contract/operations.js';
import type { AdapterContext, ProviderAdapter } from '../providers/types.js';

export interface AvailabilityLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AvailabilityOptions {
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  catalog: Catalog;
  /** Between two checks of the same channel. */
  intervalMs: number;
  log: AvailabilityLog;
  now?: () => number;
}

interface ChannelList {
  /** Upstream model ids the last successful list named. */
  models: Set<string>;
  checkedAt: number;
}

export class AvailabilityChecker {
  private readonly lists = new Map<ProviderName, ChannelList>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = new AbortController();

  constructor(private readonly o: AvailabilityOptions) {}

  /** Check every channel now (in the background: until a list is read, its models count as available), then every interval. */
  start(): void {
    void this.checkNow();
    this.timer = setInterval(() => void this.checkNow(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopped.abort();
    await this.running?.catch(() => undefined);
  }

  /** One round over every channel that publishes a model list; concurrent callers share it. */
  checkNow(): Promise<void> {
    this.running ??= this.checkAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkAll(): Promise<void> {
    const listing = (Object.entries(this.o.adapters) as [ProviderName, ProviderAdapter][]).filter(([, a]) => a.listModels);
    await Promise.all(listing.map(([name, adapter]) => this.checkOne(name, adapter)));
  }

  private async checkOne(name: ProviderName, adapter: ProviderAdapter): Promise<void> {
    const ctx: AdapterContext = {
      loadMedia: () => Promise.reject(new Error('a model list needs no media')),
      probeVideo: () => Promise.reject(new Error('a model list needs no media')),
      // The transport's own deadline caps the call; stopping the gateway ends it at once.
      signal: this.stopped.signal,
    };
    try {
      const ids = await adapter.listModels!(ctx);
      const before = this.lists.get(name);
      const models = new Set(ids);
      this.lists.set(name, { models, checkedAt: this.now() });
      const gone = this.o.catalog.list().filter((m) => m.provider === name && upstreamIds(m).some((id) => !models.has(id)));
      if (gone.length && (!before || gone.some((m) => upstreamIds(m).some((id) => before.models.has(id))))) {
        this.o.log.warn({ provider: name, models: gone.map((m) => m.id) }, 'the upstream model list no longer names these models; creates are refused until it does');
      }
    } catch (err) {
      if (this.stopped.signal.aborted) return;
      this.o.log.warn({ provider: name, err: err instanceof Error ? err.message : String(err) }, 'could not read the upstream model list; keeping the last answer');
    }
  }

  /** Why a create of this model (operation) cannot be served now, or null when it can. */
  unavailableReason(spec: ModelSpec, operation?: Operation): string | null {
    const list = this.lists.get(spec.provider);
    if (!list) return null;
    const ids = operation ? [upstreamIdFor(spec, operation)] : upstreamIds(spec);
    const missing = ids.filter((id) => !list.models.has(id));
    if (missing.length === 0) return null;
    const when = new Date(list.checkedAt).toISOString();
    return `the '${spec.provider}' upstream no longer lists ${missing.map((id) => `'${id}'`).join(', ')} among its models (checked ${when})`;
  }

  /** What the Models API shows for a model. */
  view(spec: ModelSpec): ModelAvailabilityView {
    const list = this.lists.get(spec.provider);
    if (!list) return { status: 'unchecked', reason: null, checked_at: null };
    const reason = this.unavailableReason(spec);
    return { status: reason ? 'unavailable' : 'available', reason, checked_at: Math.floor(list.checkedAt / 1000) };
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }
}

function upstreamIdFor(spec: ModelSpec, operation: Operation): string {
  return spec.operations.find((o) => o.operation === operation)?.upstream_model ?? spec.upstream_model;
}

/** Every upstream id the model uses (the default one and per-operation ones). */
function upstreamIds(spec: ModelSpec): string[] {
  return [...new Set(spec.operations.map((o) => o.upstream_model ?? spec.upstream_model))];
}
