/**
 * Closing a PostgreSQL store ends its LISTEN connection without waiting on a peer that has gone
 * silent: a graceful goodbye to a dropped connection is never answered (the socket would only close
 * when TCP gave up, minutes later), so shutdown must not hang on it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import { createPgDatabase, PG_ADMIN_URL } from '../helpers/stores.js';
import { proxyTo, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const NAME = 'vidgate-feed-stop';

describe('the LISTEN connection at close', { timeout: 60_000 }, () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let admin: pg.Client;
  let proxy: TcpProxy;

  before(async () => {
    database = await createPgDatabase();
    admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    proxy = await proxyTo(PG_ADMIN_URL);
  });
  after(async () => {
    await proxy?.stop();
    await admin?.end();
    await database?.drop();
  });

  it('close() returns at once when the network went silent under it', async () => {
    const u = new URL(database.url);
    u.port = String(proxy.port);
    u.searchParams.set('application_name', NAME);
    const store = openPostgresStore(u.toString());
    store.watchWorkDue(() => undefined);
    await until('listening', async () => (await admin.query(`select 1 from pg_stat_activity where application_name = $1 and query like 'listen %'`, [NAME])).rowCount === 1, 10_000, 50);
    proxy.silenceOpen();
    const t0 = Date.now();
    const closed = await Promise.race([store.close().then(() => true), new Promise((r) => setTimeout(r, 3_000, false))]);
    assert.ok(closed, 'close() still waiting after 3 s');
    assert.ok(Date.now() - t0 < 3_000);
  });
});
