import { apiKeyProtocol, type ProviderManifest } from '../manifest.js';
import { createAzureOpenAIAdapter, createOpenAIAdapter, DEFAULT_OPENAI_BASE_URL } from './adapter.js';

export const openaiManifest: ProviderManifest = {
  name: 'openai',
  defaultProtocol: 'openai',
  protocols: {
    openai: apiKeyProtocol({ key: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL', defaultBaseUrl: DEFAULT_OPENAI_BASE_URL }, createOpenAIAdapter),
    'azure-openai': {
      // The resource's key, or a Microsoft Entra ID access token (AZURE_OPENAI_AD_TOKEN, as openai-python
      // names it; sent as Bearer and not renewed here: restart with a fresh one before it expires).
      credentials: [['AZURE_OPENAI_API_KEY'], ['AZURE_OPENAI_AD_TOKEN']],
      // The resource endpoint is the base URL and has no default: it is required.
      baseUrl: { env: 'AZURE_OPENAI_ENDPOINT', default: null },
      create: ({ credentials: c, baseUrl }) =>
        createAzureOpenAIAdapter({ endpoint: baseUrl!, credential: c.AZURE_OPENAI_API_KEY !== undefined ? { apiKey: c.AZURE_OPENAI_API_KEY } : { entraToken: c.AZURE_OPENAI_AD_TOKEN } }),
    },
  },
};
