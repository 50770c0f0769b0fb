import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { ProbeError, probeVideo } from '../../src/media/probe.js';
import { renderVideo } from '../../src/sandbox/render.js';

const run = promisify(execFile);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidgate-probe-'));
  const common = ['-hide_banner', '-loglevel', 'error', '-y'];
  await renderVideo({ outPath: join(dir, 'with-audio.mp4'), durationSeconds: 1, width: 320, height: 240, audio: true });
  await run(ffmpeg.path, [...common, '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=10:duration=2', '-c:v', 'mpeg4', join(dir, 'silent.mp4')]);
  await run(ffmpeg.path, [...common, '-f', 'lavfi', '-i', 'sine=duration=1', join(dir, 'audio.wav')]);
  await writeFile(join(dir, 'garbage.mp4'), 'this is not a video');
});
after(() => rm(dir, { recursive: true, force: true }));

describe('probeVideo', () => {
  it('reads duration, size, codec and audio of an MP4', async () => {
    const p = await probeVideo(join(dir, 'with-audio.mp4'));
    assert.ok(Math.abs(p.durationSeconds - 1) < 0.15, `duration ${p.durationSeconds}`);
    assert.equal(p.width, 320);
    assert.equal(p.height, 240);
    assert.equal(p.hasAudio, true);
    assert.equal(p.videoCodec, 'h264');
    assert.ok(p.sizeBytes > 1000);
  });

  it('reports a silent video as having no audio', async () => {
    const p = await probeVideo(join(dir, 'silent.mp4'));
    assert.deepEqual([p.width, p.height, p.hasAudio, p.videoCodec], [160, 90, false, 'mpeg4']);
    assert.ok(Math.abs(p.durationSeconds - 2) < 0.2);
  });

  it('rejects files without a video stream, unreadable files and missing files', async () => {
    await assert.rejects(probeVideo(join(dir, 'audio.wav')), (e: Error) => e instanceof ProbeError && /no video stream/.test(e.message));
    await assert.rejects(probeVideo(join(dir, 'garbage.mp4')), ProbeError);
    await assert.rejects(probeVideo(join(dir, 'nope.mp4')));
  });
});
