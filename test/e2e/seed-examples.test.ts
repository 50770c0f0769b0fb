import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google/index.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

/** The request bodies of TokenLab's video guide (seeds/) and the OpenAPI examples, verbatim. */
const VEO_EXAMPLES = [
  { model: 'veo3.1', prompt: 'A cinematic shot of a golden retriever running through a field of sunflowers', duration: 5, aspect_ratio: '16:9' },
  {
    model: 'veo3.1',
    prompt: 'Keep the same subject identity and palette while adding subtle motion',
    operation: 'reference-to-video',
    reference_images: ['https://example.com/ref-a.jpg'],
    duration: 8,
    aspect_ratio: '9:16',
    resolution: '720p',
  },
  {
    model: 'veo3.1',
    prompt: 'Keep the same subject identity and palette while adding subtle motion.',
    operation: 'reference-to-video',
    reference_images: ['https://example.com/ref-a.jpg', 'https://example.com/ref-b.jpg'],
    duration: 8,
    resolution: '720p',
    aspect_ratio: '9:16',
  },
];

const OTHER_EXAMPLES: [Record<string, unknown>, string][] = [
  [{ model: 'sora-2', prompt: 'A calm cinematic shot of a cat walking through a sunlit garden.', operation: 'text-to-video', duration: 4, aspect_ratio: '16:9' }, 'openai'],
  [
    {
      model: 'hailuo-2.3-standard',
      prompt: 'The scene begins from the provided image and adds gentle natural motion.',
      operation: 'image-to-video',
      image_url: 'https://example.com/portrait.jpg',
      duration: 6,
      aspect_ratio: '16:9',
    },
    'minimax',
  ],
  [{ model: 'hailuo-2.3-standard', prompt: 'Make this image come alive with gentle movement', operation: 'image-to-video', image_url: 'https://example.com/image.jpg', duration: 6 }, 'minimax'],
  [
    {
      model: 'kling-3.0-video',
      prompt: 'Place @hero_bag on a studio turntable with soft product lighting.',
      operation: 'image-to-video',
      image_url: 'https://example.com/studio-start.png',
      duration: 5,
      resolution: '720p',
      kling_elements: [{ name: 'hero_bag', description: 'black leather handbag', element_input_urls: ['https://example.com/bag-front.png', 'https://example.com/bag-side.png'] }],
    },
    'kling',
  ],
  [
    {
      model: 'viduq2-pro',
      prompt: 'Smooth transition from day to night.',
      operation: 'start-end-to-video',
      start_image: 'https://example.com/city-day.jpg',
      end_image: 'https://example.com/city-night.jpg',
      duration: 5,
      resolution: '720p',
      aspect_ratio: '16:9',
    },
    'vidu',
  ],
  [{ model: 'topaz-video-upscale', operation: 'video-to-video', video_url: 'https://example.com/source.mp4', prompt: 'Upscale this clip while preserving the original motion.' }, 'topaz'],
  [
    {
      model: 'kling-3.0-motion-control',
      operation: 'motion-control',
      prompt: 'Keep the subject stable while following the motion reference.',
      image_url: 'https://example.com/subject.png',
      video_url: 'https://example.com/motion.mp4',
      resolution: '720p',
    },
    'kling',
  ],
];

describe('the seed examples aimed at Veo, in the sandbox', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  it('every Veo example completes in the sandbox with a video matching the request', async () => {
    const ids = [];
    for (const body of VEO_EXAMPLES) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      assert.equal(res.status, 200, await res.clone().text());
      ids.push(((await res.json()) as { id: string }).id);
    }
    for (const [i, id] of ids.entries()) {
      const done = await waitForTask(gw, id, { timeoutMs: 90_000 });
      assert.equal(done.status, 'completed', JSON.stringify(done));
      assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
      const want = VEO_EXAMPLES[i];
      const portrait = want.aspect_ratio === '9:16';
      assert.equal(done.video.width, portrait ? 720 : 1280);
      assert.equal(done.video.height, portrait ? 1280 : 720);
      // The Gemini API takes 4/6/8 s: a 5 s request is produced as 6 s (documented in the catalog).
      const expected = want.duration === 5 ? 6 : want.duration;
      assert.ok(Math.abs(done.video.duration - expected) < 0.2, `duration ${done.video.duration} for ${want.duration}`);
    }
  });
});

describe('a gateway with real credentials for Google only (sandbox off, base URL overridden)', () => {
  let gw: TestGateway;
  let sim: GoogleSimulator;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-google-only-'));
    const apiKey = `AIza${'k'.repeat(35)}`;
    sim = await startGoogleSimulator({ apiKey, workDir: dir, speed: 20, port: 0 });
    gw = await startTestGateway({ VIDGATE_SANDBOX: '0', GEMINI_API_KEY: apiKey, GOOGLE_BASE_URL: sim.baseUrl });
  });
  after(async () => {
    await gw.close();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves Veo through the configured base URL', async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'real-credential path', duration: 4 } });
    assert.equal(res.status, 200);
    const done = await waitForTask(gw, ((await res.json()) as { id: string }).id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(sim.stats.creates, 1);
  });

  it('answers every other seed example with 503 all_channels_failed naming the provider, and still lists the model', async () => {
    for (const [body, provider] of OTHER_EXAMPLES) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      assert.equal(res.status, 503, `${body.model}: ${await res.clone().text()}`);
      const json = (await res.json()) as Record<string, any>;
      assert.deepEqual(validateAgainst('ApiError', json), []);
      assert.equal(json.error.type, 'all_channels_failed');
      assert.equal(json.error.retryable, false);
      assert.ok(json.error.message.includes(`'${provider}'`), json.error.message);
      assert.equal((await gw.api(`/v1/models/${body.model}`, { key: null })).status, 200);
    }
  });
});
