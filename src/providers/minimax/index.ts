export { createMinimaxAdapter, DEFAULT_MINIMAX_BASE_URL, type MinimaxAdapterOptions } from './adapter.js';
export * from './mapping.js';
export type * from './wire.js';
export { minimaxManifest } from './manifest.js';
