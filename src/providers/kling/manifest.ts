import type { ProviderManifest } from '../manifest.js';
import { createKlingAdapter, DEFAULT_KLING_BASE_URL } from './adapter.js';

export const klingManifest: ProviderManifest = {
  name: 'kling',
  defaultProtocol: 'kling-open-api',
  protocols: {
    'kling-open-api': {
      // A console API key (Kling's current method), or the older AccessKey/SecretKey pair.
      credentials: [['KLING_API_KEY'], ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY']],
      baseUrl: { env: 'KLING_BASE_URL', default: DEFAULT_KLING_BASE_URL },
      create: (c) =>
        createKlingAdapter({
          apiKey: c.credentials.KLING_API_KEY,
          accessKey: c.credentials.KLING_ACCESS_KEY,
          secretKey: c.credentials.KLING_SECRET_KEY,
          baseUrl: c.baseUrl ?? undefined,
        }),
    },
  },
};
