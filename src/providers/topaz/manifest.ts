import { apiKeyManifest } from '../manifest.js';
import { createTopazAdapter, DEFAULT_TOPAZ_BASE_URL } from './adapter.js';

export const topazManifest = apiKeyManifest('topaz', 'topaz', { key: 'TOPAZ_API_KEY', baseUrl: 'TOPAZ_BASE_URL', defaultBaseUrl: DEFAULT_TOPAZ_BASE_URL }, createTopazAdapter);
