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

/** Another quickstart block (`<!-- quickstart-NAME:start -->`), as a user would copy it. */
function block(name: string, lang: string): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- quickstart-${name}:start -->\\s*\`\`\`${lang}\\n([\\s\\S]*?)\`\`\`\\s*<!-- quickstart-${name}:end -->`).exec(readme);
  assert.ok(m, `README has a quickstart-${name} block`);
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

  /** A scratch folder inside the project (as a user's own script would sit there), removed afterwards. */
  async function inProject<T>(fn: (dir: string, env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(root, '.vidgate-readme-'));
    try {
      return await fn(dir, { PATH: process.env.PATH, HOME: process.env.HOME, VIDGATE_BASE_URL: url, VIDGATE_API_KEY: adminKey });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('the CLI block: models, then generate with a progress display and the MP4 saved', { timeout: 180_000 }, () =>
    inProject(async (dir, env) => {
      const script = block('cli', 'bash')
        .replace(/^export VIDGATE_BASE_URL=.*$/m, `export VIDGATE_BASE_URL=${url}`)
        .replace(/^export VIDGATE_API_KEY=.*$/m, `export VIDGATE_API_KEY=${adminKey}`);
      const { stdout, stderr } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, env: { PATH: env.PATH, HOME: env.HOME }, timeout: 150_000 });
      assert.match(stdout, /^veo3\.1-fast\s/m);
      assert.match(stdout, /^Saved .*boat\.mp4 \(/m);
      assert.match(stderr, / completed /);
      const probe = await ffprobeFile(path.join(dir, 'boat.mp4'));
      assert.deepEqual([probe.width, probe.height], [1280, 720]);
      assert.ok(Math.abs(probe.duration - 4) < 0.2);
    }),
  );

  it('the SDK block: vidgate/client generates and downloads', { timeout: 180_000 }, () =>
    inProject(async (dir, env) => {
      fs.writeFileSync(path.join(dir, 'quickstart.mjs'), block('sdk', 'js'));
      const { stdout } = await run('node', ['quickstart.mjs'], { cwd: dir, env, timeout: 150_000 });
      assert.match(stdout, /^completed/m);
      assert.match(stdout, /saved boat-sdk\.mp4/);
      const probe = await ffprobeFile(path.join(dir, 'boat-sdk.mp4'));
      assert.deepEqual([probe.width, probe.height], [1280, 720]);
    }),
  );

  it('the openai block: the official SDK against /v1', { timeout: 180_000 }, () =>
    inProject(async (dir, env) => {
      fs.writeFileSync(path.join(dir, 'kite.mjs'), block('openai', 'js'));
      const { stdout } = await run('node', ['kite.mjs'], { cwd: dir, env, timeout: 150_000 });
      assert.equal(stdout.trim(), 'completed 1280x720 4');
      const probe = await ffprobeFile(path.join(dir, 'kite.mp4'));
      assert.deepEqual([probe.width, probe.height], [1280, 720]);
    }),
  );

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
