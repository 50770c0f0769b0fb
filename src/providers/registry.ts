/**
 * The providers built into this gateway: one line each. Everything else about a provider (its
 * environment names, protocols, adapter) lives in its folder's manifest.
 */
import type { ProviderName } from '../catalog/types.js';
import { dashscopeManifest } from './dashscope/manifest.js';
import { googleManifest } from './google/manifest.js';
import { klingManifest } from './kling/manifest.js';
import { channelFromEnv, environmentNames, protocolOf, type Channel, type ProviderManifest } from './manifest.js';
import { minimaxManifest } from './minimax/manifest.js';
import { openaiManifest } from './openai/manifest.js';
import { seedanceManifest } from './seedance/manifest.js';
import { topazManifest } from './topaz/manifest.js';
import type { ProviderAdapter } from './types.js';
import { viduManifest } from './vidu/manifest.js';
import { xaiManifest } from './xai/manifest.js';

export type { Channel, ProviderManifest };

export const PROVIDER_MANIFESTS: readonly ProviderManifest[] = [googleManifest, openaiManifest, klingManifest, xaiManifest, seedanceManifest, minimaxManifest, dashscopeManifest, viduManifest, topazManifest];

export function manifestOf(name: string): ProviderManifest | undefined {
  return PROVIDER_MANIFESTS.find((m) => m.name === name);
}

export function builtProviders(): ProviderName[] {
  return PROVIDER_MANIFESTS.map((m) => m.name);
}

/** Every provider's environment names (credentials and base URL), from the manifests. */
export function providerEnvironmentNames(): Record<ProviderName, string[]> {
  return Object.fromEntries(PROVIDER_MANIFESTS.map((m) => [m.name, environmentNames(m)])) as Record<ProviderName, string[]>;
}

/** The channels the environment configures (providers with a complete credential set); throws a one-line message. */
export function channelsFromEnv(env: Record<string, string | undefined>, readUrl: (name: string) => string | null): Partial<Record<ProviderName, Channel>> {
  const out: Partial<Record<ProviderName, Channel>> = {};
  for (const m of PROVIDER_MANIFESTS) {
    const channel = channelFromEnv(m, env);
    if (channel) out[m.name] = { ...channel, baseUrl: readUrl(protocolOf(m).baseUrl.env) };
  }
  return out;
}

export function createAdapters(channels: Partial<Record<ProviderName, Channel>>): Partial<Record<ProviderName, ProviderAdapter>> {
  const adapters: Partial<Record<ProviderName, ProviderAdapter>> = {};
  for (const [name, channel] of Object.entries(channels) as [ProviderName, Channel][]) {
    const m = manifestOf(name);
    if (m) adapters[name] = protocolOf(m, channel).create(channel);
  }
  return adapters;
}
