/**
 * A node whose clock is really off (Debian's faketime: libfaketime, preloaded, shifts the built
 * gateway's clock_gettime, so Node's Date.now()) measured against the real PostgreSQL at start: 120 s off
 * refuses to start in one line, 10 s off starts with a one-line warning, on time says nothing.
 * The lease is the default 60 s: a warning past 6 s, a refusal at 20 s.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSecret } from '../../src/keys/keys.js';
import { startTestGateway, waitForTask } from '../helpers/gateway.js';
import { repoRoot, spawnGateway } from '../helpers/gateway-process.js';
import { until } from '../helpers/until.js';
import { createPgDatabase } from '../helpers/stores.js';

/** Debian's libfaketime (package faketime), wherever the architecture puts it. */
function libfaketime(): string | null {
  for (const dir of fs.existsSync('/usr/lib') ? fs.readdirSync('/usr/lib') : []) {
    const lib = path.join('/usr/lib', dir, 'faketime/libfaketime.so.1');
    if (fs.existsSync(lib)) return lib;
  }
  return null;
}

/**
 * The node process itself preloads libfaketime (not the `faketime` wrapper, which would take a
 * SIGTERM meant for the gateway), with the monotonic clock left alone: libuv's timers keep real
 * time, only the wall clock moves.
 */
function faked(shift: string | null): Record<string, string> {
  return shift === null ? {} : { ...preloaded(), FAKETIME: shift };
}

function preloaded(): Record<string, string> {
  const lib = libfaketime();
  assert.ok(lib, 'libfaketime is installed (Debian: apt-get install faketime; .ci/run installs it)');
  return { LD_PRELOAD: lib, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs the built gateway on PostgreSQL; once it listens (if it does), SIGTERM. */
async function run(databaseUrl: string, shift: string | null): Promise<Run> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-skew-'));
  const node = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', VIDGATE_DATA_DIR: dataDir, VIDGATE_ADMIN_KEY: generateSecret() };
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: repoRoot,
    env: { ...node, VIDGATE_SANDBOX: '0', VIDGATE_DATABASE_URL: databaseUrl, ...faked(shift) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
    if (/"msg":"Vidgate listening on /.test(out)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { code: code as number | null, out, err };
}

const clockLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => /clock/.test(l.msg));

describe('a node whose clock is off the database clock', { timeout: 180_000 }, () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  before(async () => {
    execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    database = await createPgDatabase();
  });
  after(() => database?.drop());

  it('faketime really moves the clock of a Node process (else nothing below would test anything)', () => {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { encoding: 'utf8', env: { PATH: process.env.PATH, ...faked('+120s') } });
    const shift = Number(r.stdout) - Date.now();
    assert.ok(shift > 118_000 && shift < 122_000, `shifted by ${shift} ms`);
  });

  it('120 s ahead: refuses to start, in one line naming the offset and the fix (exit 1, as other start-up errors)', async () => {
    const r = await run(database.url, '+120s');
    assert.equal(r.code, 1, r.err + r.out);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(
      r.err,
      /^vidgate: failed to start: this node's clock is 1[12]\d\.\d s ahead of the database's \(±\d+ ms\), at or beyond a third of the work lease \(20\.0 s of VIDGATE_LEASE_MS 60000\): it could take work another node holds; synchronise it with NTP \(chrony or systemd-timesyncd\)\n$/,
    );
    assert.doesNotMatch(r.out, /Vidgate listening/);
  });

  it('120 s behind: refuses too', async () => {
    const r = await run(database.url, '-120s');
    assert.equal(r.code, 1, r.err + r.out);
    assert.match(r.err, /^vidgate: failed to start: this node's clock is 1[12]\d\.\d s behind the database's/);
  });

  it('10 s ahead: starts, with one warning line naming the offset and the fix', async () => {
    const r = await run(database.url, '+10s');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /Vidgate listening/);
    const lines = clockLines(r.out);
    assert.equal(lines.length, 1, r.out);
    assert.equal(lines[0].level, 40);
    assert.match(
      lines[0].msg,
      /^this node's clock is \d+\.\d s ahead of the database's \(±\d+ ms\); work leases \(VIDGATE_LEASE_MS 60000\) stop being safe at 20\.0 s: synchronise it with NTP \(chrony or systemd-timesyncd\)$/,
    );
    assert.equal(r.err, '');
  });

  it('on time: starts and says nothing about its clock', async () => {
    const r = await run(database.url, null);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /Vidgate listening/);
    assert.deepEqual(clockLines(r.out), []);
  });

  it('a running engine node whose clock goes off claims no work until it is back (the lease 3 s: checked every 3 s)', async () => {
    // libfaketime reads the shift from this file (at most a second late): the node starts on time.
    const shiftFile = path.join(os.tmpdir(), `vidgate-skew-${process.pid}`);
    fs.writeFileSync(shiftFile, '+0');
    const worker = await spawnGateway({
      VIDGATE_DATABASE_URL: database.url,
      VIDGATE_ROLE: 'worker',
      VIDGATE_LEASE_MS: '3000',
      VIDGATE_SANDBOX_SPEED: '20',
      ...preloaded(),
      FAKETIME_TIMESTAMP_FILE: shiftFile,
      FAKETIME_CACHE_DURATION: '1',
    });
    // Tasks are created on a node whose clock is right (so they are due now).
    const api = await startTestGateway({ VIDGATE_DATABASE_URL: database.url, VIDGATE_ROLE: 'api', VIDGATE_ADMIN_KEY: worker.adminKey });
    try {
      const create = async () => {
        const res = await api.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', prompt: 'a clock tower', duration: 4 } });
        assert.equal(res.status, 200, await res.clone().text());
        return ((await res.json()) as { id: string }).id;
      };
      assert.equal((await waitForTask(api, await create())).status, 'completed', 'on time, the worker works');
      fs.writeFileSync(shiftFile, '+120s');
      await until('the worker says it claims no work', () => /claims no work until it is/.test(worker.stdout()), 15_000);
      const held = await create();
      await new Promise((r) => setTimeout(r, 2_000));
      assert.equal(((await (await api.api(`/v1/tasks/${held}`)).json()) as { status: string }).status, 'pending', 'not claimed while the clock is off');
      fs.writeFileSync(shiftFile, '+0');
      await until('the worker claims again', () => /claiming work again/.test(worker.stdout()), 15_000);
      assert.equal((await waitForTask(api, held)).status, 'completed');
    } finally {
      await api.close();
      await worker.dispose();
      fs.rmSync(shiftFile, { force: true });
    }
  });
});
