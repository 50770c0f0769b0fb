/**
 * The pure Vertex AI mapping, with fixtures shaped like the Vertex AI Veo documentation's REST
 * samples (docs.cloud.google.com …/video/generate-videos-from-text: predictLongRunning body,
 * fetchPredictOperation answer) and js-genai's Vertex converters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedVideoRequest } from '../../src/contract/video-request.js';
import { googleManifest } from '../../src/providers/google/manifest.js';
import { fromVertexOperation, mapVertexHttpError, parseGcsUri, storageMediaPath, toVertexPredictRequest, vertexModelId, vertexModelResource } from '../../src/providers/google/vertex-mapping.js';
import { channelsFromEnv } from '../../src/channels/from-env.js';

function request(over: Partial<ResolvedVideoRequest> = {}): ResolvedVideoRequest {
  return {
    model: 'veo3.1-fast',
    operation: 'text-to-video',
    operation_explicit: false,
    prompt: 'a fox in snow',
    duration: 8,
    resolution: '1080p',
    aspect_ratio: '16:9',
    output_audio: false,
    upstream_model: 'veo-3.1-fast-generate-preview',
    sent: [],
    ...over,
  };
}

describe('Vertex AI request mapping', () => {
  it('the Gemini body plus generateAudio and storageUri, for the GA model id', () => {
    assert.deepEqual(toVertexPredictRequest(request(), {}, { storageUri: 'gs://bucket/veo/' }), {
      instances: [{ prompt: 'a fox in snow' }],
      parameters: { durationSeconds: 8, sampleCount: 1, aspectRatio: '16:9', resolution: '1080p', generateAudio: false, storageUri: 'gs://bucket/veo/' },
    });
    const withSound = toVertexPredictRequest(request({ output_audio: true, duration: 6, resolution: '720p' }), {});
    assert.deepEqual(withSound.parameters, { durationSeconds: 6, sampleCount: 1, aspectRatio: '16:9', resolution: '720p', generateAudio: true });
  });

  it('maps Gemini preview ids to Vertex GA ids and builds the publisher model resource', () => {
    assert.equal(vertexModelId('veo-3.1-generate-preview'), 'veo-3.1-generate-001');
    assert.equal(vertexModelId('veo-3.1-fast-generate-preview'), 'veo-3.1-fast-generate-001');
    assert.equal(vertexModelId('veo-3.0-generate-001'), 'veo-3.0-generate-001');
    assert.equal(vertexModelResource('my-proj', 'us-central1', 'veo-3.1-generate-001'), 'projects/my-proj/locations/us-central1/publishers/google/models/veo-3.1-generate-001');
  });
});

describe('Vertex AI operation mapping', () => {
  const name = 'projects/PROJECT_ID/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/a1b07c8e-7b5a-4aba-bb34-3e1ccb8afcc8';

  it('running, gcsUri results (the documented answer), inline bytes', () => {
    assert.deepEqual(fromVertexOperation({ name }), { state: 'running' });
    assert.deepEqual(
      fromVertexOperation({
        name,
        done: true,
        response: { '@type': 'type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse', videos: [{ gcsUri: 'gs://BUCKET_NAME/TIMESTAMPED_FOLDER/sample_0.mp4', mimeType: 'video/mp4' }] } as never,
      }),
      { state: 'succeeded', outputs: [{ kind: 'video', url: 'gs://BUCKET_NAME/TIMESTAMPED_FOLDER/sample_0.mp4', mimeType: 'video/mp4' }] },
    );
    assert.deepEqual(fromVertexOperation({ name, done: true, response: { videos: [{ bytesBase64Encoded: 'AAAA', mimeType: 'video/mp4' }] } }), {
      state: 'succeeded',
      outputs: [{ kind: 'video', base64: 'AAAA', mimeType: 'video/mp4' }],
    });
  });

  it('errors and RAI filtering', () => {
    const failed = fromVertexOperation({ name, done: true, error: { code: 3, message: 'The prompt could not be submitted. It violates usage guidelines.' } });
    assert.deepEqual(failed, { state: 'failed', error: { code: 'content_policy_violation', message: 'The prompt could not be submitted. It violates usage guidelines.' } });
    const filtered = fromVertexOperation({ name, done: true, response: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ['Unsafe content.'] } });
    assert.equal(filtered.state === 'failed' && filtered.error.code, 'content_policy_violation');
    const empty = fromVertexOperation({ name, done: true, response: {} });
    assert.equal(empty.state === 'failed' && empty.error.code, 'upstream_error');
  });

  it('gs:// URIs become Storage JSON API media paths; anything else is refused', () => {
    assert.deepEqual(parseGcsUri('gs://my-bucket/veo/123/sample_0.mp4'), { bucket: 'my-bucket', object: 'veo/123/sample_0.mp4' });
    assert.equal(storageMediaPath('my-bucket', 'veo/123/sample_0.mp4'), '/storage/v1/b/my-bucket/o/veo%2F123%2Fsample_0.mp4?alt=media');
    for (const bad of ['https://x/y', 'gs://Bad_Bucket/x', 'gs://bucket', 'gs://bucket/../etc/passwd']) assert.equal(parseGcsUri(bad), null, bad);
  });

  it('HTTP errors: 401 and 403 are auth, a missing publisher model is model_retired, 429 is rate_limited', () => {
    assert.equal(mapVertexHttpError(401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } }).kind, 'auth');
    assert.equal(mapVertexHttpError(403, { error: { code: 403, status: 'PERMISSION_DENIED', message: "Permission 'aiplatform.endpoints.predict' denied" } }).kind, 'auth');
    assert.equal(
      mapVertexHttpError(404, {
        error: { code: 404, status: 'NOT_FOUND', message: 'Publisher Model `projects/p/locations/us-central1/publishers/google/models/veo-3.0-generate-001` was not found or your project does not have access to it.' },
      }).kind,
      'model_retired',
    );
    assert.equal(mapVertexHttpError(429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded' } }).kind, 'rate_limited');
  });
});

describe('google manifest: protocols and what they can serve', () => {
  it('the environment gives one channel per protocol with credentials: Vertex AI stands by behind the Gemini API, with its settings', () => {
    const google = (env: Record<string, string>) => channelsFromEnv(env, () => null).filter((c) => c.provider === 'google');
    assert.deepEqual(
      google({ GEMINI_API_KEY: 'AIza-x', VERTEX_ACCESS_TOKEN: 'ya29.x', VERTEX_PROJECT: 'p', VERTEX_LOCATION: 'europe-west4' }).map((c) => [c.id, c.priority, c.endpoint]),
      [
        ['gemini-api', 0, { credentials: { GEMINI_API_KEY: 'AIza-x' }, baseUrl: null }],
        ['vertex-ai', -1, { credentials: { VERTEX_ACCESS_TOKEN: 'ya29.x' }, baseUrl: null, settings: { VERTEX_PROJECT: 'p', VERTEX_LOCATION: 'europe-west4' } }],
      ],
    );
    // A service-account key is JSON: its commas never make a key pool.
    const json = JSON.stringify({ type: 'service_account', project_id: 'p', client_email: 'a@p.iam.gserviceaccount.com', private_key: 'x', token_uri: 'https://oauth2.googleapis.com/token' });
    // The whole JSON reaches the key check, which gets as far as the (fake) private key; split at commas it would not be JSON.
    assert.throws(() => google({ VERTEX_SERVICE_ACCOUNT_JSON: json }), /has a "private_key" that is not a PEM private key/);
    assert.deepEqual(google({}), []);
  });

  it('a channel that cannot work is a one-line error before start', () => {
    const vertex = googleManifest.protocols['vertex-ai'];
    assert.throws(() => vertex.validate!({ credentials: { VERTEX_ACCESS_TOKEN: 'ya29.x' }, baseUrl: null }), /^Error: Vertex AI needs VERTEX_PROJECT/);
    assert.throws(() => vertex.validate!({ credentials: { VERTEX_SERVICE_ACCOUNT_JSON: '{"type":"authorized_user"}' }, baseUrl: null }), /not a service-account key/);
    assert.throws(() => vertex.validate!({ credentials: { VERTEX_SERVICE_ACCOUNT_JSON: 'nope' }, baseUrl: null }), /is not JSON/);
    assert.throws(() => vertex.validate!({ credentials: { GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json' }, baseUrl: null }), /cannot be read \(\/nonexistent\/key\.json\): ENOENT/);
    assert.throws(
      () => vertex.validate!({ credentials: { VERTEX_ACCESS_TOKEN: 'ya29.x' }, baseUrl: null, settings: { VERTEX_PROJECT: 'p', VERTEX_STORAGE_URI: 's3://x' } }),
      /VERTEX_STORAGE_URI must be a Cloud Storage prefix/,
    );
  });

  it('Veo 3 without audio: the Gemini API only by removing the track (so routing prefers Vertex AI), Vertex AI renders it silent', () => {
    const silent = request();
    assert.equal(googleManifest.protocols['gemini-api'].degrades!(silent), true);
    assert.equal(googleManifest.protocols['gemini-api'].degrades!(request({ output_audio: true })), false);
    assert.equal(googleManifest.protocols['vertex-ai'].supports!(silent), null);
    assert.equal(googleManifest.protocols['vertex-ai'].degrades, undefined);
  });
});
