/**
 * A start that fails once the gateway is listening (here: the generated admin key cannot be shown)
 * leaves nothing behind in the process that called it: no listening server, no engine thread, no
 * create writer thread. (As a process, `npm start` exits anyway; tests and embedders do not.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/server.js';
import { onFreePort } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const threads = () => fs.readdirSync('/proc/self/task').length;

describe('a failed start', { timeout: 60_000 }, () => {
  it('after listening (the admin key cannot be shown): the server is closed and its threads are gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-failed-start-'));
    const before = threads();
    const announceAdminKey = () => {
      throw new Error('stdout is gone');
    };
    // The port is chosen here, to check after that it was let go.
    let port = 0;
    const start = (p: number) => {
      port = p;
      return startGateway(loadConfig({ VIDGATE_DATA_DIR: dir, PORT: String(p), HOST: '127.0.0.1', VIDGATE_ENGINE_THREAD: '1' }), pino({ level: 'silent' }), { announceAdminKey });
    };
    await assert.rejects(onFreePort(start), /stdout is gone/);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.destroy() && false));
      socket.once('error', () => resolve(true));
    });
    assert.ok(refused, 'nothing listens on the port any more');
    await until('the engine and writer threads have ended', () => threads() <= before, 10_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
