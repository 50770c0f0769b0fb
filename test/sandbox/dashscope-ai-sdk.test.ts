// @ai-sdk/alibaba (driven by ai's experimental_generateVideo) must drive the DashScope simulator end
// to end: every answer it cannot parse is a simulator bug, since our adapter follows the same protocol.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAlibaba } from '@ai-sdk/alibaba';
import { experimental_generateVideo as generateVideo } from 'ai';
import { startDashScopeSimulator, type DashScopeSimulator } from '../../src/sandbox/dashscope/index.js';
import { loopbackDownload, saveTo, type VideoModelArg } from '../helpers/ai-sdk.js';
import { colorAt, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const KEY = 'sk-dashscope-sdk-test-0123456789';
let sim: DashScopeSimulator;
let dir: string;
let cleanup: () => Promise<void>;
let alibaba: ReturnType<typeof createAlibaba>;
const FAST = { alibaba: { pollIntervalMs: 40, pollTimeoutMs: 30_000 } };
/** The SDK's own @ai-sdk/provider copy differs in version from ai's; the runtime contract is the same. */
const model = (id: string) => alibaba.video(id) as unknown as VideoModelArg;

/** The SDK's default downloader refuses loopback hosts (SSRF guard), so tests fetch directly. */
const download = loopbackDownload();
const save = (data: Uint8Array, name: string) => saveTo(dir, data, name);

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-dashscope-sdk-'));
  sim = await startDashScopeSimulator({ apiKey: KEY, speed: 400, workDir: join(dir, 'work') });
  alibaba = createAlibaba({ apiKey: KEY, videoBaseURL: sim.baseUrl });
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('@ai-sdk/alibaba against the DashScope simulator', () => {
  it('wan2.6 text-to-video with a size: the SDK parses create + task answers, usage included', async () => {
    const result = await generateVideo({ model: model('wan2.6-t2v'), prompt: 'A lighthouse at dusk', duration: 2, resolution: '1280x720', providerOptions: FAST, download });
    const meta = result.providerMetadata.alibaba as Record<string, any>;
    assert.match(String(meta.taskId), /^[0-9a-f-]{36}$/);
    assert.ok(String(meta.videoUrl).startsWith(sim.baseUrl));
    assert.equal(meta.usage.resolution, 720, 'usage.SR parsed');
    const p = await probe(await save(result.video.uint8Array, 't2v.mp4'));
    assert.ok(Math.abs(p.duration - 2) < 0.2, `duration ${p.duration}`);
    assert.deepEqual([p.video?.width, p.video?.height], [1280, 720]);
    assert.equal(p.audio?.codec, 'aac', 'wan2.6 has sound by default');
  });

  it('wan2.6 image-to-video: the image becomes img_url (raw base64 from the SDK), resolution tier, audio off', async () => {
    const red = await solidImage(dir, 'red', 'red.png', '640x360');
    const result = await generateVideo({
      model: model('wan2.6-i2v-flash'),
      prompt: { image: red, text: 'The red card flutters' },
      duration: 2,
      resolution: '1280x720',
      generateAudio: false,
      providerOptions: FAST,
      download,
    });
    const path = await save(result.video.uint8Array, 'i2v.mp4');
    const p = await probe(path);
    assert.deepEqual([p.video?.width, p.video?.height], [1280, 720]);
    assert.equal(p.audio, undefined, 'audio=false gives a silent video');
    assert.ok(isReddish(await colorAt(path, 0.05)));
  });

  it('wan2.6 reference-to-video: reference_urls (image + video) are accepted', async () => {
    const result = await generateVideo({
      model: model('wan2.6-r2v'),
      prompt: 'character1 dances with character2',
      duration: 2,
      resolution: '720x1280',
      providerOptions: { alibaba: { ...FAST.alibaba, referenceUrls: ['https://example.com/hero.png', 'https://example.com/dance.mp4'] } },
      download,
    });
    const p = await probe(await save(result.video.uint8Array, 'r2v.mp4'));
    assert.deepEqual([p.video?.width, p.video?.height], [720, 1280]);
  });

  it('a FAILED task and a rejected create are parsed as errors (not crashes)', async () => {
    await assert.rejects(generateVideo({ model: model('wan2.6-t2v'), prompt: 'this fails [sim:fail]', duration: 2, resolution: '1280x720', providerOptions: FAST, download }), (err: Error) => /failed/i.test(err.message));
    await assert.rejects(generateVideo({ model: model('wan2.6-t2v'), prompt: 'wrong size', duration: 2, resolution: '1000x1000', providerOptions: FAST, download }), (err: Error) => /size/i.test(err.message));
    await assert.rejects(generateVideo({ model: model('wan2.6-t2v'), prompt: 'too long', duration: 16, resolution: '1280x720', providerOptions: FAST, download }), (err: Error) => /duration/i.test(err.message));
  });
});
