/**
 * Temporary files under VIDGATE_DATA_DIR/tmp and crashes: a process killed (SIGKILL) while making a
 * thumbnail leaves a real copy of the video behind. A gateway started on that data directory keeps it
 * while a live writer could still own it (another process or thread on the same directory) and
 * removes it once nobody has written to it for longer than that — at start, and while it runs —
 * without touching a live writer's file, other files, or the stored videos. And the same for a real
 * gateway killed while downloading a finished video.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { TempFileSweeper, tempDirs } from '../src/temp-files.js';
import { loadConfig } from '../src/config.js';
import { generateSecret } from '../src/keys/keys.js';
import { startGateway } from '../src/server.js';
import { startTestGateway } from './helpers/gateway.js';
import { age, crashMidWrite, ENDLESS_SOURCE, ours, startWriter } from './helpers/killed-writer.js';
import { startGatewayProcess, startSimProcess } from './helpers/processes.js';
import { until } from './helpers/until.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-tmpfiles-'));
const quiet = pino({ level: 'silent' });

/** A node process making a thumbnail of an endless video into `dir` with the gateway's own code. */
const thumbnailScript = (dir: string) => `
  import { Readable } from 'node:stream';
  import { videoThumbnail } from ${ours('src/media/thumbnail.ts')};
  await videoThumbnail(${ENDLESS_SOURCE}, ${JSON.stringify(dir)});
`;
const thumbnailWriter = (dir: string) => startWriter(thumbnailScript(dir), dir);
/** What a crash mid-thumbnail leaves: the writer SIGKILLed with its copy half written. */
const crashMidThumbnail = (dir: string) => crashMidWrite(thumbnailScript(dir), dir);

describe('temporary files a crash left behind', () => {
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('a gateway start removes abandoned ones in every temp folder and keeps young ones, a live writer’s and stored videos', async () => {
    const dataDir = path.join(work, 'start');
    const dirs = tempDirs(dataDir);
    const leftover = await crashMidThumbnail(dirs.thumbnails);
    const young = await crashMidThumbnail(dirs.thumbnails);
    // The finisher's download and a probe copy, as a crash leaves them (named as their writers name them).
    fs.mkdirSync(dirs.outputs, { recursive: true });
    const download = path.join(dirs.outputs, 'ldtask_0123456789abcdef0123456789abcdef.1.mp4');
    const probe = path.join(dirs.probes, 'probe-0123456789abcdef.bin');
    fs.writeFileSync(download, 'half a video');
    fs.writeFileSync(probe, 'an input video');
    // A stored video, much older than the hour: never the sweeper's business.
    const stored = path.join(dataDir, 'blobs', 'videos', 'ldtask_kept.mp4');
    fs.mkdirSync(path.dirname(stored), { recursive: true });
    fs.writeFileSync(stored, 'a stored video');
    for (const f of [leftover, download, probe, stored]) age(f, 61 * 60_000);
    // Another process on this data directory, making a thumbnail right now.
    const live = await thumbnailWriter(dirs.thumbnails);
    try {
      const gw = await startTestGateway({ VIDGATE_DATA_DIR: dataDir });
      try {
        for (const f of [leftover, download, probe]) assert.equal(fs.existsSync(f), false, `${path.relative(dataDir, f)} is abandoned: removed at start`);
        assert.ok(fs.existsSync(young), 'a copy written to a moment ago may belong to a live process on this data directory: kept');
        assert.ok(fs.existsSync(live.file), 'a live writer’s copy is kept');
        assert.equal(fs.readFileSync(stored, 'utf8'), 'a stored video');
        assert.equal(gw.logs.filter((l) => l.includes('removed temporary files a crash left behind') && l.includes('"removed":3')).length, 1, gw.logs.join(''));
        assert.equal(live.child.exitCode, null, 'the live writer is still writing');
      } finally {
        await gw.close();
      }
    } finally {
      await live.kill();
    }
  });

  it('while it runs, a leftover goes once abandoned, and a live writer’s file never does', async () => {
    const dataDir = path.join(work, 'running');
    const dirs = tempDirs(dataDir);
    const abandonedAfterMs = 1500;
    const leftover = await crashMidThumbnail(dirs.thumbnails);
    const live = await thumbnailWriter(dirs.thumbnails);
    const sweeper = new TempFileSweeper({ dataDir, log: quiet, abandonedAfterMs, everyMs: 200 });
    try {
      assert.equal(await sweeper.start(), 0, 'nothing is old enough at start');
      assert.ok(fs.existsSync(leftover));
      // No restart: the timer finds the leftover once nobody has written to it for abandonedAfterMs.
      const deadline = Date.now() + 10_000;
      while (fs.existsSync(leftover)) {
        assert.ok(Date.now() < deadline, 'the leftover was never removed');
        await sleep(100);
      }
      // The live writer has kept its file fresh all along (a writer appends without pause), over many passes.
      await sleep(abandonedAfterMs + 500);
      assert.ok(fs.existsSync(live.file), 'a file still being written is left alone');
      assert.equal(live.child.exitCode, null);
    } finally {
      await sweeper.stop();
      await live.kill();
    }
    // Killed now: its file is a leftover like the first, and goes the same way.
    assert.equal(await new TempFileSweeper({ dataDir, log: quiet, abandonedAfterMs }).sweep(), 0, 'young after the kill: kept');
    age(live.file, abandonedAfterMs + 1000);
    assert.equal(await new TempFileSweeper({ dataDir, log: quiet, abandonedAfterMs }).sweep(), 1);
    assert.deepEqual(fs.readdirSync(dirs.thumbnails), []);
  });

  it('a gateway killed mid-download leaves its copy of the output; a later start removes it once abandoned', { timeout: 120_000 }, async () => {
    const sim = await startSimProcess({ speed: 40, dataDir: path.join(work, 'sim') });
    // In front of the simulator: everything passes, but a video's bytes stop after the first chunk (a slow upstream, mid-download).
    const stalled = new Set<http.ServerResponse>();
    const target = new URL(sim.env.GOOGLE_BASE_URL);
    const proxy = http.createServer((req, res) => {
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!String(up.headers['content-type']).startsWith('video/')) return void up.pipe(res);
        stalled.add(res);
        up.once('data', (chunk: Buffer) => {
          res.write(chunk);
          up.pause();
        });
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const dataDir = path.join(work, 'killed');
    const adminKey = generateSecret();
    try {
      const env = { VIDGATE_DATA_DIR: dataDir, VIDGATE_ADMIN_KEY: adminKey, VIDGATE_ENGINE_TICK_MS: '100', GEMINI_API_KEY: sim.env.GEMINI_API_KEY };
      const gw = await startGatewayProcess({ ...env, GOOGLE_BASE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, VIDGATE_CATALOG_OVERRIDES: JSON.stringify({ 'veo3.1-fast': { typical_seconds: 2 } }) });
      let leftover: string;
      try {
        const res = await fetch(`${gw.url}/v1/videos/generations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'veo3.1-fast', duration: 4, prompt: 'a crash mid-download' }),
        });
        assert.equal(res.status, 200, await res.clone().text());
        const { id } = (await res.json()) as { id: string };
        const outputs = tempDirs(dataDir).outputs;
        const copy = () => (fs.existsSync(outputs) ? fs.readdirSync(outputs).find((n) => n.startsWith(`${id}.`)) : undefined);
        await until('the finisher is downloading the output', () => copy() !== undefined && fs.statSync(path.join(outputs, copy()!)).size > 0, 60_000);
        leftover = path.join(outputs, copy()!);
      } finally {
        await gw.kill9();
      }
      assert.ok(fs.statSync(leftover).size > 0, 'the killed gateway left its half-downloaded copy');
      // Restarted at once (an API node here: every role sweeps): the copy is young, and could be a live sibling's on this data directory.
      const restart = async () => (await startGateway(loadConfig({ PORT: '0', HOST: '127.0.0.1', VIDGATE_SANDBOX: '1', VIDGATE_ROLE: 'api', ...env }), quiet)).close();
      await restart();
      assert.ok(fs.existsSync(leftover), 'young at the restart: kept');
      age(leftover, 61 * 60_000);
      await restart();
      assert.equal(fs.existsSync(leftover), false, 'abandoned: removed by the next start');
      assert.deepEqual(fs.readdirSync(tempDirs(dataDir).outputs), []);
    } finally {
      for (const r of stalled) r.destroy();
      await new Promise((r) => proxy.close(r));
      await sim.stop();
    }
  });
});
