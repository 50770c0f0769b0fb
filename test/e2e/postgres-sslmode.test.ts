/**
 * A gateway process given a PostgreSQL URL with `sslmode`: no deprecation warning from pg on stderr,
 * libpq's meaning of the mode (this machine's PostgreSQL speaks no TLS: `prefer` connects in plain
 * TCP, `require` refuses in one line), and a mode it does not know is a one-line configuration error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { spawnGateway, repoRoot } from '../helpers/gateway-process.js';
import { generateSecret } from '../../src/keys/keys.js';
import { createPgDatabase } from '../helpers/stores.js';

function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

function runOnce(databaseUrl: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', VIDGATE_DATA_DIR: '/nonexistent/unused', VIDGATE_ADMIN_KEY: generateSecret(), VIDGATE_DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('sslmode in VIDGATE_DATABASE_URL', { timeout: 120_000 }, () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  before(async () => {
    database = await createPgDatabase();
  });
  after(async () => {
    await database?.drop();
  });

  it('prefer: starts on a server without TLS, and stderr carries no warning', async () => {
    const gw = await spawnGateway({ VIDGATE_DATABASE_URL: withParams(database.url, { sslmode: 'prefer' }) });
    try {
      const health = await fetch(`${gw.url}/healthz`);
      assert.equal(health.status, 200);
      const res = await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${gw.adminKey}` } });
      assert.equal(res.status, 200, 'the database answers');
      assert.doesNotMatch(gw.stderr(), /Warning|SECURITY|sslmode|uselibpqcompat/);
    } finally {
      await gw.dispose();
    }
  });

  it('require: the server speaks no TLS, so the start fails in one line (no deprecation warning, no password)', () => {
    const u = new URL(withParams(database.url, { sslmode: 'require' }));
    u.password = 'hunter2-secret';
    const run = runOnce(u.toString());
    assert.equal(run.status, 1, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /^vidgate: failed to start: cannot use the database at VIDGATE_DATABASE_URL \(127\.0\.0\.1:5432\/vidgate_t_\w+\): The server does not support SSL connections$/);
    assert.doesNotMatch(run.stderr, /hunter2/);
  });

  it('an unknown sslmode is a one-line configuration error before anything starts', () => {
    const run = runOnce(withParams(database.url, { sslmode: 'requre' }));
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr, "vidgate: configuration error: VIDGATE_DATABASE_URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full; got 'requre'\n");
  });
});
