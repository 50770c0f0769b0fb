export { createDashScopeAdapter, DEFAULT_DASHSCOPE_BASE_URL, type DashScopeAdapterOptions } from './adapter.js';
export * from './mapping.js';
export type * from './wire.js';
export { dashscopeManifest } from './manifest.js';
