import { apiKeyProtocol, type ProviderManifest } from '../manifest.js';
import { createSeedanceAdapter, DEFAULT_SEEDANCE_BASE_URL, DEFAULT_VOLCENGINE_ARK_BASE_URL, volcengineModelId } from './adapter.js';

export const seedanceManifest: ProviderManifest = {
  name: 'seedance',
  defaultProtocol: 'byteplus-ark',
  protocols: {
    'byteplus-ark': apiKeyProtocol({ key: 'ARK_API_KEY', baseUrl: 'ARK_BASE_URL', defaultBaseUrl: DEFAULT_SEEDANCE_BASE_URL }, createSeedanceAdapter),
    // The same Ark protocol in mainland China: its own endpoint, keys and `doubao-` model ids.
    'volcengine-ark': apiKeyProtocol({ key: 'VOLCENGINE_ARK_API_KEY', baseUrl: 'VOLCENGINE_ARK_BASE_URL', defaultBaseUrl: DEFAULT_VOLCENGINE_ARK_BASE_URL }, createSeedanceAdapter, { upstreamModel: volcengineModelId }),
  },
};
