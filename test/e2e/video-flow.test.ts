import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ffprobeFile } from '../helpers/ffprobe.js';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

describe('create → poll → download through the public API (Veo in the sandbox)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(async () => gw.close());

  it('turns a veo3.1 text-to-video request into a playable MP4 matching the request', async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1', prompt: 'A golden retriever in sunflowers', duration: 8, aspect_ratio: '9:16', resolution: '1080p' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-request-id') ?? '', /.+/);
    const created = (await res.json()) as Record<string, any>;
    assert.deepEqual(validateAgainst('VideoGenerationResponse', created), []);
    assert.match(created.id, /^ldtask_[0-9a-f]{32}$/);
    assert.equal(created.task_id, created.id);
    assert.equal(created.poll_url, `/v1/tasks/${created.id}`);
    assert.equal(created.status, 'pending');
    assert.equal(created.model, 'veo3.1');
    assert.equal(typeof created.created, 'number');
    assert.equal(res.headers.get('x-task-id'), created.id);

    const done = await waitForTask(gw, created.id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual(validateAgainst('VideoTaskResponse', done), []);
    assert.equal(done.progress, 100);
    assert.ok(done.updated >= done.created);
    assert.equal(done.video.url, done.video_url);
    assert.equal(done.video.width, 1080);
    assert.equal(done.video.height, 1920);
    assert.ok(Math.abs(done.video.duration - 8) < 0.2, `duration ${done.video.duration}`);
    assert.ok(done.video_url.startsWith(gw.url), 'video_url is an absolute gateway URL');

    // The signed URL needs no key and serves a real MP4; ffprobe (independent of our code) agrees.
    const video = await fetch(done.video_url);
    assert.equal(video.status, 200);
    assert.equal(video.headers.get('content-type'), 'video/mp4');
    assert.equal(video.headers.get('accept-ranges'), 'bytes');
    const bytes = Buffer.from(await video.arrayBuffer());
    const file = path.join(gw.dataDir, 'download.mp4');
    fs.writeFileSync(file, bytes);
    const probe = await ffprobeFile(file);
    assert.equal(probe.codec, 'h264');
    assert.equal(probe.width, 1080);
    assert.equal(probe.height, 1920);
    assert.ok(Math.abs(probe.duration - 8) < 0.2);
    assert.equal(probe.hasAudio, true, 'Veo 3 family has audio when output_audio is omitted');

    // HTTP Range: a player asks for a slice.
    const part = await fetch(done.video_url, { headers: { range: 'bytes=10-109' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 10-109/${bytes.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 110));
    const bad = await fetch(done.video_url, { headers: { range: `bytes=${bytes.length + 10}-` } });
    assert.equal(bad.status, 416);

    // The legacy route answers the same body.
    const legacy = await gw.api(`/v1/videos/generations/${created.id}`);
    assert.equal(legacy.status, 200);
    assert.equal(legacy.headers.get('x-task-id'), created.id);
    const legacyBody = (await legacy.json()) as Record<string, any>;
    assert.deepEqual({ ...legacyBody, video_url: undefined, video: undefined }, { ...done, video_url: undefined, video: undefined });
  });

  it('refuses a tampered or expired file link', async () => {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'short clip', duration: 4 } });
    const created = (await res.json()) as Record<string, any>;
    const done = await waitForTask(gw, created.id);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const url = new URL(done.video_url);
    // Change the first character to a different one (a fixed 'x' would be no change 1 time in 64).
    const sig = url.searchParams.get('signature') ?? '';
    url.searchParams.set('signature', (sig[0] === 'x' ? 'y' : 'x') + sig.slice(1));
    const tampered = await fetch(url);
    assert.equal(tampered.status, 403);
    assert.equal(((await tampered.json()) as any).error.code, 'invalid_signature');
    url.searchParams.set('expires', '1000');
    assert.equal((await fetch(url)).status, 403);
  });

  it('image-to-video and start-end infer their operation and complete; Sora refuses output_audio=false', async () => {
    const png = await redPng();
    const image = `data:image/png;base64,${png.toString('base64')}`;
    const i2v = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'animate it', image, duration: 4 } });
    assert.equal(i2v.status, 200, await i2v.clone().text());
    const se = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1', prompt: 'morph', start_image: image, end_image: image, duration: 8 } });
    assert.equal(se.status, 200, await se.clone().text());
    // Sora always renders audio and nothing in the gateway removes it there: asking for silence is a 400, not a silent lie.
    // (Veo's track is removed by the gateway instead: test/e2e/model-lifecycle.test.ts.)
    const silent = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'sora-2', prompt: 'quiet', output_audio: false } });
    assert.equal(silent.status, 400);
    assert.equal(((await silent.json()) as any).error.param, 'output_audio');
    const expected = ['image-to-video', 'start-end-to-video'];
    for (const [i, res] of [i2v, se].entries()) {
      const body = (await res.json()) as Record<string, any>;
      const done = await waitForTask(gw, body.id);
      assert.equal(done.status, 'completed', JSON.stringify(done));
      assert.equal(done.operation, expected[i], 'operation inferred from the inputs');
    }
  });
});

/** A 64x64 solid red PNG, made by ffmpeg. */
async function redPng(): Promise<Buffer> {
  const { execFileSync } = await import('node:child_process');
  const ffmpeg = (await import('@ffmpeg-installer/ffmpeg')).default;
  return execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:size=64x64', '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'], { maxBuffer: 1 << 20 });
}
