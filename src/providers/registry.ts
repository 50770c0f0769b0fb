import type { ProviderName } from '../catalog/types.js';
import type { Channel } from '../config.js';
import { createGoogleAdapter } from './google/index.js';
import type { ProviderAdapter } from './types.js';

export type { Channel };

/**
 * Adapters built into this gateway, one line per provider; providers absent here answer create
 * with 503. Credentials are read by their environment variable names (config.ts PROVIDER_ENV).
 */
const FACTORIES: Partial<Record<ProviderName, (c: Channel) => ProviderAdapter>> = {
  google: (c) => createGoogleAdapter({ apiKey: c.credentials.GEMINI_API_KEY, baseUrl: c.baseUrl ?? undefined }),
};

export function builtProviders(): ProviderName[] {
  return Object.keys(FACTORIES) as ProviderName[];
}

export function createAdapters(channels: Partial<Record<ProviderName, Channel>>): Partial<Record<ProviderName, ProviderAdapter>> {
  const adapters: Partial<Record<ProviderName, ProviderAdapter>> = {};
  for (const [name, channel] of Object.entries(channels) as [ProviderName, Channel][]) {
    const factory = FACTORIES[name];
    if (factory) adapters[name] = factory(channel);
  }
  return adapters;
}
