import type { ProviderName } from '../catalog/types.js';
import type { Channel } from '../config.js';
import { createGoogleAdapter } from './google/index.js';
import { createKlingAdapter } from './kling/index.js';
import { createMinimaxAdapter } from './minimax/index.js';
import { createDashScopeAdapter } from './dashscope/index.js';
import { createOpenAIAdapter } from './openai/index.js';
import { createViduAdapter } from './vidu/index.js';
import { createXaiAdapter } from './xai/index.js';
import { createSeedanceAdapter } from './seedance/index.js';
import { createTopazAdapter } from './topaz/index.js';
import type { ProviderAdapter } from './types.js';

export type { Channel };

/**
 * Adapters built into this gateway, one line per provider; providers absent here answer create
 * with 503. Credentials are read by their environment variable names (config.ts PROVIDER_ENV).
 */
const FACTORIES: Partial<Record<ProviderName, (c: Channel) => ProviderAdapter>> = {
  seedance: (c) => createSeedanceAdapter({ apiKey: c.credentials.ARK_API_KEY, baseUrl: c.baseUrl ?? undefined }),
  topaz: (c) => createTopazAdapter({ apiKey: c.credentials.TOPAZ_API_KEY, baseUrl: c.baseUrl ?? undefined }),
  google: (c) => createGoogleAdapter({ apiKey: c.credentials.GEMINI_API_KEY, baseUrl: c.baseUrl ?? undefined }),
  kling: (c) => createKlingAdapter({ accessKey: c.credentials.KLING_ACCESS_KEY, secretKey: c.credentials.KLING_SECRET_KEY, baseUrl: c.baseUrl ?? undefined }),
  minimax: (c) => createMinimaxAdapter({ apiKey: c.credentials.MINIMAX_API_KEY, baseUrl: c.baseUrl ?? undefined }),
  dashscope: (c) => createDashScopeAdapter({ apiKey: c.credentials.DASHSCOPE_API_KEY, baseUrl: c.baseUrl ?? undefined }),
  openai: (c) => createOpenAIAdapter({ apiKey: c.credentials.OPENAI_API_KEY, baseUrl: c.baseUrl ?? undefined }),
  xai: (c) => createXaiAdapter({ apiKey: c.credentials.XAI_API_KEY, baseUrl: c.baseUrl ?? undefined }),
  vidu: (c) => createViduAdapter({ apiKey: c.credentials.VIDU_API_KEY, baseUrl: c.baseUrl ?? undefined }),
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
