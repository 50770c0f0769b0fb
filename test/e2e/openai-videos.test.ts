import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import OpenAI, { BadRequestError, NotFoundError, toFile } from 'openai';
import { ffmpegPath } from '../../src/sandbox/render.js';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { solidImage, tempDir } from '../sandbox/media-helpers.js';

type Video = OpenAI.Videos.Video;

const run = promisify(execFile);

/** A short real MP4 (a video input_reference). */
async function solidVideo(): Promise<Buffer> {
  const file = path.join(os.tmpdir(), `vidgate-openai-${process.pid}-clip.mp4`);
  await run(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=blue:s=320x240:d=1', '-pix_fmt', 'yuv420p', file]);
  const bytes = await fs.promises.readFile(file);
  await fs.promises.rm(file, { force: true });
  return bytes;
}

/** Retrieves with the SDK until the video is completed or failed. */
async function untilDone(client: OpenAI, id: string, timeoutMs = 90_000): Promise<Video> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await client.videos.retrieve(id);
    if (v.status === 'completed' || v.status === 'failed') return v;
    assert.ok(Date.now() < deadline, `video ${id} still ${v.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('OpenAI-compatible Videos API, driven by the official openai SDK', { timeout: 300_000 }, () => {
  let gw: TestGateway;
  let client: OpenAI;
  let work: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    gw = await startTestGateway();
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.adminKey, maxRetries: 0 });
    work = await tempDir('vidgate-openai-');
  });
  after(async () => {
    await gw.close();
    await work.cleanup();
  });

  it('create (multipart), retrieve until completed, download content with Range, thumbnail; the same task through the TokenLab API', async () => {
    const created = await client.videos.create({ model: 'sora-2', prompt: 'A red kite over green dunes', seconds: '4', size: '1280x720' });
    assert.equal(created.object, 'video');
    assert.equal(created.status, 'queued');
    assert.equal(created.model, 'sora-2');
    assert.equal(created.seconds, '4');
    assert.equal(created.size, '1280x720');
    assert.equal(created.progress, 0);
    assert.equal(created.prompt, 'A red kite over green dunes');
    assert.equal(created.error, null);
    assert.equal(created.completed_at, null);

    const done = await untilDone(client, created.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(done.progress, 100);
    assert.equal(done.size, '1280x720');
    assert.ok(done.completed_at! >= done.created_at);
    assert.ok(done.expires_at! > done.completed_at!);

    const content = await client.videos.downloadContent(created.id);
    assert.equal(content.headers.get('content-type'), 'video/mp4');
    const bytes = Buffer.from(await content.arrayBuffer());
    const file = path.join(work.dir, 'sora.mp4');
    fs.writeFileSync(file, bytes);
    const probe = await ffprobeFile(file);
    assert.deepEqual([probe.width, probe.height], [1280, 720]);
    assert.ok(Math.abs(probe.duration - 4) < 0.2);

    const part = await client.videos.downloadContent(created.id, {}, { headers: { Range: 'bytes=0-99' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(0, 100));

    const thumb = await client.videos.downloadContent(created.id, { variant: 'thumbnail' });
    assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
    const jpeg = Buffer.from(await thumb.arrayBuffer());
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    await assert.rejects(client.videos.downloadContent(created.id, { variant: 'spritesheet' }), (e: unknown) => e instanceof BadRequestError && e.param === 'variant');

    const task = (await (await gw.api(`/v1/tasks/${created.id}`)).json()) as { status: string; model: string; video: { width: number } };
    assert.equal(task.status, 'completed');
    assert.equal(task.model, 'sora-2');
    assert.equal(task.video.width, 1280);
  });

  it('any catalog model: seconds and size map onto duration, aspect ratio and resolution', async () => {
    const veo = await client.videos.create({ model: 'veo3.1-fast', prompt: 'A paper boat', seconds: '4', size: '720x1280' });
    const kling = await client.videos.create({ model: 'kling-v2.6-pro', prompt: 'A lantern', seconds: '5' as '4', size: '1920x1080' as '1280x720' });
    const tokenlab = (await (await gw.api(`/v1/tasks/${kling.id}`)).json()) as { model: string; operation: string };
    assert.equal(tokenlab.model, 'kling-v2.6-pro');
    assert.equal(kling.size, '1920x1080');
    const v = await untilDone(client, veo.id);
    assert.equal(v.status, 'completed', JSON.stringify(v.error));
    assert.equal(v.size, '720x1280');
    assert.equal(v.seconds, '4');
    const k = await untilDone(client, kling.id);
    assert.equal(k.status, 'completed', JSON.stringify(k.error));
    assert.equal(k.size, '1920x1080');
  });

  it('seconds of a video whose model chose its length (Seedance seconds "-1") is the length produced once completed', async () => {
    const auto = await client.videos.create({ model: 'seedance-2.0', prompt: 'A lantern', seconds: '-1' as '4', size: '1280x720' });
    const done = await untilDone(client, auto.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const task = (await (await gw.api(`/v1/tasks/${auto.id}`)).json()) as { video: { duration: number } };
    assert.equal(done.seconds, String(Math.round(task.video.duration)));
    assert.ok(Number(done.seconds) > 0, done.seconds);
  });

  it('input_reference upload: an image file becomes the first frame (image-to-video)', async () => {
    const png = await solidImage(work.dir, 'blue', 'frame.png', '1280x720');
    const created = await client.videos.create({ model: 'veo3.1-fast', prompt: 'The blue slowly brightens', seconds: '4', size: '1280x720', input_reference: await toFile(png, 'frame.png', { type: 'image/png' }) });
    const done = await untilDone(client, created.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const task = (await (await gw.api(`/v1/tasks/${created.id}`)).json()) as { operation: string };
    assert.equal(task.operation, 'image-to-video');

    // JSON works too, with input_reference as {image_url}.
    const res = await gw.api('/v1/videos', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', seconds: 4, input_reference: { image_url: `data:image/png;base64,${png.toString('base64')}` } } });
    assert.equal(res.status, 200, await res.clone().text());
    const json = (await res.json()) as Video;
    assert.equal(json.object, 'video');
    assert.equal(((await (await gw.api(`/v1/tasks/${json.id}`)).json()) as { operation: string }).operation, 'image-to-video');
    // …and only there, as the README says: a top-level image_url is the TokenLab create's name.
    const top = await gw.api('/v1/videos', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'x', seconds: 4, image_url: 'https://example.com/a.png' } });
    assert.equal(top.status, 400);
    const err = ((await top.json()) as { error: { code: string; param: string } }).error;
    assert.deepEqual([err.code, err.param], ['unknown_parameter', 'image_url']);
  });

  it("input_reference as OpenAI's guide sends it from Node (fs.createReadStream: no part type, application/octet-stream): the bytes say what it is", async () => {
    const png = await solidImage(work.dir, 'green', 'stream-frame.png', '1280x720');
    const file = path.join(work.dir, 'reference.png');
    await fs.promises.writeFile(file, png);
    const created = await client.videos.create({ model: 'veo3.1-fast', prompt: 'The green slowly darkens', seconds: '4', size: '1280x720', input_reference: fs.createReadStream(file) });
    const task = (await (await gw.api(`/v1/tasks/${created.id}`)).json()) as { operation: string };
    assert.equal(task.operation, 'image-to-video');
    // Bytes that are no image or video are still refused, naming input_reference.
    const err = await client.videos.create({ model: 'veo3.1-fast', prompt: 'x', input_reference: await toFile(Buffer.from('not a picture'), 'notes.txt') }).catch((e: unknown) => e);
    assert.ok(err instanceof BadRequestError, String(err));
    assert.equal(err.param, 'input_reference');
  });

  it("without size, a Sora video is OpenAI's default 720x1280 (portrait); other models keep their own default shape; the TokenLab route keeps 16:9", async () => {
    const sora = await client.videos.create({ model: 'sora-2', prompt: 'A lighthouse at dusk' });
    assert.equal(sora.size, '720x1280');
    assert.equal(sora.seconds, '4', "OpenAI's default length");
    const pro = await client.videos.create({ model: 'sora-2-pro', prompt: 'A lighthouse at dawn' });
    assert.equal(pro.size, '720x1280');
    const veo = await client.videos.create({ model: 'veo3.1-fast', prompt: 'A lighthouse at noon', seconds: '4' });
    assert.equal(veo.size, '1280x720', "Veo's own default shape (16:9 at 720p)");
    const tokenlab = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'sora-2', prompt: 'A lighthouse at night', duration: 4 } })).json()) as { id: string };
    assert.equal((await client.videos.retrieve(tokenlab.id)).size, '1280x720');
    const done = await untilDone(client, sora.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const file = path.join(work.dir, 'portrait.mp4');
    fs.writeFileSync(file, Buffer.from(await (await client.videos.downloadContent(sora.id)).arrayBuffer()));
    const probe = await ffprobeFile(file);
    assert.deepEqual([probe.width, probe.height], [720, 1280]);
  });

  it("the create answers with the TokenLab create's headers: Idempotent-Replayed on a replay, X-Task-ID, and a deprecated model's Deprecation, Sunset and Link", async () => {
    const body = { model: 'sora-2', prompt: 'A kite, sent twice', seconds: '4', size: '1280x720' } as const;
    const headers = { 'Idempotency-Key': `openai-headers-${process.pid}` };
    const first = await client.videos.create(body, { headers }).withResponse();
    const again = await client.videos.create(body, { headers }).withResponse();
    assert.equal(again.data.id, first.data.id);
    assert.equal(first.response.headers.get('idempotent-replayed'), null);
    assert.equal(again.response.headers.get('idempotent-replayed'), 'true');
    assert.equal(first.response.headers.get('x-task-id'), first.data.id);
    // sora-2 is shut down on 2026-09-24: the same lifecycle headers as POST /v1/videos/generations sends for it.
    const tokenlab = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'sora-2', prompt: 'A kite', duration: 4 } });
    for (const name of ['deprecation', 'sunset', 'link']) {
      assert.ok(tokenlab.headers.get(name), name);
      assert.equal(first.response.headers.get(name), tokenlab.headers.get(name), name);
    }
    const active = await client.videos.create({ model: 'veo3.1-fast', prompt: 'A kite', seconds: '4' }).withResponse();
    assert.equal(active.response.headers.get('deprecation'), null, 'an active model carries none');
  });

  it("content of a failed video: 404 saying it failed and will never have content, with the video's error", async () => {
    const created = await client.videos.create({ model: 'sora-2', prompt: 'this one fails [sim:fail]', seconds: '4', size: '1280x720' });
    const failed = await untilDone(client, created.id);
    assert.equal(failed.status, 'failed');
    const err = await client.videos.downloadContent(created.id).catch((e: unknown) => e);
    assert.ok(err instanceof NotFoundError, String(err));
    assert.equal(err.code, 'video_failed');
    assert.match(err.message, /failed and will never have content/);
    assert.ok(err.message.includes(failed.error!.message), err.message);
    assert.doesNotMatch(err.message, /once it is completed/);
  });

  it('a list cursor that is no video of yours is quoted in full', async () => {
    const cursor = 'ldtask_00000000000000000000000000000000';
    const err = await client.videos.list({ after: cursor }).catch((e: unknown) => e);
    assert.ok(err instanceof BadRequestError, String(err));
    assert.equal(err.param, 'after');
    assert.ok(err.message.includes(`"${cursor}"`), err.message);
    // Genuinely long input is still clipped.
    const long = await client.videos.list({ after: `ldtask_${'a'.repeat(5000)}` }).catch((e: unknown) => e);
    assert.ok(long instanceof BadRequestError && long.message.length < 300, String(long));
  });

  it('error messages name the OpenAI fields the client sent (seconds, size, input_reference), never our internal ones', async () => {
    const cases: [OpenAI.Videos.VideoCreateParams, string, RegExp][] = [
      [{ model: 'veo3.1-fast', prompt: 'x', seconds: '7' as '4' }, 'seconds', /^400 seconds 7 is not supported/],
      [{ model: 'veo3.1-fast', prompt: 'x', seconds: '4', size: '1920x1080' as '1280x720' }, 'seconds', /Set seconds to 8, or use a 720p size/],
      [
        { model: 'veo3.1-fast', prompt: 'x', input_reference: await toFile(await solidVideo(), 'clip.mp4', { type: 'video/mp4' }) },
        'input_reference',
        /from a video input_reference\. As input_reference it takes: none \(text-to-video\), an image/,
      ],
      [{ model: 'sora-2-pro-storyboard', prompt: 'x' }, 'input_reference', /without an input_reference\. As input_reference it takes: an image \(image-to-video\)/],
    ];
    for (const [params, param, message] of cases) {
      const err = await client.videos.create(params).catch((e: unknown) => e);
      assert.ok(err instanceof BadRequestError, `${params.model} → ${String(err)}`);
      assert.equal(err.param, param, err.message);
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\b(duration|aspect_ratio|resolution|image_url|video_url|operation)\b/, err.message);
    }
  });

  it('typed errors: BadRequestError naming seconds, size, model; NotFoundError', async () => {
    const cases: [OpenAI.Videos.VideoCreateParams, string, RegExp][] = [
      [{ model: 'veo3.1-fast', prompt: 'x', seconds: '7' as '4' }, 'seconds', /4, 5, 6, 8/],
      [{ model: 'veo3.1-fast', prompt: 'x', size: '1000x1000' as '1280x720' }, 'size', /1280x720/],
      [{ model: 'veo3.1-fast', prompt: 'x', size: 'huge' as '1280x720' }, 'size', /WIDTHxHEIGHT/],
      [{ model: 'sora-2', prompt: 'x', size: '1920x1080' as '1280x720' }, 'size', /size/],
      [{ model: 'veo-9000', prompt: 'x' }, 'model', /not found/],
      [{ model: 'sora-2', prompt: '' }, 'prompt', /prompt/],
    ];
    for (const [params, param, message] of cases) {
      const err = await client.videos.create(params).catch((e: unknown) => e);
      assert.ok(err instanceof BadRequestError, `${JSON.stringify(params)} → ${String(err)}`);
      assert.equal(err.param, param, `${JSON.stringify(params)}: ${err.message}`);
      assert.match(err.message, message);
    }
    const missing = await client.videos.retrieve('ldtask_00000000000000000000000000000000').catch((e: unknown) => e);
    assert.ok(missing instanceof NotFoundError);
    assert.ok(await client.videos.retrieve('not-an-id').catch((e: unknown) => e instanceof NotFoundError));
  });

  it('multipart: a field sent twice is a 400 naming it (none of the fields is a list), not the last one winning', async () => {
    const form = (parts: [string, string | Blob][]) => {
      const f = new FormData();
      for (const [name, value] of parts) f.append(name, value);
      return f;
    };
    const png = new Blob([new Uint8Array(await solidImage(work.dir, 'green', 'twice.png', '1280x720'))], { type: 'image/png' });
    const cases: [string, [string, string | Blob][], string, RegExp][] = [
      [
        'model twice',
        [
          ['model', 'sora-2'],
          ['model', 'veo3.1-fast'],
          ['prompt', 'x'],
        ],
        'model',
        /'model' is sent more than once/,
      ],
      [
        'seconds twice, same value',
        [
          ['model', 'sora-2'],
          ['prompt', 'x'],
          ['seconds', '4'],
          ['seconds', '4'],
        ],
        'seconds',
        /send each field once/,
      ],
      [
        'input_reference[image_url] twice',
        [
          ['model', 'veo3.1-fast'],
          ['prompt', 'x'],
          ['input_reference[image_url]', 'https://example.com/a.png'],
          ['input_reference[image_url]', 'https://example.com/b.png'],
        ],
        'input_reference[image_url]',
        /more than once/,
      ],
      [
        'input_reference as a file and as {image_url}',
        [
          ['model', 'veo3.1-fast'],
          ['prompt', 'x'],
          ['input_reference', png],
          ['input_reference[image_url]', 'https://example.com/a.png'],
        ],
        'input_reference',
        /both as 'input_reference' and as 'input_reference\[image_url\]'/,
      ],
    ];
    for (const [what, parts, param, message] of cases) {
      const res = await gw.api('/v1/videos', { method: 'POST', body: form(parts) });
      const body = (await res.json()) as { error: { type: string; code: string; param: string; message: string } };
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(body)}`);
      assert.deepEqual([body.error.type, body.error.code, body.error.param], ['invalid_request_error', 'duplicate_parameter', param], what);
      assert.match(body.error.message, message, what);
    }
    // The nested part first, then the whole one: the same clash.
    const reversed = await gw.api('/v1/videos', {
      method: 'POST',
      body: form([
        ['model', 'veo3.1-fast'],
        ['prompt', 'x'],
        ['input_reference[image_url]', 'https://example.com/a.png'],
        ['input_reference', png],
      ]),
    });
    const reversedBody = (await reversed.json()) as { error: { code: string; param: string; message: string } };
    assert.deepEqual([reversed.status, reversedBody.error.code, reversedBody.error.param], [400, 'duplicate_parameter', 'input_reference']);
    assert.match(reversedBody.error.message, /both as 'input_reference\[image_url\]' and as 'input_reference'/);
    // Tens of thousands of distinct tiny parts: refused at once, without holding the event loop.
    const many = new FormData();
    for (let i = 0; i < 20_000; i++) many.append(`f${i}`, 'x');
    // Serialised before the clock starts: the client's own encoding of 20,000 parts is not the server's time.
    const encoded = new Response(many);
    const manyBody = Buffer.from(await encoded.arrayBuffer());
    const manyType = encoded.headers.get('content-type')!;
    const started = Date.now();
    const [flood, health] = await Promise.all([gw.api('/v1/videos', { method: 'POST', body: manyBody, headers: { 'content-type': manyType } }), new Promise((r) => setTimeout(r, 50)).then(() => gw.api('/healthz'))]);
    const took = Date.now() - started;
    const floodBody = (await flood.json()) as { error: { code: string; message: string } };
    assert.deepEqual([flood.status, floodBody.error.code], [400, 'invalid_multipart'], JSON.stringify(floodBody));
    assert.match(floodBody.error.message, /more than 32 parts/);
    assert.equal(health.status, 200);
    assert.ok(took < 3_000, `a 20,000-part form took ${took} ms to refuse`);
    const once = await gw.api('/v1/videos', {
      method: 'POST',
      body: form([
        ['model', 'sora-2'],
        ['prompt', 'x'],
        ['seconds', '4'],
      ]),
    });
    assert.equal(once.status, 200, await once.clone().text());
  });

  it('JSON: a key sent twice is a 400 naming it, as in a form, not the last one winning', async () => {
    const cases: [string, string, string][] = [
      ['model twice', '{"model":"veo3.1-fast","model":"sora-2","prompt":"x","seconds":"4"}', 'model'],
      ['seconds twice, same value', '{"model":"sora-2","prompt":"x","seconds":"4","seconds":"4"}', 'seconds'],
      ['inside input_reference', '{"model":"sora-2","prompt":"x","input_reference":{"image_url":"https://example.com/a.png","image_url":"https://example.com/b.png"}}', 'input_reference.image_url'],
    ];
    for (const [what, body, param] of cases) {
      const res = await gw.api('/v1/videos', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const answer = (await res.json()) as { error: { type: string; code: string; param: string; message: string } };
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(answer)}`);
      assert.deepEqual([answer.error.type, answer.error.code, answer.error.param], ['invalid_request_error', 'duplicate_parameter', param], what);
      assert.ok(answer.error.message.includes(`'${param}' is sent more than once`), `${what}: ${answer.error.message}`);
    }
    const once = await gw.api('/v1/videos', { method: 'POST', json: { model: 'sora-2', prompt: 'x', seconds: '4' } });
    assert.equal(once.status, 200, await once.clone().text());
  });

  it("list: cursor pages (after, limit, order) of the key's own videos; delete", async () => {
    const other = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'other' } })).json()) as { key: string };
    const theirs = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: other.key, maxRetries: 0 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await theirs.videos.create({ model: 'veo3.1-fast', prompt: `theirs ${i}`, seconds: '4' })).id);

    const all: string[] = [];
    for await (const v of theirs.videos.list({ limit: 2 })) all.push(v.id);
    assert.deepEqual(all, [...ids].reverse(), 'newest first, every page');
    const page = await theirs.videos.list({ limit: 2 });
    assert.equal(page.data.length, 2);
    assert.equal(page.has_more, true);
    const asc = await theirs.videos.list({ order: 'asc', limit: 10 });
    assert.deepEqual(
      asc.data.map((v) => v.id),
      ids,
    );
    const afterFirst = await theirs.videos.list({ order: 'asc', after: ids[0] });
    assert.deepEqual(
      afterFirst.data.map((v) => v.id),
      ids.slice(1),
    );

    // Isolation: the admin key's list never shows them, nor can it read them.
    const mine: string[] = [];
    for await (const v of client.videos.list({ limit: 100 })) mine.push(v.id);
    assert.ok(mine.length > 0 && ids.every((id) => !mine.includes(id)));
    assert.ok(await client.videos.retrieve(ids[0]).catch((e: unknown) => e instanceof NotFoundError));
    assert.ok(await client.videos.delete(ids[0]).catch((e: unknown) => e instanceof NotFoundError));

    // Delete a completed video: as on OpenAI, it is gone from this API (retrieve, list, content: 404);
    // the task record stays for billing, as the TokenLab API shows it.
    const done = await untilDone(theirs, ids[2]);
    assert.equal(done.status, 'completed');
    const link = ((await (await gw.api(`/v1/tasks/${ids[2]}`, { key: other.key })).json()) as { video_url: string }).video_url;
    const deleted = await theirs.videos.delete(ids[2]);
    assert.deepEqual(deleted, { id: ids[2], object: 'video.deleted', deleted: true });
    const retrieved = await theirs.videos.retrieve(ids[2]).catch((e: unknown) => e);
    assert.ok(retrieved instanceof NotFoundError, `retrieve after delete → ${JSON.stringify(retrieved)}`);
    assert.equal(retrieved.code, 'video_deleted');
    assert.ok(await theirs.videos.downloadContent(ids[2]).catch((e: unknown) => e instanceof NotFoundError));
    const listed: string[] = [];
    for await (const v of theirs.videos.list({ limit: 100 })) listed.push(v.id);
    assert.deepEqual(listed, [ids[1], ids[0]], 'a deleted video is not listed');
    assert.deepEqual(await theirs.videos.delete(ids[2]), deleted, 'deleting twice is fine (a retried DELETE)');
    const task = (await (await gw.api(`/v1/tasks/${ids[2]}`, { key: other.key })).json()) as { status: string; video_expired?: boolean };
    assert.equal(task.status, 'completed');
    assert.equal(task.video_expired, true);
    assert.equal((await gw.api(`/v1/tasks?after=${ids[2]}`, { key: other.key })).status, 200, 'the TokenLab list still pages past it');
    // A failed video can be deleted too, and is gone the same way.
    const failed = await untilDone(theirs, (await theirs.videos.create({ model: 'sora-2', prompt: 'fails [sim:fail]', seconds: '4' })).id);
    assert.equal(failed.status, 'failed');
    assert.deepEqual(await theirs.videos.delete(failed.id), { id: failed.id, object: 'video.deleted', deleted: true });
    assert.ok(await theirs.videos.retrieve(failed.id).catch((e: unknown) => e instanceof NotFoundError));
    // The old signed link says why it is gone without claiming the retention period ended.
    const gone = await fetch(link);
    assert.equal(gone.status, 410);
    const why = ((await gone.json()) as { error: { code: string; message: string } }).error;
    assert.equal(why.code, 'file_expired');
    assert.match(why.message, /owner deleted it/);
  });
});
