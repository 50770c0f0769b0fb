import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the gateway process', { timeout: 120_000 }, () => {
  it('exits 0 on SIGTERM after stopping cleanly, and refuses a bad configuration with exit 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-shutdown-'));
    try {
      const env = { PATH: process.env.PATH, PORT: '0', VIDGATE_DATA_DIR: dir };
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const deadline = Date.now() + 60_000;
      while (!/listening on/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /listening on/);
      const code = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      child.kill('SIGTERM');
      assert.equal(await code, 0);
      assert.match(out, /shutting down/);

      const bad = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      bad.stderr.on('data', (d) => (err += d));
      const badCode = await new Promise<number | null>((r) => bad.once('exit', (c) => r(c)));
      assert.equal(badCode, 2);
      assert.match(err, /PORT must be an integer/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
