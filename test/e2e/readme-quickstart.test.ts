import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ffprobeFile } from '../helpers/ffprobe.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** The README's quickstart block, as a user would copy it. */
function quickstartScript(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = /<!-- quickstart:start -->\s*```bash\n([\s\S]*?)```\s*<!-- quickstart:end -->/.exec(readme);
  assert.ok(m, 'README has a quickstart block');
  return m[1];
}

describe('README: `npm start` with no environment, then the quickstart verbatim', { timeout: 300_000 }, () => {
  let child: ChildProcess;
  let url = '';
  let adminKey = '';
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-readme-'));

  before(async () => {
    // No provider credentials, no admin key: what a newcomer has. Only the port (0 = free one)
    // and the data dir (a temp dir) differ, so parallel tests don't collide.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', VIDGATE_DATA_DIR: path.join(work, 'data') };
    // Own process group, so the test can signal npm and the gateway it starts together.
    child = spawn('npm', ['start', '--silent'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${stdout}\n${stderr}`)), 120_000);
      const check = () => {
        const key = /(sk-[0-9a-f]{48})/.exec(stderr);
        const listening = /"url":"(http:\/\/[^"]+)"/.exec(stdout);
        if (key && listening) {
          adminKey = key[1];
          url = listening[1];
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr!.on('data', (d) => {
        stderr += d;
        check();
      });
      child.stdout!.on('data', (d) => {
        stdout += d;
        check();
      });
      child.on('exit', (code) => reject(new Error(`npm start exited ${code}:\n${stdout}\n${stderr}`)));
    });
  });

  after(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // whatever is left, if a test failed midway
    } catch {
      /* already gone */
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('prints the admin key once and serves the quickstart to a playable MP4', { timeout: 180_000 }, async () => {
    const script = quickstartScript()
      .replace(/^VIDGATE_URL=.*$/m, `VIDGATE_URL=${url}`)
      .replace(/^VIDGATE_KEY=.*$/m, `VIDGATE_KEY=${adminKey}`);
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, timeout: 120_000 });
    assert.match(stdout, /completed/);
    const probe = await ffprobeFile(path.join(work, 'video.mp4'));
    assert.equal(probe.width, 1280);
    assert.equal(probe.height, 720);
    assert.ok(Math.abs(probe.duration - 4) < 0.2);
    assert.equal(probe.hasAudio, true);
  });

  it('shuts down on SIGTERM: every process of the group exits and the pipes close', { timeout: 30_000 }, async () => {
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const closed = new Promise<void>((r) => child.stdout!.once('close', () => r()));
    process.kill(-child.pid!, 'SIGTERM');
    await closed;
    assert.match(out, /shutting down/);
    assert.doesNotMatch(out, /"level":50/, 'no error logged while stopping');
  });
});
