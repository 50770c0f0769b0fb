import fs from 'node:fs';
import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';

/**
 * The TLS a PostgreSQL URL asks for, with libpq's meaning of `sslmode` (what psql and every other
 * client give the same URL). pg 8 reads `sslmode` its own way (`prefer`, `require` and `verify-ca`
 * all verify the server's name) and prints a nine-line deprecation warning for them; so the TLS
 * parameters are taken out of the URL pg sees and handed to it as an explicit `ssl` option.
 */
export interface PostgresTarget {
  /** The URL without its TLS parameters. */
  connectionString: string;
  /**
   * undefined: the URL says nothing about TLS (pg's default: plain TCP, or PGSSLMODE); false: plain TCP;
   * options: TLS with them; 'if-offered': TLS, unverified, when the server offers it, else plain TCP
   * (libpq's `prefer` and `allow`).
   */
  ssl: undefined | false | ConnectionOptions | 'if-offered';
  /** With 'if-offered': the TLS options used when the server offers TLS (client certificate, and the chain checked when sslrootcert is given, as libpq does). */
  offered?: ConnectionOptions;
  host: string;
  port: number;
}

const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];
/** Those libpq also reads from the environment (PGSSLMODE, …) when the URL does not give them. */
const ENV_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'];
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/**
 * Throws an Error whose message (one line, never the URL) says what to fix. A TLS parameter the URL does not give is
 * read, as libpq does, from its environment variable (PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY).
 */
export function postgresTarget(url: string, env: NodeJS.ProcessEnv = process.env): PostgresTarget {
  const u = new URL(url);
  const param = (name: string) => u.searchParams.get(name) ?? ((ENV_PARAMS.includes(name) && env[`PG${name.toUpperCase()}`]) || null);
  const mode = param('sslmode');
  if (mode !== null && !SSL_MODES.includes(mode)) {
    const where = u.searchParams.has('sslmode') ? 'sslmode' : 'PGSSLMODE';
    throw new Error(`${where} must be one of ${SSL_MODES.slice(0, 6).join(', ')}; got '${mode}'`);
  }
  const file = (name: string) => {
    const p = param(name);
    if (p === null) return undefined;
    try {
      return fs.readFileSync(p, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${name} ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const ca = file('sslrootcert');
  const clientCert = { ...(param('sslcert') !== null && { cert: file('sslcert') }), ...(param('sslkey') !== null && { key: file('sslkey') }) };
  const flag = param('ssl');
  const asked = mode !== null || flag !== null || ca !== undefined || Object.keys(clientCert).length > 0;
  const host = (param('host') ?? decodeURIComponent(u.hostname)).replace(/^\[(.+)\]$/, '$1');
  const port = Number(param('port') ?? (u.port || 5432));
  for (const name of TLS_PARAMS) u.searchParams.delete(name);
  const target = (ssl: PostgresTarget['ssl'], offered?: ConnectionOptions): PostgresTarget => ({ connectionString: u.toString(), ssl, ...(offered && { offered }), host, port });
  // Not verified: encrypted against a passive listener only (libpq's require, and pg's own no-verify).
  const unverified = { ...clientCert, rejectUnauthorized: false };
  // The certificate chains to the given CA; the name is not checked.
  const caOnly = { ...clientCert, ca, checkServerIdentity: () => undefined };
  // The chain (to the given CA, else the system's) and the host name.
  const verified = { ...clientCert, ...(ca !== undefined && { ca }) };
  switch (mode) {
    case 'disable':
      return target(false);
    case 'allow':
    case 'prefer':
      // A socket directory has no TLS to offer.
      return host.startsWith('/') ? target(false) : target('if-offered', ca !== undefined ? caOnly : unverified);
    case 'require':
      return target(ca !== undefined ? caOnly : unverified);
    case 'no-verify':
      return target(unverified);
    case 'verify-ca':
      if (ca === undefined) throw new Error('sslmode=verify-ca needs sslrootcert=/path/to/ca.pem (or use sslmode=verify-full to check the name against the system CAs)');
      return target(caOnly);
    case 'verify-full':
      return target(verified);
    default:
      if (flag === '0' || flag === 'false') return target(false);
      // As pg reads them: ssl=true, or a certificate without a mode, is TLS with full verification.
      return target(asked ? verified : undefined);
  }
}

/** The `ssl` option for pg: a URL that says `prefer` asks the server (once per call) whether it speaks TLS. */
export async function resolvedSsl(target: PostgresTarget): Promise<boolean | ConnectionOptions | undefined> {
  if (target.ssl !== 'if-offered') return target.ssl;
  return (await serverOffersTls(target.host, target.port)) ? (target.offered ?? { rejectUnauthorized: false }) : false;
}

// PostgreSQL's SSLRequest: length 8, code 80877103. The server answers one byte, 'S' or 'N'.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

function serverOffersTls(host: string, port: number, timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const done = (err: Error | null, offered = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(offered);
    };
    const timer = setTimeout(() => done(new Error(`connect ETIMEDOUT ${host}:${port}`)), timeoutMs);
    socket.once('connect', () => socket.write(SSL_REQUEST));
    socket.once('data', (b) => done(null, b[0] === 0x53));
    socket.once('error', (err) => done(err));
    socket.once('close', () => done(new Error(`connection to ${host}:${port} closed before the server answered`)));
  });
}
