/**
 * Thumbnails (the OpenAI Videos API's variant=thumbnail) with real ffmpeg on real MP4s: a burst of
 * requests starts at most `concurrency` ffmpeg processes, requests for one video share one run, and
 * a video's still is made once (then served from memory until it is forgotten).
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Thumbnails, ThumbnailsBusyError } from '../../src/media/thumbnail.js';
import { renderVideo } from '../../src/sandbox/render.js';

let dir: string;
const videos: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidgate-thumbs-'));
  for (const [i, label] of ['red', 'green', 'blue'].entries()) {
    const outPath = join(dir, `v${i}.mp4`);
    await renderVideo({ outPath, durationSeconds: 1, width: 320, height: 240, audio: false, label });
    videos.push(outPath);
  }
});
after(() => rm(dir, { recursive: true, force: true }));

it('a burst of twelve requests for three videos runs ffmpeg three times, never more than two at once', async () => {
  const thumbs = new Thumbnails({ tmpDir: join(dir, 'tmp'), concurrency: 2 });
  let opened = 0;
  const open = (file: string) => async () => {
    opened++;
    return createReadStream(file);
  };
  const asks = videos.flatMap((file) => Array.from({ length: 4 }, () => thumbs.get(file, open(file))));
  const stills = await Promise.all(asks);
  for (const jpeg of stills) assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
  assert.equal(thumbs.made, 3, 'one ffmpeg run per video');
  assert.equal(opened, 3, 'each video read once');
  assert.ok(thumbs.peak <= 2, `at most two at once (saw ${thumbs.peak})`);
  assert.deepEqual(stills[0], stills[3], 'the same video, the same still');
  assert.notDeepEqual(stills[0], stills[4], 'another video, another still');

  // Asked again: from memory.
  assert.deepEqual(await thumbs.get(videos[1], open(videos[1])), stills[4]);
  assert.equal(thumbs.made, 3);
  // Forgotten (its file was deleted): made again when asked.
  thumbs.forget(videos[1]);
  await thumbs.get(videos[1], open(videos[1]));
  assert.equal(thumbs.made, 4);
});

it('keeps only the most recently used stills', async () => {
  const thumbs = new Thumbnails({ tmpDir: join(dir, 'tmp'), concurrency: 1, cacheEntries: 2 });
  const get = (i: number) => thumbs.get(videos[i], async () => createReadStream(videos[i]));
  await get(0);
  await get(1);
  await get(0); // 0 is now the most recent
  await get(2); // evicts 1
  assert.equal(thumbs.made, 3);
  await get(0);
  assert.equal(thumbs.made, 3, '0 was kept');
  await get(1);
  assert.equal(thumbs.made, 4, '1 was evicted');
});

it('a failed read is not remembered: the next request tries again', async () => {
  const thumbs = new Thumbnails({ tmpDir: join(dir, 'tmp'), concurrency: 1 });
  await assert.rejects(
    thumbs.get('gone', async () => {
      throw new Error('no such blob');
    }),
    /no such blob/,
  );
  const jpeg = await thumbs.get('gone', async () => createReadStream(videos[0]));
  assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
});

it('refuses a new still when too many are waiting for ffmpeg (the caller retries), and still serves the ones under way', async () => {
  const thumbs = new Thumbnails({ tmpDir: join(dir, 'tmp'), concurrency: 1, maxQueued: 1 });
  const get = (i: number) => thumbs.get(videos[i], async () => createReadStream(videos[i]));
  const first = get(0); // running
  const second = get(1); // waiting
  await assert.rejects(get(2), ThumbnailsBusyError);
  const again = get(1); // the same video as a waiting one: shares its run, not refused
  const [a, b, c] = await Promise.all([first, second, again]);
  assert.deepEqual(b, c);
  assert.notDeepEqual(a, b);
  assert.equal(thumbs.made, 2);
});
