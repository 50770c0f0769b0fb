export { createKlingAdapter, DEFAULT_KLING_BASE_URL, klingAuth, type KlingAdapterOptions } from './adapter.js';
export { createTokenSource, signKlingToken, TOKEN_TTL_SECONDS } from './auth.js';
export * from './mapping.js';
export type * from './wire.js';
export { klingManifest } from './manifest.js';
