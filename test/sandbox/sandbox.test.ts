import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../src/sandbox/index.js';
import { tempDir } from './media-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('startSandbox', () => {
  it('starts the Google simulator with a fresh Gemini-style key and closes it', async () => {
    const { dir, cleanup } = await tempDir('vidgate-sandbox-');
    const sandbox = await startSandbox({ workDir: dir });
    try {
      const baseUrl = sandbox.providers.google!.baseUrl!;
      const apiKey = sandbox.providers.google!.credentials.GEMINI_API_KEY;
      assert.match(apiKey, /^AIza[A-Za-z0-9_-]{35}$/);
      assert.equal(sandbox.simulators.google!.baseUrl, baseUrl);
      const res = await fetch(`${baseUrl}/v1beta/models/veo-3.1-generate-preview:predictLongRunning`, {
        method: 'POST',
        headers: { 'x-goog-api-key': apiKey },
        body: JSON.stringify({ instances: [{ prompt: 'hello' }], parameters: { durationSeconds: 4 } }),
      });
      assert.equal(res.status, 200);
      const other = await startSandbox({ workDir: join(dir, 'other') });
      assert.notEqual(other.providers.google!.credentials.GEMINI_API_KEY, apiKey);
      await other.close();
    } finally {
      await sandbox.close();
      await cleanup();
    }
    await assert.rejects(fetch(`${sandbox.providers.google!.baseUrl}/v1beta/models`));
  });
});

describe('npm run sim (src/sandbox/main.ts)', () => {
  it('prints the env line for each channel kind and exits cleanly on SIGTERM', async () => {
    const { dir, cleanup } = await tempDir('vidgate-sim-main-');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, VIDGATE_DATA_DIR: dir, VIDGATE_SANDBOX_SPEED: '50' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout! });
      let googleLine = '';
      const kinds: string[] = [];
      for await (const line of lines) {
        kinds.push(line.split(' ')[0]);
        if (line.startsWith('gemini-api ')) googleLine = line;
        if (line.startsWith('sandbox ready')) break;
      }
      for (const kind of ['openai', 'azure-openai', 'byteplus-ark', 'volcengine-ark', 'kling-api-key', 'kling-jwt']) assert.ok(kinds.includes(kind), `a line for ${kind}`);
      const m = /^gemini-api GOOGLE_BASE_URL=(http:\/\/\S+) GEMINI_API_KEY=(\S+)$/.exec(googleLine);
      assert.ok(m, `unexpected line: ${googleLine}`);
      const res = await fetch(`${m[1]}/v1beta/models/veo-3.1-generate-preview/operations/nope`, { headers: { 'x-goog-api-key': m[2] } });
      assert.equal(res.status, 404);
      await access(join(dir, 'sandbox', 'google'));

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await cleanup();
    }
  });
});
