import { apiKeyManifest } from '../manifest.js';
import { createOpenAIAdapter, DEFAULT_OPENAI_BASE_URL } from './adapter.js';

export const openaiManifest = apiKeyManifest('openai', 'videos-api', { key: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL', defaultBaseUrl: DEFAULT_OPENAI_BASE_URL }, createOpenAIAdapter);
