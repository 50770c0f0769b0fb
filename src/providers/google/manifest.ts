import { apiKeyManifest } from '../manifest.js';
import { createGoogleAdapter, DEFAULT_GOOGLE_BASE_URL } from './adapter.js';

export const googleManifest = apiKeyManifest('google', 'gemini-api', { key: 'GEMINI_API_KEY', baseUrl: 'GOOGLE_BASE_URL', defaultBaseUrl: DEFAULT_GOOGLE_BASE_URL }, createGoogleAdapter);
