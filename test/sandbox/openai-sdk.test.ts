// The official `openai` SDK must be able to drive the Sora simulator end to end: every answer it
// cannot parse is a simulator bug, since the gateway's adapter follows the same wire protocol.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI, { AuthenticationError, BadRequestError, NotFoundError, RateLimitError, toFile } from 'openai';
import type { Video } from 'openai/resources/videos';
import { startOpenAISimulator, type OpenAISimulator } from '../../src/sandbox/openai/index.js';
import { colorAt, isFaststart, isReddish, probe, solidImage, tempDir } from './media-helpers.js';

const KEY = 'sk-proj-sdkTestKey0123456789';

let sim: OpenAISimulator;
let client: OpenAI;
let dir: string;
let cleanup: () => Promise<void>;

/** Polls with client.videos.retrieve, recording every status/progress the SDK parsed. */
async function waitForVideo(created: Video): Promise<{ video: Video; seen: Array<[string, number]> }> {
  const seen: Array<[string, number]> = [[created.status, created.progress]];
  const deadline = Date.now() + 30_000;
  let video = created;
  while (video.status === 'queued' || video.status === 'in_progress') {
    if (Date.now() > deadline) throw new Error(`video ${video.id} did not finish`);
    await new Promise((r) => setTimeout(r, 25));
    video = await client.videos.retrieve(video.id);
    seen.push([video.status, video.progress]);
  }
  return { video, seen };
}

async function download(id: string, name: string): Promise<string> {
  const res = await client.videos.downloadContent(id);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'video/mp4');
  const path = join(dir, name);
  await writeFile(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

before(async () => {
  ({ dir, cleanup } = await tempDir('vidgate-openai-sdk-'));
  sim = await startOpenAISimulator({ apiKey: KEY, speed: 40, workDir: join(dir, 'work') });
  client = new OpenAI({ apiKey: KEY, baseURL: sim.baseUrl, maxRetries: 0 });
});
after(async () => {
  await sim.close();
  await cleanup();
});

describe('openai SDK against the Sora simulator', () => {
  it('text-to-video: create → retrieve (queued → in_progress → completed) → downloadContent is a valid MP4', async () => {
    const created = await client.videos.create({ model: 'sora-2', prompt: 'A calm cat in a sunlit garden', seconds: '4', size: '1280x720' });
    assert.match(created.id, /^video_[0-9a-f]+$/);
    assert.equal(created.object, 'video');
    assert.equal(created.status, 'queued');
    assert.equal(created.seconds, '4');
    assert.equal(created.size, '1280x720');
    assert.equal(created.model, 'sora-2');
    assert.equal(created.completed_at, null);

    const { video, seen } = await waitForVideo(created);
    assert.equal(video.status, 'completed', JSON.stringify(video));
    assert.equal(video.progress, 100);
    assert.ok(video.completed_at! >= video.created_at);
    assert.ok(video.expires_at! > video.completed_at!);
    assert.equal(video.error, null);
    // Statuses only move forward and progress never goes back.
    const order = ['queued', 'in_progress', 'completed'];
    for (let i = 1; i < seen.length; i++) {
      assert.ok(order.indexOf(seen[i][0]) >= order.indexOf(seen[i - 1][0]), JSON.stringify(seen));
      assert.ok(seen[i][1] >= seen[i - 1][1] || seen[i][0] === 'completed', JSON.stringify(seen));
    }
    assert.ok(
      seen.some(([s]) => s === 'in_progress'),
      `never saw in_progress: ${JSON.stringify(seen)}`,
    );

    const path = await download(video.id, 't2v.mp4');
    assert.ok(isFaststart(await readFile(path)));
    const p = await probe(path);
    assert.ok(Math.abs(p.duration - 4) < 0.1, `duration ${p.duration}`);
    assert.deepEqual(p.video, { codec: 'h264', width: 1280, height: 720, pixFmt: 'yuv420p' });
    assert.equal(p.audio?.codec, 'aac', 'Sora always generates audio');
  });

  it('image-to-video with input_reference uploaded via toFile (multipart) starts on that image', async () => {
    const red = await solidImage(dir, 'red', 'red.png', '720x1280');
    const created = await client.videos.create({
      model: 'sora-2-pro',
      prompt: 'The red card flips over',
      seconds: '4',
      size: '720x1280',
      input_reference: await toFile(red, 'first.png', { type: 'image/png' }),
    });
    const { video } = await waitForVideo(created);
    assert.equal(video.status, 'completed');
    assert.equal(video.model, 'sora-2-pro');
    const path = await download(video.id, 'i2v.mp4');
    const p = await probe(path);
    assert.deepEqual([p.video?.width, p.video?.height], [720, 1280]);
    assert.ok(isReddish(await colorAt(path, 0)));
  });

  it('input_reference as {image_url: data URL} (sent by the SDK as input_reference[image_url]) is accepted', async () => {
    const red = await solidImage(dir, 'red', 'red-land.jpg', '1280x720');
    const created = await client.videos.create({
      prompt: 'A red wall',
      size: '1280x720',
      input_reference: { image_url: `data:image/jpeg;base64,${red.toString('base64')}` },
    });
    assert.equal(created.model, 'sora-2', 'model defaults to sora-2');
    assert.equal(created.seconds, '4', 'seconds defaults to 4');
    const { video } = await waitForVideo(created);
    assert.equal(video.status, 'completed');
  });

  it('a size the model does not render surfaces as BadRequestError with param size', async () => {
    const before = sim.stats.creates;
    await assert.rejects(client.videos.create({ model: 'sora-2', prompt: 'x', size: '1792x1024' }), (err: unknown) => {
      assert.ok(err instanceof BadRequestError, String(err));
      assert.equal(err.status, 400);
      assert.equal(err.param, 'size');
      assert.equal(err.code, 'invalid_value');
      assert.equal(err.type, 'invalid_request_error');
      assert.match(err.message, /'720x1280' and '1280x720'/);
      assert.match(err.requestID ?? '', /^req_/);
      return true;
    });
    await assert.rejects(client.videos.create({ model: 'sora-2', prompt: 'x', seconds: '5' as '4' }), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.equal(err.param, 'seconds');
      return true;
    });
    assert.equal(sim.stats.creates, before);
  });

  it('a reference image of another size is refused with param input_reference', async () => {
    const small = await solidImage(dir, 'blue', 'small.png', '640x360');
    await assert.rejects(client.videos.create({ prompt: 'x', size: '1280x720', input_reference: await toFile(small, 'small.png', { type: 'image/png' }) }), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.equal(err.param, 'input_reference');
      assert.match(err.message, /must match the requested width and height/);
      return true;
    });
  });

  it('auth, rate-limit and not-found errors map to the SDK error classes', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong-key-0000000000', baseURL: sim.baseUrl, maxRetries: 0 });
    await assert.rejects(wrong.videos.retrieve('video_abc'), (err: unknown) => {
      assert.ok(err instanceof AuthenticationError);
      assert.equal(err.code, 'invalid_api_key');
      assert.ok(!err.message.includes('sk-wrong-key-0000000000'), 'the wrong key is echoed only masked');
      return true;
    });
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 7 });
    await assert.rejects(client.videos.create({ prompt: 'busy', seconds: '4', size: '1280x720' }), (err: unknown) => {
      assert.ok(err instanceof RateLimitError);
      assert.equal(err.headers?.get('retry-after'), '7');
      assert.equal(err.code, 'rate_limit_exceeded');
      return true;
    });
    await assert.rejects(client.videos.retrieve('video_missing'), NotFoundError);
  });

  it('content before completion is a 404; list, thumbnail and delete parse', async () => {
    const created = await client.videos.create({ prompt: 'slow one [sim:hang]', size: '1280x720' });
    await assert.rejects(client.videos.downloadContent(created.id), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /not ready/);
      return true;
    });
    const page = await client.videos.list({ limit: 2, order: 'desc' });
    assert.equal(page.data[0].id, created.id);
    assert.equal(page.data.length, 2);

    const done = (await client.videos.list({ order: 'desc', limit: 100 })).data.find((v) => v.status === 'completed');
    assert.ok(done);
    const thumb = Buffer.from(await (await client.videos.downloadContent(done.id, { variant: 'thumbnail' })).arrayBuffer());
    assert.equal(thumb.toString('latin1', 8, 12), 'WEBP');

    const deleted = await client.videos.delete(created.id);
    assert.deepEqual(deleted, { id: created.id, object: 'video.deleted', deleted: true });
    await assert.rejects(client.videos.retrieve(created.id), NotFoundError);
  });

  it('a failed job reports status failed with error {code, message}', async () => {
    const { video } = await waitForVideo(await client.videos.create({ prompt: 'blocked [sim:policy]', size: '1280x720' }));
    assert.equal(video.status, 'failed');
    assert.equal(video.error?.code, 'moderation_blocked');
    assert.ok(video.error?.message);
  });
});
