// The Vercel AI SDK's xAI provider (@ai-sdk/xai, driven by ai's experimental_generateVideo) must be
// able to drive the simulator end to end: every answer it cannot parse is a simulator bug, since
// the gateway's adapter follows the same wire protocol.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createXai } from '@ai-sdk/xai';
import { experimental_generateVideo as generateVideo } from 'ai';
import { startXaiSimulator, type XaiSimulator } from '../../src/sandbox/xai/index.js';
import { loopbackDownload, saveTo, type VideoModelArg } from '../helpers/ai-sdk.js';
import { colorAt, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const KEY = 'xai-sdkTestKey0123456789';
let sim: XaiSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let xai: ReturnType<typeof createXai>;
const video = (id: string, client = xai): VideoModelArg => client.video(id) as unknown as VideoModelArg;
const FAST = { xai: { pollIntervalMs: 40, pollTimeoutMs: 30_000 } };

/** The SDK's default downloader refuses loopback hosts (SSRF guard), so tests fetch directly. */
const seenDownloads: string[] = [];
const download = loopbackDownload(seenDownloads);
const save = (data: Uint8Array, name: string) => saveTo(dir, data, name);

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-xai-sdk-'));
  sim = await startXaiSimulator({ apiKey: KEY, speed: 200, workDir: join(dir, 'work') });
  xai = createXai({ apiKey: KEY, baseURL: sim.baseUrl });
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('@ai-sdk/xai against the Grok Imagine simulator', () => {
  it('text-to-video: the SDK parses create + status answers and the video matches the request', async () => {
    const result = await generateVideo({
      model: video('grok-imagine-video'),
      prompt: 'A lighthouse at dusk, waves crashing',
      duration: 3,
      aspectRatio: '9:16',
      providerOptions: { xai: { ...FAST.xai, resolution: '480p' } },
      download,
    });
    const meta = result.providerMetadata.xai as Record<string, unknown>;
    assert.match(String(meta.requestId), /^[0-9a-f-]{36}$/);
    assert.equal(meta.duration, 3);
    assert.equal(typeof meta.costInUsdTicks, 'number');
    assert.ok((meta.costInUsdTicks as number) > 0);
    assert.equal(result.video.mediaType, 'video/mp4');
    assert.ok(String(meta.videoUrl).startsWith(sim.mediaUrl), 'the video lives on the separate media host');
    const p = await probe(await save(result.video.uint8Array, 't2v.mp4'));
    assert.ok(Math.abs(p.duration - 3) < 0.2, `duration ${p.duration}`);
    assert.deepEqual([p.video?.width, p.video?.height], [480, 854]);
    assert.equal(p.audio?.codec, 'aac');
  });

  it('image-to-video: the SDK sends the image as a data URI and the video starts on it', async () => {
    const red = await solidImage(dir, 'red', 'red.png');
    const result = await generateVideo({
      model: video('grok-imagine-video'),
      prompt: { image: red, text: 'The red card flutters' },
      duration: 2,
      aspectRatio: '16:9',
      providerOptions: { xai: { ...FAST.xai, resolution: '720p' } },
      download,
    });
    const path = await save(result.video.uint8Array, 'i2v.mp4');
    const p = await probe(path);
    assert.deepEqual([p.video?.width, p.video?.height], [1280, 720]);
    assert.ok(isReddish(await colorAt(path, 0.1)), 'first frame is the input image');
  });

  it('grok-imagine-video-1.5 image-to-video works', async () => {
    const red = await solidImage(dir, 'red', 'red2.png');
    const result = await generateVideo({
      model: video('grok-imagine-video-1.5'),
      prompt: { image: red, text: 'Slow zoom' },
      duration: 1,
      providerOptions: FAST,
      download,
    });
    assert.ok(result.video.uint8Array.length > 1000);
  });

  it('reference-to-video: referenceImageUrls → reference_images', async () => {
    const result = await generateVideo({
      model: video('grok-imagine-video'),
      prompt: 'The two characters meet in a park',
      duration: 2,
      providerOptions: { xai: { ...FAST.xai, resolution: '480p', mode: 'reference-to-video', referenceImageUrls: ['https://example.com/a.png', 'https://example.com/b.png'] } },
      download,
    });
    const p = await probe(await save(result.video.uint8Array, 'r2v.mp4'));
    assert.ok(Math.abs(p.duration - 2) < 0.2);
  });

  it('edit-video: POST /videos/edits with video.url; the output keeps the source length at 720p', async () => {
    const result = await generateVideo({
      model: video('grok-imagine-video'),
      prompt: 'Give the man a red scarf',
      providerOptions: { xai: { ...FAST.xai, mode: 'edit-video', videoUrl: 'https://example.com/in.mp4' } },
      download,
    });
    const p = await probe(await save(result.video.uint8Array, 'edit.mp4'));
    // The placeholder source is a 3 s 640x360 clip.
    assert.ok(Math.abs(p.duration - 3) < 0.2, `duration ${p.duration}`);
    assert.deepEqual([p.video?.width, p.video?.height], [1280, 720]);
  });

  it('extend-video: POST /videos/extensions adds `duration` seconds', async () => {
    const result = await generateVideo({
      model: video('grok-imagine-video'),
      prompt: 'Continue the shot',
      duration: 2,
      providerOptions: { xai: { ...FAST.xai, mode: 'extend-video', videoUrl: 'https://example.com/in.mp4' } },
      download,
    });
    const p = await probe(await save(result.video.uint8Array, 'extend.mp4'));
    assert.ok(Math.abs(p.duration - 5) < 0.2, `duration ${p.duration}`);
  });

  it('a moderated job (done, respect_moderation false) is reported as a moderation error', async () => {
    await assert.rejects(generateVideo({ model: video('grok-imagine-video'), prompt: 'something [sim:policy]', duration: 1, providerOptions: FAST, maxRetries: 0, download }), (err: Error) =>
      /content policy/i.test(err.message),
    );
  });

  it('expired and failed jobs are reported as such', async () => {
    await assert.rejects(generateVideo({ model: video('grok-imagine-video'), prompt: 'late [sim:expire]', duration: 1, providerOptions: FAST, maxRetries: 0, download }), (err: Error) => /expired/i.test(err.message));
    await assert.rejects(generateVideo({ model: video('grok-imagine-video'), prompt: 'broken [sim:fail]', duration: 1, providerOptions: FAST, maxRetries: 0, download }), (err: Error) => /failed/i.test(err.message));
  });

  it('error bodies parse with the SDK error schema ({code, error})', async () => {
    await assert.rejects(
      generateVideo({ model: video('grok-imagine-video'), prompt: 'x', duration: 16, providerOptions: FAST, maxRetries: 0, download }),
      (err: Error & { statusCode?: number }) => err.statusCode === 400 && /^Client specified an invalid argument: duration must be an integer between 1 and 15/.test(err.message),
    );
    await assert.rejects(
      generateVideo({ model: video('grok-imagine-video', createXai({ apiKey: 'xai-wrong-key-000', baseURL: sim.baseUrl })), prompt: 'x', providerOptions: FAST, maxRetries: 0, download }),
      (err: Error & { statusCode?: number }) => err.statusCode === 400 && /Incorrect API key provided: xa\*\*\*00/.test(err.message),
    );
    await assert.rejects(
      generateVideo({ model: video('grok-imagine-nope'), prompt: 'x', providerOptions: FAST, maxRetries: 0, download }),
      (err: Error & { statusCode?: number }) => err.statusCode === 404 && /does not exist/.test(err.message),
    );
    await assert.rejects(
      generateVideo({ model: video('grok-imagine-video'), prompt: 'busy [sim:429]', providerOptions: FAST, maxRetries: 0, download }),
      (err: Error & { statusCode?: number; responseHeaders?: Record<string, string> }) =>
        err.statusCode === 429 && /^Some resource has been exhausted: /.test(err.message) && Number(err.responseHeaders?.['retry-after']) >= 1,
    );
  });

  it('no download carried an Authorization header', () => {
    assert.ok(seenDownloads.length >= 6);
    assert.equal(sim.stats.downloadsWithAuthorization, 0);
  });
});
