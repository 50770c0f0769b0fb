/**
 * `vidgate/client`: the TypeScript SDK for Vidgate (no dependencies beyond `fetch`).
 * See README.md ("The SDK") for a tour.
 */
export { Vidgate, TaskPages, isTerminal, type VidgateOptions } from './vidgate.js';
export { VidgateError } from './errors.js';
export type * from './types.js';
export type { components, paths, operations } from './api-types.js';
