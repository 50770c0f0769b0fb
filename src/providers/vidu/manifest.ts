import { apiKeyManifest } from '../manifest.js';
import { createViduAdapter, DEFAULT_VIDU_BASE_URL } from './adapter.js';

export const viduManifest = apiKeyManifest('vidu', 'vidu', { key: 'VIDU_API_KEY', baseUrl: 'VIDU_BASE_URL', defaultBaseUrl: DEFAULT_VIDU_BASE_URL }, createViduAdapter);
