import { apiKeyManifest } from '../manifest.js';
import { createSeedanceAdapter, DEFAULT_SEEDANCE_BASE_URL } from './adapter.js';

export const seedanceManifest = apiKeyManifest('seedance', 'modelark', { key: 'ARK_API_KEY', baseUrl: 'ARK_BASE_URL', defaultBaseUrl: DEFAULT_SEEDANCE_BASE_URL }, createSeedanceAdapter);
