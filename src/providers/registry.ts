/**
 * The providers built into this gateway: one line each. Everything else about a provider (its
 * environment names, protocols, adapter) lives in its folder's manifest.
 */
import type { ProviderName } from '../catalog/types.js';
import { dashscopeManifest } from './dashscope/manifest.js';
import { googleManifest } from './google/manifest.js';
import { klingManifest } from './kling/manifest.js';
import { environmentNames, type ProviderManifest } from './manifest.js';
import { minimaxManifest } from './minimax/manifest.js';
import { openaiManifest } from './openai/manifest.js';
import { seedanceManifest } from './seedance/manifest.js';
import { topazManifest } from './topaz/manifest.js';
import { viduManifest } from './vidu/manifest.js';
import { xaiManifest } from './xai/manifest.js';

export type { ProviderManifest };

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
