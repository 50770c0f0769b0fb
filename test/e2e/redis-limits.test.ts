/**
 * Request rate limits across nodes: two gateway processes-worth of state (two gateways on one
 * database) share a key's rpm_limit through Redis; without Redis each counts its own.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { generateSecret } from '../../src/keys/keys.js';
import { startGateway, type RunningGateway } from '../../src/server.js';
import { admittedAcross } from '../helpers/limits.js';
import { SHARED_REDIS_URL } from '../helpers/redis-server.js';

const quiet = pino({ level: 'silent' });

/** Two nodes on one SQLite database: `all` and `api`, with the same admin key and URL secret. */
async function twoNodes(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-nodes-'));
  const adminKey = generateSecret();
  const base = { PORT: '0', HOST: '127.0.0.1', VIDGATE_DATA_DIR: dataDir, VIDGATE_ADMIN_KEY: adminKey, VIDGATE_SANDBOX: '0', VIDGATE_URL_SECRET: 'shared-secret', ...env };
  const a = await startGateway(loadConfig({ ...base, VIDGATE_ROLE: 'all' }), quiet);
  const b = await startGateway(loadConfig({ ...base, VIDGATE_ROLE: 'api' }), quiet);
  return {
    nodes: [a, b] as RunningGateway[],
    adminKey,
    async close() {
      await b.close(1000);
      await a.close(1000);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('rate limits across nodes', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups) await c();
  });

  it('with VIDGATE_REDIS_URL, a key’s rpm_limit of 6 admits 6 requests across two nodes, not 12', async () => {
    const { nodes, adminKey, close } = await twoNodes({ VIDGATE_REDIS_URL: SHARED_REDIS_URL });
    cleanups.push(close);
    assert.equal(
      (
        await admittedAcross(
          nodes.map((n) => n.url),
          adminKey,
          6,
          14,
        )
      ).admitted,
      6,
    );
  });

  it('without it, each node counts on its own (the documented per-node behaviour)', async () => {
    const { nodes, adminKey, close } = await twoNodes({});
    cleanups.push(close);
    assert.equal(
      (
        await admittedAcross(
          nodes.map((n) => n.url),
          adminKey,
          6,
          14,
        )
      ).admitted,
      12,
    );
  });
});
