import { apiKeyManifest } from '../manifest.js';
import { createXaiAdapter, DEFAULT_XAI_BASE_URL } from './adapter.js';

export const xaiManifest = apiKeyManifest('xai', 'xai', { key: 'XAI_API_KEY', baseUrl: 'XAI_BASE_URL', defaultBaseUrl: DEFAULT_XAI_BASE_URL }, createXaiAdapter);
