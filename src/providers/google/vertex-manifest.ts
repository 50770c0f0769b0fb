/**
 * The Vertex AI protocol of the google provider: which environment names configure it and how a
 * channel becomes an adapter. One credential of three (a service-account key inline or as a file,
 * or a static access token) plus the project, location and optional output bucket.
 */
import type { ChannelEndpoint, ProtocolManifest } from '../manifest.js';
import { createVertexAdapter, DEFAULT_VERTEX_LOCATION, type VertexAdapterOptions } from './vertex-adapter.js';
import { loadServiceAccountKey, serviceAccountTokens, staticAccessToken } from './vertex-credentials.js';

const SETTINGS = ['VERTEX_PROJECT', 'VERTEX_LOCATION', 'VERTEX_STORAGE_URI', 'VERTEX_STORAGE_BASE_URL'] as const;

/** The adapter options a channel describes; throws a one-line message when they do not add up. */
export function vertexOptionsOf(channel: ChannelEndpoint): VertexAdapterOptions {
  const c = channel.credentials;
  const s = channel.settings ?? {};
  const key = c.VERTEX_ACCESS_TOKEN === undefined ? loadServiceAccountKey({ json: c.VERTEX_SERVICE_ACCOUNT_JSON, file: c.GOOGLE_APPLICATION_CREDENTIALS }) : null;
  const project = s.VERTEX_PROJECT ?? key?.project_id;
  if (!project) throw new Error(`Vertex AI needs VERTEX_PROJECT (${key ? 'the service-account key names no project_id' : 'a static access token names no project'})`);
  if (!/^[a-z0-9][a-z0-9.:-]*$/i.test(project)) throw new Error(`VERTEX_PROJECT '${project}' is not a Google Cloud project id`);
  const location = s.VERTEX_LOCATION ?? DEFAULT_VERTEX_LOCATION;
  if (!/^[a-z0-9-]+$/.test(location)) throw new Error(`VERTEX_LOCATION '${location}' is not a Google Cloud location such as us-central1`);
  const storageUri = s.VERTEX_STORAGE_URI;
  if (storageUri !== undefined && !/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/.*)?$/.test(storageUri)) {
    throw new Error(`VERTEX_STORAGE_URI must be a Cloud Storage prefix such as gs://my-bucket/veo/, got '${storageUri}'`);
  }
  const storageBaseUrl = s.VERTEX_STORAGE_BASE_URL;
  if (storageBaseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(storageBaseUrl)) throw new Error(`VERTEX_STORAGE_BASE_URL must be an http(s) URL`);
  return {
    tokens: key ? serviceAccountTokens(key) : staticAccessToken(c.VERTEX_ACCESS_TOKEN!),
    project,
    location,
    baseUrl: channel.baseUrl ?? undefined,
    storageUri,
    storageBaseUrl,
  };
}

export const vertexAiProtocol: ProtocolManifest = {
  credentials: [['VERTEX_SERVICE_ACCOUNT_JSON'], ['GOOGLE_APPLICATION_CREDENTIALS'], ['VERTEX_ACCESS_TOKEN']],
  baseUrl: { env: 'VERTEX_BASE_URL', default: `https://${DEFAULT_VERTEX_LOCATION}-aiplatform.googleapis.com` },
  // A service-account key is JSON (commas): one value. Key files and tokens may be listed as a pool.
  unpooled: ['VERTEX_SERVICE_ACCOUNT_JSON'],
  settings: [...SETTINGS],
  validate: (channel) => void vertexOptionsOf(channel),
  // generateAudio: Veo 3 renders silent on request.
  supports: () => null,
  create: (channel) => createVertexAdapter(vertexOptionsOf(channel)),
};
