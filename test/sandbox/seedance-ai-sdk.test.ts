// The Vercel AI SDK's ByteDance provider (@ai-sdk/bytedance, driven by ai's experimental_generateVideo)
// must be able to drive the Seedance simulator end to end: every answer it cannot parse is a
// simulator bug, since the gateway's adapter follows the same wire protocol.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createByteDance } from '@ai-sdk/bytedance';
import { experimental_generateVideo as generateVideo } from 'ai';
import { startSeedanceSimulator, type SeedanceSimulator } from '../../src/sandbox/seedance/index.js';
import { loopbackDownload, saveTo, type VideoModelArg } from '../helpers/ai-sdk.js';
import { colorAt, isBluish, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const KEY = 'ark-sdk-test-key-0123456789abcdefghij';
let sim: SeedanceSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let ark: ReturnType<typeof createByteDance>;
let red: Buffer;
let blue: Buffer;
const video = (id: string): VideoModelArg => ark.video(id) as unknown as VideoModelArg;
const FAST = { pollIntervalMs: 40, pollTimeoutMs: 60_000 };

/** The SDK's default downloader refuses loopback hosts (SSRF guard), so tests fetch directly. */
const download = loopbackDownload();
const save = (data: Uint8Array, name: string) => saveTo(dir, data, name);

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-seedance-sdk-'));
  sim = await startSeedanceSimulator({ apiKey: KEY, speed: 60, workDir: join(dir, 'work') });
  ark = createByteDance({ apiKey: KEY, baseURL: sim.baseUrl });
  red = await solidImage(dir, 'red', 'red.png', '640x360');
  blue = await solidImage(dir, 'blue', 'blue.png', '640x360');
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('@ai-sdk/bytedance against the Seedance simulator', () => {
  it('text-to-video on 1.5 Pro: create + status answers parse and the video matches', async () => {
    const result = await generateVideo({
      model: video('seedance-1-5-pro-251215'),
      prompt: 'A lighthouse at dusk, waves crashing',
      duration: 4,
      aspectRatio: '9:16',
      resolution: '480x864',
      generateAudio: true,
      seed: 11,
      providerOptions: { bytedance: { ...FAST, watermark: false } },
      download,
    });
    const meta = result.providerMetadata.bytedance as { taskId: string; usage: { completion_tokens: number } };
    assert.match(meta.taskId, /^cgt-/);
    assert.ok(meta.usage.completion_tokens > 0);
    const p = await probe(await save(result.video.uint8Array, 't2v.mp4'));
    assert.deepEqual([p.video?.width, p.video?.height, Boolean(p.audio)], [480, 854, true]);
    assert.ok(Math.abs(p.duration - 4) < 0.2);
  });

  it('image-to-video: the SDK sends one role-less image as a data URI; the video opens on it', async () => {
    const result = await generateVideo({
      model: video('seedance-1-5-pro-251215'),
      prompt: { image: red, text: 'The red wall starts to glow' },
      duration: 4,
      resolution: '864x480',
      generateAudio: false,
      providerOptions: { bytedance: FAST },
      download,
    });
    const file = await save(result.video.uint8Array, 'i2v.mp4');
    const p = await probe(file);
    assert.deepEqual([p.video?.width, p.video?.height, p.audio], [854, 480, undefined]);
    assert.ok(isReddish(await colorAt(file, 0.1)));
  });

  it('start-end on 2.0 with frameImages: first and last frames are visible', async () => {
    const result = await generateVideo({
      model: video('dreamina-seedance-2-0-260128'),
      prompt: 'Red turns to blue',
      frameImages: [
        { image: red, frameType: 'first_frame' },
        { image: blue, frameType: 'last_frame' },
      ],
      duration: 4,
      resolution: '864x480',
      generateAudio: false,
      providerOptions: { bytedance: FAST },
      download,
    });
    const file = await save(result.video.uint8Array, 'start-end.mp4');
    assert.ok(isReddish(await colorAt(file, 0.1)));
    assert.ok(isBluish(await colorAt(file, 3.9)));
  });

  it('reference-to-video on 2.0 Fast with reference images, videos and audio', async () => {
    const result = await generateVideo({
      model: video('dreamina-seedance-2-0-fast-260128'),
      prompt: 'Image 1 walks through the alley from Video 1; Audio 1 plays throughout',
      duration: 4,
      resolution: '864x480',
      aspectRatio: '16:9',
      providerOptions: {
        bytedance: {
          ...FAST,
          referenceImages: ['https://example.com/hero.png'],
          referenceVideos: ['https://example.com/alley.mp4'],
          referenceAudio: ['https://example.com/theme.mp3'],
        },
      },
      download,
    });
    const p = await probe(await save(result.video.uint8Array, 'r2v.mp4'));
    assert.deepEqual([p.video?.width, p.video?.height, Boolean(p.audio)], [854, 480, true]);
  });

  it('parses a failed task and an Ark error body', async () => {
    await assert.rejects(
      generateVideo({ model: video('dreamina-seedance-2-0-260128'), prompt: 'boom [sim:fail]', duration: 4, providerOptions: { bytedance: FAST }, maxRetries: 0, download }),
      // The SDK re-serialises only the fields of its schema, so the error code is not in its message.
      (e: Error) => /Video generation failed/.test(e.message) && /"status":"failed"/.test(e.message),
    );
    await assert.rejects(
      generateVideo({ model: video('dreamina-seedance-2-0-fast-260128'), prompt: 'too big', resolution: '1920x1080', providerOptions: { bytedance: FAST }, maxRetries: 0, download }),
      (e: Error & { statusCode?: number }) => e.statusCode === 400 && /resolution/.test(e.message),
    );
  });
});
