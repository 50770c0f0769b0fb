export { createXaiAdapter, DEFAULT_XAI_BASE_URL, type XaiAdapterOptions } from './adapter.js';
export * from './mapping.js';
export type * from './wire.js';
export { xaiManifest } from './manifest.js';
