export { createSeedanceAdapter, DEFAULT_SEEDANCE_BASE_URL, DEFAULT_VOLCENGINE_ARK_BASE_URL, volcengineModelId, type SeedanceAdapterOptions } from './adapter.js';
export * from './mapping.js';
export type * from './wire.js';
export { seedanceManifest } from './manifest.js';
