/**
 * Sandbox mode across a restart (issue 13, item 6): the in-process simulators keep their jobs, files,
 * ports and keys in the data directory, so a gateway restarted on the same data dir mid-job carries
 * its tasks on to completion instead of failing them with upstream_not_found.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { generateSecret } from '../../src/keys/keys.js';
import { startTestGateway, waitForStatus, waitForTask, type TestGateway } from '../helpers/gateway.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-restart-'));
const env = { VIDGATE_DATA_DIR: dataDir, VIDGATE_ADMIN_KEY: generateSecret(), VIDGATE_SANDBOX_SPEED: '6' };

/** One short request per simulator that renders over several seconds at speed 6. */
const BODIES: Record<string, unknown>[] = [
  { model: 'veo3.1-fast', prompt: 'a lighthouse at dusk', duration: 4 },
  { model: 'kling-v2.6-std', prompt: 'a lighthouse at dusk', duration: 5 },
  { model: 'seedance-2.0-fast', prompt: 'a lighthouse at dusk', duration: 4, resolution: '480p' },
  { model: 'sora-2', prompt: 'a lighthouse at dusk', duration: 4 },
  { model: 'grok-imagine-video', prompt: 'a lighthouse at dusk', duration: 1, resolution: '480p' },
  { model: 'hailuo-2.3-standard', prompt: 'a lighthouse at dusk', duration: 6 },
  { model: 'wan-2.5', prompt: 'a lighthouse at dusk', resolution: '480p' },
  { model: 'viduq2', prompt: 'a lighthouse at dusk', operation: 'text-to-video', duration: 1 },
];

let gw: TestGateway | undefined;
after(async () => {
  await gw?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('sandbox restart mid-job', () => {
  it('every task in flight upstream completes after the gateway restarts on the same data dir', async () => {
    gw = await startTestGateway(env);
    const ids: string[] = [];
    for (const body of BODIES) {
      const res = await gw.api('/v1/videos/generations', { method: 'POST', json: body });
      assert.equal(res.status, 200, await res.clone().text());
      ids.push(((await res.json()) as { id: string }).id);
    }
    // Each job is accepted upstream and still running when the gateway goes away.
    for (const id of ids) await waitForStatus(gw, id, ['processing', 'completed'], 60_000);
    const inFlight = [];
    for (const id of ids) inFlight.push(((await (await gw.api(`/v1/tasks/${id}`)).json()) as { status: string }).status);
    assert.ok(inFlight.filter((s) => s === 'processing').length >= 4, `most jobs were mid-flight at the restart: ${inFlight.join(', ')}`);
    const before = gw;
    gw = undefined;
    await before.close();

    gw = await startTestGateway(env);
    for (const [i, id] of ids.entries()) {
      const done = await waitForTask(gw, id, { timeoutMs: 120_000 });
      assert.equal(done.status, 'completed', `${BODIES[i].model}: ${JSON.stringify(done.error ?? done)}`);
      const video = await fetch(done.video_url);
      assert.equal(video.status, 200);
      assert.ok((await video.arrayBuffer()).byteLength > 1000);
    }
  });
});
