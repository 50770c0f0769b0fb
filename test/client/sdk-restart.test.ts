/**
 * An SDK wait rides out a gateway restart: the gateway (as `npm start` runs it, in-process
 * simulators on its data directory) gets SIGTERM mid-task and comes back on the same port and data
 * directory ~3 s later; tasks.wait resolves with the completed task instead of a connection_error.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { Vidgate, VidgateError } from '../../src/client/index.js';
import { generateSecret } from '../../src/keys/keys.js';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/processes.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-sdk-restart-'));
let gw: GatewayProcess | undefined;
after(async () => {
  await gw?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('tasks.wait resolves across a SIGTERM and a restart ~3 s later on the same port and data dir', { timeout: 180_000 }, async () => {
  const env = {
    PORT: String(await freePort()),
    VIDGATE_DATA_DIR: dataDir,
    VIDGATE_ADMIN_KEY: generateSecret(),
    VIDGATE_SANDBOX: '1',
    VIDGATE_SANDBOX_SPEED: '6',
    VIDGATE_ENGINE_TICK_MS: '50',
    VIDGATE_SHUTDOWN_GRACE_MS: '2000',
  };
  gw = await startGatewayProcess(env);
  const vg = new Vidgate({ baseUrl: gw.url, apiKey: env.VIDGATE_ADMIN_KEY });
  const created = await vg.videos.create({ model: 'veo3.1-fast', prompt: 'a lighthouse through a restart', duration: 4 });
  const statuses: string[] = [];
  const waiting = vg.tasks.wait(created.id, { onProgress: (t) => statuses.push(t.status) }).then(
    (task) => ({ task }),
    (err: unknown) => ({ err }),
  );
  // The wait is following the task (its first report arrived) and the task is still running.
  const deadline = Date.now() + 30_000;
  while (statuses.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const before = await vg.tasks.get(created.id);
  assert.notEqual(before.status, 'completed', 'the task must still be running at the restart');

  await gw.stop(); // SIGTERM: event streams end, connections are refused from here on
  await new Promise((r) => setTimeout(r, 3_000));
  gw = await startGatewayProcess(env);

  const outcome = await waiting;
  assert.ok('task' in outcome, `the wait rejected: ${'err' in outcome && outcome.err instanceof VidgateError ? `${outcome.err.code}: ${outcome.err.message}` : String('err' in outcome && outcome.err)}`);
  assert.equal(outcome.task.id, created.id);
  assert.equal(outcome.task.status, 'completed', JSON.stringify(outcome.task.error));
});
