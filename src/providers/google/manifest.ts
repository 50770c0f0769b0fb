import type { ProviderManifest } from '../manifest.js';
import { apiKeyManifest } from '../manifest.js';
import { createGoogleAdapter, DEFAULT_GOOGLE_BASE_URL } from './adapter.js';
import { rendersAudio } from './mapping.js';
import { vertexAiProtocol } from './vertex-manifest.js';

const gemini = apiKeyManifest('google', 'gemini-api', { key: 'GEMINI_API_KEY', baseUrl: 'GOOGLE_BASE_URL', defaultBaseUrl: DEFAULT_GOOGLE_BASE_URL }, createGoogleAdapter);

/** Veo over the Gemini API (the default) or Vertex AI, the only one that can turn Veo 3 audio off. */
export const googleManifest: ProviderManifest = {
  ...gemini,
  protocols: {
    'gemini-api': {
      ...gemini.protocols['gemini-api'],
      // The Gemini API has no generateAudio: Veo 3 always renders (and bills) sound there.
      supports: (req) =>
        req.output_audio === false && rendersAudio(req.upstream_model)
          ? { param: 'output_audio', code: 'unsupported_output_audio', reason: 'the Gemini API always renders Veo 3 audio (it has no generateAudio switch); output_audio=false needs a Vertex AI channel (VERTEX_SERVICE_ACCOUNT_JSON, GOOGLE_APPLICATION_CREDENTIALS or VERTEX_ACCESS_TOKEN)' }
          : null,
    },
    'vertex-ai': vertexAiProtocol,
  },
};
