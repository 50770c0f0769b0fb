import { apiKeyProtocol, type ProviderManifest } from '../manifest.js';
import { createGoogleAdapter, DEFAULT_GOOGLE_BASE_URL } from './adapter.js';

export const googleManifest: ProviderManifest = {
  name: 'google',
  defaultProtocol: 'gemini-api',
  protocols: {
    'gemini-api': apiKeyProtocol({ key: 'GEMINI_API_KEY', baseUrl: 'GOOGLE_BASE_URL', defaultBaseUrl: DEFAULT_GOOGLE_BASE_URL }, createGoogleAdapter),
  },
};
