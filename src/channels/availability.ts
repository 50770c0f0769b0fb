/**
 * Which models each channel can serve right now, from the upstream's own model list (Gemini
 * models.list, OpenAI and xAI /v1/models). Every channel whose adapter has `listModels` is checked
 * on start and then periodically; a model whose upstream id (on that channel) the list no longer
 * names is unavailable there: the router skips that channel, and when no channel serving the model
 * has it, creates are refused at once (503 all_channels_failed, naming the reason) and the Models
 * API says so. A list that cannot be read changes nothing: the last good answer stands, and a
 * channel never read counts as available (unchecked).
 */
import type { Catalog } from '../catalog/catalog.js';
import type { ModelAvailabilityView } from '../catalog/describe.js';
import type { ModelSpec } from '../catalog/types.js';
import type { Operation } from '../contract/operations.js';
import type { AdapterContext } from '../providers/types.js';
import { upstreamIdsOn, type ChannelSet, type LiveChannel } from './channel-set.js';

export interface AvailabilityLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AvailabilityOptions {
  channels: ChannelSet;
  catalog: Catalog;
  /** Between two checks of the same channel. */
  intervalMs: number;
  log: AvailabilityLog;
  now?: () => number;
  /** Told after every list read, with what this checker now knows (the engine thread adopts it). */
  onChange?: (lists: AvailabilitySnapshot) => void;
}

/** What a checker knows, as plain data: per channel id, the upstream model ids its last list named. */
export type AvailabilitySnapshot = [channelId: string, list: { models: string[]; checkedAt: number }][];

interface ChannelList {
  /** Upstream model ids the last successful list named. */
  models: Set<string>;
  checkedAt: number;
}

export class AvailabilityChecker {
  private readonly lists = new Map<string, ChannelList>();
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
    await Promise.all(
      this.o.channels
        .list()
        .filter((c) => c.adapter.listModels)
        .map((c) => this.checkOne(c)),
    );
  }

  private async checkOne(channel: LiveChannel): Promise<void> {
    const ctx: AdapterContext = {
      loadMedia: () => Promise.reject(new Error('a model list needs no media')),
      probeVideo: () => Promise.reject(new Error('a model list needs no media')),
      // The transport's own deadline caps the call; stopping the gateway ends it at once.
      signal: this.stopped.signal,
    };
    try {
      const ids = await channel.adapter.listModels!(ctx);
      const before = this.lists.get(channel.id);
      const models = new Set(ids);
      this.lists.set(channel.id, { models, checkedAt: this.now() });
      this.o.onChange?.(this.snapshot());
      const served = this.o.catalog.list().filter((m) => m.provider === channel.provider && (channel.models === null || Object.hasOwn(channel.models, m.id)));
      const gone = served.filter((m) => upstreamIdsOn(channel, m).some((id) => !models.has(id)));
      if (gone.length && (!before || gone.some((m) => upstreamIdsOn(channel, m).some((id) => before.models.has(id))))) {
        this.o.log.warn({ channel: channel.id, models: gone.map((m) => m.id) }, 'the upstream model list no longer names these models; this channel is skipped for them until it does');
      }
    } catch (err) {
      if (this.stopped.signal.aborted) return;
      this.o.log.warn({ channel: channel.id, err: err instanceof Error ? err.message : String(err) }, 'could not read the upstream model list; keeping the last answer');
    }
  }

  snapshot(): AvailabilitySnapshot {
    return [...this.lists].map(([id, l]) => [id, { models: [...l.models], checkedAt: l.checkedAt }]);
  }

  /** Takes what another checker knows (one that reads the lists for this process), replacing its own. */
  adopt(lists: AvailabilitySnapshot): void {
    this.lists.clear();
    for (const [id, l] of lists) this.lists.set(id, { models: new Set(l.models), checkedAt: l.checkedAt });
  }

  /** Why this channel cannot serve the model (operation) now, by its own model list, or null. */
  channelReason(channel: LiveChannel, spec: ModelSpec, operation?: Operation): string | null {
    const list = this.lists.get(channel.id);
    if (!list) return null;
    const missing = upstreamIdsOn(channel, spec, operation).filter((id) => !list.models.has(id));
    if (missing.length === 0) return null;
    const when = new Date(list.checkedAt).toISOString();
    return `the '${spec.provider}' upstream (channel ${channel.id}) no longer lists ${missing.map((id) => `'${id}'`).join(', ')} among its models (checked ${when})`;
  }

  /** Why a create of this model (operation) cannot be served now by any channel serving it, or null when one can. */
  unavailableReason(spec: ModelSpec, operation?: Operation): string | null {
    const reasons = this.o.channels.serving(spec.provider, spec.id).map((c) => this.channelReason(c, spec, operation));
    if (reasons.length === 0 || reasons.some((r) => r === null)) return null;
    return reasons.join('; ');
  }

  /** What the Models API shows for a model. */
  view(spec: ModelSpec): ModelAvailabilityView {
    const checked = this.o.channels
      .serving(spec.provider, spec.id)
      .map((c) => this.lists.get(c.id)?.checkedAt)
      .filter((t): t is number => t !== undefined);
    if (checked.length === 0) return { status: 'unchecked', reason: null, checked_at: null };
    const reason = this.unavailableReason(spec);
    return { status: reason ? 'unavailable' : 'available', reason, checked_at: Math.floor(Math.max(...checked) / 1000) };
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }
}
