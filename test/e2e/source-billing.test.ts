/**
 * Issue 13 item 1, end to end: models whose output is as long as their source video are priced by
 * the source before anything is spent upstream. A tiny MP4 that lasts 120 s must not cost $4.80
 * against $0.40 reserved: the submission re-prices the reservation in one transaction, and a budget
 * that cannot cover it fails the task with nothing sent upstream and nothing charged. Sources
 * longer than the model takes are a 400 when the length is known at create (an inline video), a
 * task failure otherwise.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import SQLite from 'better-sqlite3';
import { startTestGateway, waitForTask, type TestGateway } from '../helpers/gateway.js';
import { validateAgainst } from '../helpers/openapi.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-source-'));

/** A real H.264 MP4 of `seconds`, tiny because it is small and still (a 120 s one is about 3 KB). */
function sourceVideo(name: string, seconds: number, size = '16x16'): Buffer {
  const file = path.join(work, name);
  execFileSync(ffmpeg.path, ['-y', '-v', 'error', '-f', 'lavfi', '-i', `color=c=blue:s=${size}:r=2:d=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file]);
  return fs.readFileSync(file);
}

describe('billing by the source video (topaz, grok upscale, kling motion control, video-to-video)', () => {
  let gw: TestGateway;
  let files: http.Server;
  let base = '';
  const videos = new Map<string, Buffer>();
  before(async () => {
    videos.set('/long.mp4', sourceVideo('long.mp4', 120));
    videos.set('/twenty.mp4', sourceVideo('twenty.mp4', 20, '64x36'));
    videos.set('/short.mp4', sourceVideo('short.mp4', 3, '64x36'));
    videos.set('/very-long.mp4', sourceVideo('very-long.mp4', 700));
    assert.ok(videos.get('/long.mp4')!.length < 8_000, 'the 120 s source is a few KB');
    files = http.createServer((req, res) => {
      const body = videos.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    // The sources are served from loopback, which only this setting lets the gateway fetch.
    gw = await startTestGateway({ VIDGATE_ALLOW_PRIVATE_NETWORK: '1' });
  });
  after(async () => {
    await gw?.close();
    files?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function newKey(limits: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const created = (await (await gw.api('/v1/admin/keys', { method: 'POST', json: { name: 'source' } })).json()) as { id: string; key: string };
    const res = await gw.api(`/v1/admin/keys/${created.id}`, { method: 'PATCH', json: limits });
    assert.equal(res.status, 200, await res.clone().text());
    return created;
  }
  const keyState = async (id: string) => ((await (await gw.api('/v1/admin/keys')).json()) as any).data.find((k: any) => k.id === id);
  /** A task's ledger rows, oldest first, read beside the running gateway (WAL). */
  function ledgerOf(taskId: string): string[] {
    const db = new SQLite(path.join(gw.dataDir, 'vidgate.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('select kind, amount_usd from ledger where task_id = ? order by created_ms, rowid').all(taskId) as { kind: string; amount_usd: number }[]).map((r) => `${r.kind} ${r.amount_usd}`);
    } finally {
      db.close();
    }
  }
  async function create(key: string, body: Record<string, unknown>): Promise<string> {
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body, key });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  }
  const topaz = (video: string) => ({ model: 'topaz-video-upscale', operation: 'video-to-video', video_url: `${base}${video}` });
  const creates = (provider: 'topaz' | 'kling') => (gw.sandbox![provider]!.stats as { creates: number }).creates;

  it('the issue’s case: a 120 s source against $0.40 reserved and a $1 balance fails insufficient_balance, sends nothing upstream, charges nothing', async () => {
    const k = await newKey({ balance_usd: 1 });
    const before = creates('topaz');
    const id = await create(k.key, topaz('/long.mp4'));
    assert.equal((await keyState(k.id)).reserved_usd, 0.4, 'create reserves the default 10 s');
    const done = await waitForTask(gw, id, { key: k.key });
    assert.deepEqual([done.status, done.error?.code], ['failed', 'insufficient_balance'], JSON.stringify(done));
    assert.match(done.error.message, /120\.0 s long, so this task costs \$4\.80 \(\$0\.40 is reserved for it\).*Nothing was sent upstream/);
    assert.equal(creates('topaz'), before, 'the upstream was never asked');
    const state = await keyState(k.id);
    assert.deepEqual([state.balance_usd, state.reserved_usd, state.spent_usd], [1, 0, 0]);
  });

  it('a spend limit that cannot cover the source fails quota_exceeded, the same way', async () => {
    const k = await newKey({ spend_limit_usd: 2 });
    const before = creates('topaz');
    const done = await waitForTask(gw, await create(k.key, topaz('/long.mp4')), { key: k.key });
    assert.deepEqual([done.status, done.error?.code], ['failed', 'quota_exceeded']);
    assert.match(done.error.message, /of the key's \$2\.00 spend limit remains/);
    assert.equal(creates('topaz'), before);
    assert.deepEqual([(await keyState(k.id)).reserved_usd, (await keyState(k.id)).spent_usd], [0, 0]);
  });

  it('a budget that covers the source: the reservation is raised before submitting and the charge is the source’s length', async () => {
    const k = await newKey({ balance_usd: 1 });
    const id = await create(k.key, topaz('/twenty.mp4'));
    const done = await waitForTask(gw, id, { key: k.key, timeoutMs: 180_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    // Reserved at create, raised to the source's $0.80 before submitting, settled within it.
    assert.deepEqual(ledgerOf(id).slice(0, 2), ['reserve 0.4', 'reserve 0.4']);
    assert.match(ledgerOf(id)[2], /^settle 0\.[0-9]+$/);
    assert.ok(Math.abs(done.video.duration - 20) < 0.2, `output ${done.video.duration} s`);
    const state = await keyState(k.id);
    // $0.04/s at 1080p × 20 s = $0.80, where the create held $0.40.
    assert.equal(state.reserved_usd, 0);
    assert.ok(state.spent_usd > 0.4 && state.spent_usd <= 0.8 + 1e-9, `spent ${state.spent_usd}`);
    assert.ok(Math.abs(state.balance_usd - (1 - state.spent_usd)) < 1e-9);
    assert.ok(state.balance_usd >= 0, 'never overdrawn');
  });

  it('a short source lowers the reservation: a 3 s clip holds and costs $0.12, not $0.40', async () => {
    const k = await newKey({ balance_usd: 1 });
    const id = await create(k.key, topaz('/short.mp4'));
    const done = await waitForTask(gw, id, { key: k.key, timeoutMs: 120_000 });
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual(ledgerOf(id), ['reserve 0.4', 'release 0.28', 'settle 0.12']);
    const state = await keyState(k.id);
    assert.equal(state.reserved_usd, 0);
    assert.ok(Math.abs(state.spent_usd - 0.12) < 0.005, `spent ${state.spent_usd}`);
  });

  it('a source longer than the model takes: a task failure (source_too_long) when only the fetch tells, nothing sent or charged', async () => {
    const k = await newKey({ balance_usd: 5 });
    const before = creates('kling');
    const done = await waitForTask(gw, await create(k.key, { model: 'kling-video-o1-std', operation: 'video-to-video', prompt: 'make it snow', video_url: `${base}/twenty.mp4` }), { key: k.key });
    assert.deepEqual([done.status, done.error?.code], ['failed', 'source_too_long']);
    assert.match(done.error.message, /20\.0 s long; kling-video-o1-std takes sources of at most 10 s/);
    assert.equal(creates('kling'), before);
    const state = await keyState(k.id);
    assert.deepEqual([state.balance_usd, state.reserved_usd], [5, 0]);
  });

  it('a 400 at create when the length is known up front (an inline video), naming video_url and the maximum', async () => {
    const k = await newKey({ balance_usd: 5 });
    const inline = (name: string) => `data:video/mp4;base64,${videos.get(name)!.toString('base64')}`;
    const cases: [Record<string, unknown>, RegExp, number][] = [
      [{ model: 'kling-video-o1-std', operation: 'video-to-video', prompt: 'make it snow', video_url: inline('/twenty.mp4') }, /20\.0 s long; kling-video-o1-std takes sources of at most 10 s/, 10],
      [{ model: 'kling-3.0-motion-control', prompt: 'dance', image_url: 'https://example.com/dancer.png', video_url: inline('/long.mp4') }, /120\.0 s long; kling-3\.0-motion-control takes sources of at most 30 s/, 30],
      [{ model: 'topaz-video-upscale', operation: 'video-to-video', video_url: inline('/very-long.mp4') }, /700\.0 s long; topaz-video-upscale takes sources of at most 600 s/, 600],
    ];
    for (const [body, message, max] of cases) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body, key: k.key });
      assert.equal(res.status, 400, `${body.model}: ${await res.clone().text()}`);
      const err = (await res.json()) as any;
      assert.deepEqual(validateAgainst('ApiError', err), []);
      assert.deepEqual([err.error.code, err.error.param, err.error.max_source_seconds], ['source_too_long', 'video_url', max]);
      assert.match(err.error.message, message);
    }
    assert.equal((await keyState(k.id)).reserved_usd, 0, 'nothing was reserved for them');
    // Within the limit, an inline source is priced by its own length already at create: 3 s → $0.12.
    const res = await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'topaz-video-upscale', operation: 'video-to-video', video_url: inline('/short.mp4') }, key: k.key });
    assert.equal(res.status, 200);
    assert.equal((await keyState(k.id)).reserved_usd, 0.12);
  });
});
