import { apiKeyProtocol, type ProviderManifest } from '../manifest.js';
import { createAzureOpenAIAdapter, createOpenAIAdapter, DEFAULT_OPENAI_BASE_URL } from './adapter.js';

export const openaiManifest: ProviderManifest = {
  name: 'openai',
  defaultProtocol: 'openai',
  protocols: {
    openai: apiKeyProtocol({ key: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL', defaultBaseUrl: DEFAULT_OPENAI_BASE_URL }, createOpenAIAdapter),
    // The resource endpoint is the base URL and has no default: both are required.
    'azure-openai': apiKeyProtocol({ key: 'AZURE_OPENAI_API_KEY', baseUrl: 'AZURE_OPENAI_ENDPOINT', defaultBaseUrl: null }, ({ apiKey, baseUrl }) => createAzureOpenAIAdapter({ apiKey, endpoint: baseUrl! })),
  },
};
