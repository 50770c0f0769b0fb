// The official @google/genai SDK must be able to drive the simulator end to end: every answer it
// cannot parse is a simulator bug, since the gateway's adapter follows the same wire protocol.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError, GoogleGenAI, type GenerateVideosOperation } from '@google/genai';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google/index.js';
import { waitForVideoOperation } from '../helpers/veo-sdk.js';
import { colorAt, isFaststart, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

const KEY = 'AIzaSdkTestKey';
const MODEL = 'veo-3.1-generate-preview';

let sim: GoogleSimulator;
let ai: GoogleGenAI;
let dir: string;
let cleanup: () => Promise<void>;

const waitForDone = (operation: GenerateVideosOperation) => waitForVideoOperation(ai, operation);

/** The documented download: GET the uri with the key header, following the redirect. */
async function fetchVideo(uri: string, name: string): Promise<string> {
  const res = await fetch(uri, { headers: { 'x-goog-api-key': KEY } });
  assert.equal(res.status, 200);
  const path = join(dir, name);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-genai-sdk-'));
  sim = await startGoogleSimulator({ apiKey: KEY, speed: 500, workDir: join(dir, 'work') });
  ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: sim.baseUrl } });
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('@google/genai against the Veo simulator', () => {
  it('text-to-video: generateVideos → getVideosOperation → download a valid MP4', async () => {
    const created = await ai.models.generateVideos({
      model: MODEL,
      source: { prompt: 'A lighthouse at dusk, waves crashing' },
      config: { durationSeconds: 8, aspectRatio: '16:9', resolution: '1080p', negativePrompt: 'text', numberOfVideos: 1, personGeneration: 'allow_all' },
    });
    assert.match(created.name ?? '', new RegExp(`^models/${MODEL}/operations/[a-z0-9]+$`));
    assert.ok(!created.done);

    const op = await waitForDone(created);
    assert.equal(op.error, undefined);
    const video = op.response?.generatedVideos?.[0]?.video;
    assert.ok(video?.uri, 'the SDK must find generatedVideos[0].video.uri');

    const path = await fetchVideo(video.uri, 't2v.mp4');
    assert.ok(isFaststart(await readFile(path)));
    const p = await probe(path);
    assert.ok(Math.abs(p.duration - 8) < 0.1, `duration ${p.duration}`);
    assert.deepEqual(p.video, { codec: 'h264', width: 1920, height: 1080, pixFmt: 'yuv420p' });
    assert.equal(p.audio?.codec, 'aac');
  });

  it('image-to-video with image {imageBytes, mimeType} starts on that image; ai.files.download works by file name', async () => {
    const red = await solidImage(dir, 'red', 'red.png');
    const op = await waitForDone(
      await ai.models.generateVideos({
        model: 'veo-3.1-fast-generate-preview',
        source: { prompt: 'The red card flips over', image: { imageBytes: red.toString('base64'), mimeType: 'image/png' } },
        // Google's own samples never send personGeneration here (allow_adult is reported refused on 3.1 image-to-video).
        config: { durationSeconds: 4, aspectRatio: '9:16' },
      }),
    );
    const uri = op.response?.generatedVideos?.[0]?.video?.uri;
    assert.ok(uri);
    // The SDK only derives a file name from https:// uris, so hand it the `files/{id}` name instead.
    const fileId = /\/files\/([a-z0-9]+):download/.exec(uri)![1];
    const path = join(dir, 'i2v.mp4');
    await ai.files.download({ file: `files/${fileId}`, downloadPath: path });
    const p = await probe(path);
    assert.ok(Math.abs(p.duration - 4) < 0.1);
    assert.deepEqual([p.video?.width, p.video?.height], [720, 1280]);
    assert.ok(isReddish(await colorAt(path, 0)));
  });

  it('extends a generated video passed back as source.video', async () => {
    const first = await waitForDone(await ai.models.generateVideos({ model: MODEL, source: { prompt: 'a paper boat' }, config: { durationSeconds: 4 } }));
    const extended = await waitForDone(
      await ai.models.generateVideos({
        model: MODEL,
        source: { prompt: 'it sails on', video: first.response!.generatedVideos![0].video },
        config: { durationSeconds: 8 },
      }),
    );
    const uri = extended.response?.generatedVideos?.[0]?.video?.uri;
    assert.ok(uri);
    const p = await probe(await fetchVideo(uri, 'extended.mp4'));
    assert.ok(Math.abs(p.duration - 8) < 0.1);
  });

  it('surfaces validation errors as ApiError 400 with Google’s message', async () => {
    await assert.rejects(ai.models.generateVideos({ model: MODEL, source: { prompt: 'x' }, config: { durationSeconds: 5 } }), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 400);
      assert.match(err.message, /INVALID_ARGUMENT/);
      return true;
    });
  });

  it('parses failed and RAI-filtered operations', async () => {
    sim.faults.failNextJob();
    const failed = await waitForDone(await ai.models.generateVideos({ model: MODEL, source: { prompt: 'fails' }, config: { durationSeconds: 4 } }));
    assert.equal(failed.error?.status, 'INTERNAL');
    assert.equal(failed.response, undefined);

    const filtered = await waitForDone(await ai.models.generateVideos({ model: MODEL, source: { prompt: 'nope [sim:rai]' }, config: { durationSeconds: 4 } }));
    assert.equal(filtered.error, undefined);
    assert.equal(filtered.response?.raiMediaFilteredCount, 1);
    assert.equal(filtered.response?.raiMediaFilteredReasons?.length, 1);
    assert.equal(filtered.response?.generatedVideos, undefined);
  });

  it('retries through an injected 429 with the SDK’s retry options and submits once', async () => {
    const before = { ...sim.stats };
    sim.faults.rateLimitNext(1, { only: 'create', retryAfterSeconds: 1 });
    const retrying = new GoogleGenAI({
      apiKey: KEY,
      httpOptions: { baseUrl: sim.baseUrl, retryOptions: { attempts: 3, initialDelay: 0.05, maxDelay: 0.1, jitter: 0 } },
    });
    const op = await retrying.models.generateVideos({ model: MODEL, source: { prompt: 'busy hour' }, config: { durationSeconds: 4 } });
    assert.ok(op.name);
    assert.equal(sim.stats.faulted, before.faulted + 1);
    assert.equal(sim.stats.creates, before.creates + 1);
  });

  it('rejects a wrong key with ApiError 400 API_KEY_INVALID, as Google does', async () => {
    const stranger = new GoogleGenAI({ apiKey: 'not-the-key', httpOptions: { baseUrl: sim.baseUrl } });
    await assert.rejects(stranger.models.generateVideos({ model: MODEL, source: { prompt: 'x' } }), (err: unknown) => err instanceof ApiError && err.status === 400 && /API key not valid/.test(err.message));
  });
});
