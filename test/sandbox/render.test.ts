import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLimiter } from '../../src/media/limiter.js';
import { dimensionsFor, renderVideo } from '../../src/sandbox/render.js';
import { colorAt, isBluish, isFaststart, isGreenish, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

describe('dimensionsFor', () => {
  it('maps resolution x aspect ratio to even pixel sizes', () => {
    const cases: Array<[string, string, number, number]> = [
      ['16:9', '720p', 1280, 720],
      ['9:16', '720p', 720, 1280],
      ['1:1', '720p', 720, 720],
      ['4:3', '720p', 960, 720],
      ['3:4', '720p', 720, 960],
      ['21:9', '720p', 1680, 720],
      ['16:9', '480p', 854, 480],
      ['9:16', '480p', 480, 854],
      ['16:9', '1080p', 1920, 1080],
      ['9:16', '1080p', 1080, 1920],
      ['16:9', '4k', 3840, 2160],
      ['9:16', '4K', 2160, 3840],
      ['21:9', '1080p', 2520, 1080],
    ];
    for (const [ratio, res, width, height] of cases) {
      assert.deepEqual(dimensionsFor(ratio, res), { width, height }, `${ratio} ${res}`);
    }
  });

  it('rejects unknown resolutions and malformed ratios', () => {
    assert.throws(() => dimensionsFor('16:9', '999p'), RangeError);
    assert.throws(() => dimensionsFor('wide', '720p'), RangeError);
    assert.throws(() => dimensionsFor('0:9', '720p'), RangeError);
  });
});

describe('createLimiter', () => {
  it('never runs more than max tasks at once and runs them all', async () => {
    const limiter = createLimiter(2);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 10));
          running--;
          return i;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5]);
  });

  it('drops a queued task whose signal aborts', async () => {
    const limiter = createLimiter(1);
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    let ran = false;
    const second = limiter.run(async () => {
      ran = true;
    }, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(second, /stop/);
    release();
    await first;
    assert.equal(ran, false);
    assert.equal(limiter.queued, 0);
  });
});

describe('renderVideo', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let red: Buffer;
  let blue: Buffer;
  let green: Buffer;

  before(async () => {
    ({ dir, cleanup } = await tempDir('vidgate-render-'));
    red = await solidImage(dir, 'red', 'red.png');
    blue = await solidImage(dir, 'blue', 'blue.jpg', '640x360');
    green = await solidImage(dir, 'green', 'green.png', '200x200');
  });
  after(() => cleanup());

  it('renders exact duration and size, H.264 yuv420p + AAC, faststart', async () => {
    const outPath = join(dir, 'audio.mp4');
    const started = Date.now();
    await renderVideo({ outPath, durationSeconds: 8, ...dimensionsFor('16:9', '720p'), audio: true, label: 'a' });
    console.log(`render 720p 8s with audio: ${Date.now() - started} ms`);
    const p = await probe(outPath);
    assert.ok(Math.abs(p.duration - 8) < 0.1, `duration ${p.duration}`);
    assert.deepEqual(p.video, { codec: 'h264', width: 1280, height: 720, pixFmt: 'yuv420p' });
    assert.equal(p.audio?.codec, 'aac');
    assert.ok(isFaststart(await readFile(outPath)), 'moov must precede mdat');
  });

  it('has no audio stream at all when audio is false', async () => {
    const outPath = join(dir, 'silent.mp4');
    await renderVideo({ outPath, durationSeconds: 4, ...dimensionsFor('9:16', '480p'), audio: false });
    const p = await probe(outPath);
    assert.ok(Math.abs(p.duration - 4) < 0.1, `duration ${p.duration}`);
    assert.equal(p.video?.width, 480);
    assert.equal(p.video?.height, 854);
    assert.equal(p.audio, undefined);
  });

  it('starts on the first-frame image, ends on the last-frame image, shows references', async () => {
    const outPath = join(dir, 'frames.mp4');
    const started = Date.now();
    await renderVideo({
      outPath,
      durationSeconds: 8,
      ...dimensionsFor('16:9', '1080p'),
      audio: true,
      firstFrame: red,
      lastFrame: blue,
      referenceImages: [green, green],
    });
    console.log(`render 1080p 8s with first/last/reference images: ${Date.now() - started} ms`);
    assert.ok(isReddish(await colorAt(outPath, 0)), 'first frame should be the red image');
    assert.ok(isBluish(await colorAt(outPath, 7.9)), 'last frame should be the blue image');
    const middle = await colorAt(outPath, 4);
    assert.ok(!isReddish(middle) && !isBluish(middle), `middle should be the background, got ${middle}`);
    // Reference thumbnails sit in the bottom-left corner, above the progress bar.
    assert.ok(isGreenish(await colorAt(outPath, 4, [0.02, 0.8, 0.05, 0.08])), 'reference thumbnail should be visible');
    const p = await probe(outPath);
    assert.ok(Math.abs(p.duration - 8) < 0.1);
    assert.deepEqual([p.video?.width, p.video?.height], [1920, 1080]);
  });

  it('transforms a source video to the requested size and duration', async () => {
    const source = join(dir, 'source.mp4');
    await renderVideo({ outPath: source, durationSeconds: 4, width: 320, height: 240, audio: false, firstFrame: red });
    const outPath = join(dir, 'v2v.mp4');
    await renderVideo({ outPath, durationSeconds: 6, ...dimensionsFor('1:1', '480p'), audio: true, sourceVideo: source });
    const p = await probe(outPath);
    assert.ok(Math.abs(p.duration - 6) < 0.1, `duration ${p.duration}`);
    assert.deepEqual([p.video?.width, p.video?.height], [480, 480]);
    assert.equal(p.audio?.codec, 'aac');
    // The source started red, so the transformed video does too.
    assert.ok(isReddish(await colorAt(outPath, 0)));
  });

  it('rejects odd sizes and non-image bytes without leaving files behind', async () => {
    await assert.rejects(renderVideo({ outPath: join(dir, 'odd.mp4'), durationSeconds: 4, width: 641, height: 480, audio: false }), RangeError);
    await assert.rejects(renderVideo({ outPath: join(dir, 'bad.mp4'), durationSeconds: 4, width: 640, height: 480, audio: false, firstFrame: Buffer.from('nope') }), /not a PNG/);
    const leftovers = (await readdir(dir)).filter((f) => f.startsWith('.render-') || f === 'bad.mp4');
    assert.deepEqual(leftovers, []);
  });

  it('kills ffmpeg when aborted', async () => {
    const ac = new AbortController();
    const outPath = join(dir, 'aborted.mp4');
    const render = renderVideo({ outPath, durationSeconds: 8, ...dimensionsFor('16:9', '1080p'), audio: true, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(render);
    await assert.rejects(readFile(outPath), { code: 'ENOENT' });
  });
});
