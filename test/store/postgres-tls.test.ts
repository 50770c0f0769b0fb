/**
 * `sslmode` in VIDGATE_DATABASE_URL means what libpq (psql) says it means, and pg's nine-line
 * deprecation warning about its own reading of it is never printed: the TLS parameters are taken out
 * of the URL pg sees and given to it as an explicit `ssl` option.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { postgresTarget, resolvedSsl } from '../../src/store/postgres-tls.js';
import { PG_ADMIN_URL } from '../helpers/stores.js';

const base = 'postgres://app:s3cret@db.example:6543/vidgate';

describe('postgresTarget: sslmode as libpq reads it', () => {
  it('takes every TLS parameter out of the URL pg parses, keeping the rest', () => {
    const t = postgresTarget(`${base}?sslmode=require&application_name=n1&uselibpqcompat=true`);
    assert.equal(t.connectionString, `${base}?application_name=n1`);
    assert.deepEqual([t.host, t.port], ['db.example', 6543]);
  });

  it('disable is plain TCP; allow and prefer are TLS if the server offers it; nothing said is pg’s default', () => {
    assert.equal(postgresTarget(`${base}?sslmode=disable`).ssl, false);
    assert.equal(postgresTarget(`${base}?sslmode=prefer`).ssl, 'if-offered');
    assert.equal(postgresTarget(`${base}?sslmode=allow`).ssl, 'if-offered');
    assert.equal(postgresTarget(base).ssl, undefined);
    assert.equal(postgresTarget(`${base}?ssl=0`).ssl, false);
  });

  it('with no sslmode in the URL, PGSSLMODE (and PGSSLROOTCERT…) mean what they mean to libpq, not to pg', () => {
    assert.equal(postgresTarget(base, { PGSSLMODE: 'prefer' }).ssl, 'if-offered', 'pg: TLS required and verified');
    assert.deepEqual(postgresTarget(base, { PGSSLMODE: 'require' }).ssl, { rejectUnauthorized: false }, 'pg: verify-full');
    assert.equal(postgresTarget(base, { PGSSLMODE: 'disable' }).ssl, false);
    assert.equal(postgresTarget(`${base}?sslmode=disable`, { PGSSLMODE: 'require' }).ssl, false, 'the URL wins');
    assert.equal(postgresTarget(base, {}).ssl, undefined);
    assert.deepEqual([postgresTarget(base, { PGHOST: 'elsewhere', PGPORT: '1' }).host, postgresTarget(base, { PGPORT: '1' }).port], ['db.example', 6543], 'only the TLS variables');
    assert.throws(() => postgresTarget(base, { PGSSLMODE: 'requre' }), /^Error: PGSSLMODE must be one of/);
    assert.throws(() => postgresTarget(base, { PGSSLMODE: 'verify-ca', PGSSLROOTCERT: '/nonexistent/ca.pem' }), /cannot read sslrootcert \/nonexistent\/ca\.pem/);
  });

  it('require encrypts without verifying (with a root certificate: verifies the chain, not the name); verify-full verifies both', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-tls-'));
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, 'CA PEM');
    try {
      assert.deepEqual(postgresTarget(`${base}?sslmode=require`).ssl, { rejectUnauthorized: false });
      const withCa = postgresTarget(`${base}?sslmode=require&sslrootcert=${ca}`).ssl as Record<string, unknown>;
      assert.equal(withCa.ca, 'CA PEM');
      assert.equal(withCa.rejectUnauthorized, undefined, 'the chain is verified');
      assert.equal((withCa.checkServerIdentity as () => unknown)(), undefined, 'the name is not');
      const verifyCa = postgresTarget(`${base}?sslmode=verify-ca&sslrootcert=${ca}`).ssl as Record<string, unknown>;
      assert.equal(verifyCa.ca, 'CA PEM');
      assert.equal(typeof verifyCa.checkServerIdentity, 'function');
      assert.deepEqual(postgresTarget(`${base}?sslmode=verify-full`).ssl, {});
      assert.deepEqual(postgresTarget(`${base}?sslmode=verify-full&sslrootcert=${ca}`).ssl, { ca: 'CA PEM' });
      assert.deepEqual(postgresTarget(`${base}?ssl=true`).ssl, {}, 'pg’s ssl=true: full verification');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, in one line without the URL, an unknown mode, verify-ca without a CA, a certificate it cannot read', () => {
    const message = (url: string) => {
      try {
        postgresTarget(url);
      } catch (err) {
        return (err as Error).message;
      }
      assert.fail(`accepted ${url}`);
    };
    for (const m of [message(`${base}?sslmode=requre`), message(`${base}?sslmode=verify-ca`), message(`${base}?sslmode=require&sslrootcert=/nonexistent/ca.pem`)]) {
      assert.doesNotMatch(m, /s3cret|\n/);
    }
    assert.match(message(`${base}?sslmode=requre`), /sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full; got 'requre'/);
    assert.match(message(`${base}?sslmode=verify-ca`), /needs sslrootcert/);
    assert.match(message(`${base}?sslmode=require&sslrootcert=/nonexistent/ca.pem`), /cannot read sslrootcert \/nonexistent\/ca\.pem: ENOENT/);
  });

  it('prefer asks the server: this machine’s PostgreSQL speaks no TLS, so it is plain TCP', async () => {
    const u = new URL(PG_ADMIN_URL);
    u.searchParams.set('sslmode', 'prefer');
    assert.equal(await resolvedSsl(postgresTarget(u.toString())), false);
    u.searchParams.set('sslmode', 'require');
    assert.deepEqual(await resolvedSsl(postgresTarget(u.toString())), { rejectUnauthorized: false });
  });

  it('prefer against a server that offers TLS keeps the client certificate, and checks the chain given sslrootcert (as libpq)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-tls-'));
    for (const f of ['ca', 'cert', 'key']) fs.writeFileSync(path.join(dir, `${f}.pem`), `${f.toUpperCase()} PEM`);
    // Answers PostgreSQL's SSLRequest with 'S': "I speak TLS".
    const server = net.createServer((s) => s.once('data', () => s.end('S')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const url = (q: string) => `postgres://app:s3cret@127.0.0.1:${port}/vidgate?sslmode=prefer&${q}`;
    try {
      const certs = `sslcert=${dir}/cert.pem&sslkey=${dir}/key.pem`;
      assert.deepEqual(await resolvedSsl(postgresTarget(url(certs))), { cert: 'CERT PEM', key: 'KEY PEM', rejectUnauthorized: false });
      const withCa = (await resolvedSsl(postgresTarget(url(`${certs}&sslrootcert=${dir}/ca.pem`)))) as Record<string, unknown>;
      assert.deepEqual([withCa.cert, withCa.key, withCa.ca, withCa.rejectUnauthorized], ['CERT PEM', 'KEY PEM', 'CA PEM', undefined], 'the chain is verified');
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
