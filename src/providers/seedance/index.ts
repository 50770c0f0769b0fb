export { createSeedanceAdapter, DEFAULT_SEEDANCE_BASE_URL, type SeedanceAdapterOptions } from './adapter.js';
export * from './mapping.js';
export type * from './wire.js';
export { seedanceManifest } from './manifest.js';
