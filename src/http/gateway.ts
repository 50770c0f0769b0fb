import type { BlobStore } from '../blobs/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ProviderName } from '../catalog/types.js';
import type { Config } from '../config.js';
import type { EngineDeps } from '../engine/context.js';
import type { Store } from '../store/types.js';
import type { AvailabilityChecker } from '../channels/availability.js';
import type { Authenticator } from './auth.js';
import type { UrlSigner } from './signed-urls.js';

/** Everything the routes use, built once by the app. */
export interface Gateway {
  config: Config;
  store: Store;
  blobs: BlobStore;
  catalog: Catalog;
  auth: Authenticator;
  signer: UrlSigner;
  /** Providers that have a channel (credentials or a simulator). */
  channels: ReadonlySet<ProviderName>;
  /** Models the upstream model lists no longer name (src/channels/availability.ts); absent = no checks. */
  availability?: Pick<AvailabilityChecker, 'unavailableReason' | 'view'>;
  /** For cancel: the engine's view of adapters. */
  engineDeps: Pick<EngineDeps, 'store' | 'catalog' | 'adapters' | 'loadMedia' | 'probeBytes' | 'fitImage'>;
  wakeEngine(): void;
}
