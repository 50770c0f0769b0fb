// The official @google/genai SDK in Vertex AI mode (vertexai: true) must drive the Vertex simulator
// end to end: generateVideos → :predictLongRunning, getVideosOperation → :fetchPredictOperation,
// results as inline bytes or gcsUri. Every answer it cannot parse is a simulator bug.
// Auth is the SDK's own: google-auth-library with the simulator's service-account key.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError, GoogleGenAI, type GenerateVideosOperation } from '@google/genai';
import { startVertexSimulator, type VertexSimulator } from '../../src/sandbox/vertex/index.js';
import { serviceAccountClient, waitForVideoOperation } from '../helpers/veo-sdk.js';
import { colorAt, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

const MODEL = 'veo-3.1-fast-generate-001';

let sim: VertexSimulator;
let ai: GoogleGenAI;
let dir: string;
let cleanup: () => Promise<void>;

const waitForDone = (operation: GenerateVideosOperation) => waitForVideoOperation(ai, operation);

function client(): GoogleGenAI {
  return new GoogleGenAI({
    vertexai: true,
    project: sim.project,
    location: 'us-central1',
    googleAuthOptions: { authClient: serviceAccountClient(sim.serviceAccountJson) },
    httpOptions: { baseUrl: sim.baseUrl, apiVersion: 'v1' },
  });
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-vertex-sdk-'));
  sim = await startVertexSimulator({ workDir: join(dir, 'work'), speed: 500, project: 'vidgate-sdk' });
  ai = client();
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('@google/genai (Vertex AI mode) against the Vertex simulator', () => {
  it('generateAudio:false → inline videoBytes of a silent MP4, operation named under the publisher model', async () => {
    const created = await ai.models.generateVideos({ model: MODEL, source: { prompt: 'A quiet harbour at dawn' }, config: { durationSeconds: 4, aspectRatio: '16:9', generateAudio: false, numberOfVideos: 1 } });
    assert.match(created.name ?? '', new RegExp(`^projects/vidgate-sdk/locations/us-central1/publishers/google/models/${MODEL}/operations/[0-9a-f-]{36}$`));
    const op = await waitForDone(created);
    assert.equal(op.error, undefined);
    const video = op.response?.generatedVideos?.[0]?.video;
    assert.ok(video?.videoBytes, 'the SDK finds videos[0].bytesBase64Encoded');
    assert.equal(video.mimeType, 'video/mp4');
    const path = join(dir, 'silent.mp4');
    await writeFile(path, Buffer.from(video.videoBytes, 'base64'));
    const p = await probe(path);
    assert.equal(p.audio, undefined, 'no audio stream');
    assert.ok(Math.abs(p.duration - 4) < 0.1);
  });

  it('outputGcsUri → gcsUri the Storage JSON API serves; image-to-video starts on the image and has sound by default', async () => {
    const red = await solidImage(dir, 'red', 'red.png');
    const op = await waitForDone(
      await ai.models.generateVideos({
        model: MODEL,
        source: { prompt: 'The red card flips over', image: { imageBytes: red.toString('base64'), mimeType: 'image/png' } },
        config: { durationSeconds: 6, aspectRatio: '9:16', outputGcsUri: 'gs://sdk-bucket/runs/' },
      }),
    );
    const uri = op.response?.generatedVideos?.[0]?.video?.uri;
    assert.match(uri ?? '', /^gs:\/\/sdk-bucket\/runs\/[0-9a-f-]{36}\/sample_0\.mp4$/);
    const [, bucket, object] = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri!)!;
    const token = (await serviceAccountClient(sim.serviceAccountJson).getAccessToken()).token;
    const res = await fetch(`${sim.baseUrl}/storage/v1/b/${bucket}/o/${encodeURIComponent(object)}?alt=media`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const path = join(dir, 'gcs.mp4');
    await writeFile(path, Buffer.from(await res.arrayBuffer()));
    const p = await probe(path);
    assert.ok(p.audio, 'generateAudio omitted: sound');
    assert.deepEqual([p.video?.width, p.video?.height], [720, 1280]);
    assert.ok(isReddish(await colorAt(path, 0)));
  });

  it('parses failed and RAI-filtered operations', async () => {
    sim.faults.failNextJob();
    const failed = await waitForDone(await ai.models.generateVideos({ model: MODEL, source: { prompt: 'fails' }, config: { durationSeconds: 4 } }));
    assert.equal(failed.error?.status, 'INTERNAL');
    const filtered = await waitForDone(await ai.models.generateVideos({ model: MODEL, source: { prompt: 'nope [sim:rai]' }, config: { durationSeconds: 4 } }));
    assert.equal(filtered.response?.raiMediaFilteredCount, 1);
    assert.equal(filtered.response?.generatedVideos, undefined);
  });

  it('surfaces Vertex refusals as ApiError: 400 bad duration, 404 retired model, 401 once the token expires without a refresh', async () => {
    await assert.rejects(ai.models.generateVideos({ model: MODEL, source: { prompt: 'x' }, config: { durationSeconds: 5 } }), (err: unknown) => err instanceof ApiError && err.status === 400);
    await assert.rejects(ai.models.generateVideos({ model: 'veo-3.0-generate-001', source: { prompt: 'x' } }), (err: unknown) => err instanceof ApiError && err.status === 404 && /Publisher Model/.test(err.message));
    sim.faults.expireTokens();
    // The SDK keeps its cached token (valid by its own clock): the simulator refuses it like Google.
    await assert.rejects(ai.models.generateVideos({ model: MODEL, source: { prompt: 'x' } }), (err: unknown) => err instanceof ApiError && err.status === 401 && /UNAUTHENTICATED/.test(err.message));
    ai = client();
    const fresh = await ai.models.generateVideos({ model: MODEL, source: { prompt: 'after a new token' }, config: { durationSeconds: 4 } });
    assert.ok(fresh.name);
  });
});
