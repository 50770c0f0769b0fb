import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { probeVideo } from '../../src/media/probe.js';
import { removeAudioTrack } from '../../src/media/strip-audio.js';
import { renderVideo } from '../../src/sandbox/render.js';

const run = promisify(execFile);
let dir: string;
let source: string;

/** MD5 of the video stream's packets: equal only when the stream was copied, not re-encoded. */
async function videoPacketsMd5(file: string): Promise<string> {
  const { stdout } = await run(ffmpeg.path, ['-v', 'error', '-i', file, '-map', '0:v', '-c', 'copy', '-f', 'md5', '-']);
  return stdout.trim();
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vidgate-strip-'));
  source = join(dir, 'with-audio.mp4');
  await renderVideo({ outPath: source, durationSeconds: 2, width: 320, height: 240, audio: true });
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('removing the audio track (output_audio: false where the upstream always renders sound)', () => {
  it('removes every audio stream and copies the video stream unchanged (no re-encode)', async () => {
    const out = join(dir, 'silent.mp4');
    const before = await probeVideo(source);
    assert.equal(before.hasAudio, true);
    await removeAudioTrack(source, out);
    const after = await probeVideo(out);
    assert.equal(after.hasAudio, false);
    assert.deepEqual([after.width, after.height, after.videoCodec], [before.width, before.height, before.videoCodec]);
    assert.ok(Math.abs(after.durationSeconds - before.durationSeconds) < 0.1, `${after.durationSeconds} vs ${before.durationSeconds}`);
    assert.equal(await videoPacketsMd5(out), await videoPacketsMd5(source), 'the video packets are byte-identical');
  });

  it('a file that is not a video fails loudly and writes no output', async () => {
    const bad = join(dir, 'not-a-video.mp4');
    await writeFile(bad, 'not a video at all');
    await assert.rejects(removeAudioTrack(bad, join(dir, 'bad-out.mp4')));
    assert.equal(await readFile(bad, 'utf8'), 'not a video at all');
    assert.ok(!(await readdir(dir)).includes('bad-out.mp4'));
  });
});
