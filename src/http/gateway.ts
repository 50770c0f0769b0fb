import type { BlobStore } from '../blobs/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Config } from '../config.js';
import type { Limits } from '../limits/types.js';
import type { FastReads } from './fast-reads.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { Task } from '../store/types.js';
import type { AccountService } from '../tasks/accounts.js';
import type { TaskService } from '../tasks/service.js';
import type { ModelAvailabilityView } from '../catalog/describe.js';
import type { ModelSpec } from '../catalog/types.js';
import type { CallbackReply, ChannelView, InboundCallback } from '../contract/channels.js';
import type { Authenticator } from './auth.js';
import type { UrlSigner } from './signed-urls.js';

/** Everything the routes use, built once by the app. Routes call `tasks` for use cases, never an adapter. */
export interface Gateway {
  config: Config;
  blobs: BlobStore;
  catalog: Catalog;
  auth: Authenticator;
  /** Request (and submission) rate limits, per node or shared through Redis. */
  limits: Limits;
  signer: UrlSigner;
  tasks: TaskService;
  /** API keys: what admins do to them, and what a key reads or sets about itself. */
  accounts: AccountService;
  metrics: GatewayMetrics;
  /** Task reads answered from memory before the framework (absent: every read takes the full path). */
  fastReads?: FastReads;
  /**
   * Models the upstream model lists no longer name, as last read (channels/availability.ts provides it; the
   * routes only read its view, so http/ does not depend on channels/). Absent = no checks.
   */
  availability?: { view(spec: ModelSpec): ModelAvailabilityView };
  /** The routes to the upstreams, as admins see them (never an adapter, never a credential). */
  channels: {
    report(): Promise<ChannelView[]>;
    /** The channel a task is pinned to (null while pending, or none when it is no longer configured). */
    ofTask(task: Task): { id: string; provider: string; protocol: string | null } | null;
  };
  /** Upstream callbacks (VIDGATE_CALLBACK_BASE_URL); absent = off, the callback route answers 404. */
  callbacks?: { receive(channelId: string, token: string | undefined, cb: InboundCallback): Promise<CallbackReply> };
}
