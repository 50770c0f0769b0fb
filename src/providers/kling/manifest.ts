import type { ProviderManifest } from '../manifest.js';
import { createKlingAdapter, DEFAULT_KLING_BASE_URL } from './adapter.js';

/** Both kinds reach the same API (the region is the base URL). */
const baseUrl = { env: 'KLING_BASE_URL', default: DEFAULT_KLING_BASE_URL };

/** Kling's two ways to authenticate are two kinds of channel: each sends only its own credential. */
export const klingManifest: ProviderManifest = {
  name: 'kling',
  defaultProtocol: 'kling-api-key',
  protocols: {
    // A console API key, Kling's current method, sent as the Bearer token itself.
    'kling-api-key': {
      credentials: [['KLING_API_KEY']],
      baseUrl,
      create: (c) => createKlingAdapter({ apiKey: c.credentials.KLING_API_KEY, baseUrl: c.baseUrl ?? undefined }),
    },
    // The older AccessKey/SecretKey pair, signed into a short-lived JWT.
    'kling-jwt': {
      credentials: [['KLING_ACCESS_KEY', 'KLING_SECRET_KEY']],
      baseUrl,
      create: (c) => createKlingAdapter({ accessKey: c.credentials.KLING_ACCESS_KEY, secretKey: c.credentials.KLING_SECRET_KEY, baseUrl: c.baseUrl ?? undefined }),
    },
  },
};
