import type { ProviderName } from '../catalog/types.js';
import { createGoogleAdapter } from './google/index.js';
import type { ProviderAdapter } from './types.js';

/** Where a provider's adapter sends its calls and with which credential. */
export interface Channel {
  apiKey: string;
  baseUrl: string | null;
}

/** Adapters built into this gateway so far; providers absent here answer create with 503. */
const FACTORIES: Partial<Record<ProviderName, (c: Channel) => ProviderAdapter>> = {
  google: (c) => createGoogleAdapter({ apiKey: c.apiKey, baseUrl: c.baseUrl ?? undefined }),
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
