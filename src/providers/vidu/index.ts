export { createViduAdapter, DEFAULT_VIDU_BASE_URL, type ViduAdapterOptions } from './adapter.js';
export * from './mapping.js';
export type * from './wire.js';
export { viduManifest } from './manifest.js';
