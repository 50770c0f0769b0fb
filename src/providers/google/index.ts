export { createGoogleAdapter, DEFAULT_GOOGLE_BASE_URL, type GoogleAdapterOptions } from './adapter.js';
export { googleManifest } from './manifest.js';
export * from './mapping.js';
export type * from './wire.js';
