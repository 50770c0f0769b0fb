export { createTopazAdapter, DEFAULT_TOPAZ_BASE_URL, type TopazAdapterOptions } from './adapter.js';
export * from './mapping.js';
export type * from './wire.js';
export { topazManifest } from './manifest.js';
