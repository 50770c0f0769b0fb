import { isIP } from 'node:net';
import type { Config } from './config.js';

/**
 * HOST listens on every interface (0.0.0.0, ::): it is no address a client could be given. The
 * gateway cannot know which of the machine's names or addresses its clients reach it by (and the
 * request's Host header is the client's to forge, and webhooks have no request to read it from), so
 * only the operator can say it: PUBLIC_BASE_URL.
 */
export function isWildcardHost(host: string): boolean {
  if (host === '0.0.0.0') return true;
  // '::', '::0', '0:0:0:0:0:0:0:0', '[::]' …: the IPv6 unspecified address in any spelling.
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) === 6 && /^[0:]+$/.test(bare);
}

/** Where this machine reaches the gateway listening on HOST:port (localhost for a wildcard HOST). */
export function localUrl(host: string, port: number): string {
  if (isWildcardHost(host)) return `http://localhost:${port}`;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/**
 * The absolute base of every video_url the gateway hands out: PUBLIC_BASE_URL, else where it
 * listens (localhost for a wildcard HOST: right for a client on this machine or through a published
 * container port, wrong for any other). `warning` is the one start-up line for that last case.
 */
export function publicBaseUrl(config: Pick<Config, 'host' | 'publicBaseUrl'>, port: number): { url: string; warning: string | null } {
  if (config.publicBaseUrl !== null) return { url: config.publicBaseUrl, warning: null };
  const url = localUrl(config.host, port);
  const warning = isWildcardHost(config.host)
    ? `HOST=${config.host} listens on every interface, but PUBLIC_BASE_URL is unset, so every video_url points to ${url}, which only a client on this machine can open: set PUBLIC_BASE_URL to the URL clients reach this gateway by (e.g. http://203.0.113.7:${port}, or your proxy's https://… address).`
    : null;
  return { url, warning };
}
