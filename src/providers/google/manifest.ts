import { apiKeyProtocol, type ProviderManifest } from '../manifest.js';
import { createGoogleAdapter, DEFAULT_GOOGLE_BASE_URL } from './adapter.js';
import { rendersAudio } from './mapping.js';
import { vertexAiProtocol } from './vertex-manifest.js';

/** Veo over the Gemini API (the default) or Vertex AI, the only one that renders Veo 3 silent upstream. */
export const googleManifest: ProviderManifest = {
  name: 'google',
  defaultProtocol: 'gemini-api',
  protocols: {
    'gemini-api': apiKeyProtocol({ key: 'GEMINI_API_KEY', baseUrl: 'GOOGLE_BASE_URL', defaultBaseUrl: DEFAULT_GOOGLE_BASE_URL }, createGoogleAdapter, {
      // The Gemini API has no generateAudio: Veo 3 always renders (and bills) sound there, so a silent
      // request is served by removing the track afterwards, and only when no Vertex AI channel can take it.
      degrades: (req) => req.output_audio === false && rendersAudio(req.upstream_model),
    }),
    'vertex-ai': vertexAiProtocol,
  },
};
