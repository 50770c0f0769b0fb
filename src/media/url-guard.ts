/**
 * SSRF guard for user-supplied input URLs: which schemes and destinations the gateway may fetch.
 * The address that is checked is the address that is connected to (see `pinnedLookup`), so a
 * DNS answer that changes between check and connect (rebinding) cannot reach a private host.
 */
import { promises as dns } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { dataUrlProblem, isDataUrl } from './data-url.js';
import { MediaError, displayUrl } from './errors.js';

type Range = [cidr: string, reason: string];

// Everything that is not a globally routable unicast destination.
const IPV4_BLOCKED: Range[] = [
  ['0.0.0.0/8', '"this network" (0.0.0.0/8)'],
  ['10.0.0.0/8', 'private (10.0.0.0/8)'],
  ['100.64.0.0/10', 'carrier-grade NAT (100.64.0.0/10)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local / cloud metadata (169.254.0.0/16)'],
  ['172.16.0.0/12', 'private (172.16.0.0/12)'],
  ['192.0.0.0/24', 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.0.2.0/24', 'documentation (192.0.2.0/24)'],
  ['192.88.99.0/24', '6to4 relay anycast (192.88.99.0/24)'],
  ['192.168.0.0/16', 'private (192.168.0.0/16)'],
  ['198.18.0.0/15', 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.0/24', 'documentation (198.51.100.0/24)'],
  ['203.0.113.0/24', 'documentation (203.0.113.0/24)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (240.0.0.0/4, incl. broadcast)'],
];

const IPV6_BLOCKED: Range[] = [
  ['::/96', 'unspecified / loopback / IPv4-compatible (::/96)'],
  ['64:ff9b:1::/48', 'local-use NAT64 (64:ff9b:1::/48)'],
  ['100::/64', 'discard-only (100::/64)'],
  ['2001::/23', 'IETF protocol assignments (2001::/23)'],
  ['2001:db8::/32', 'documentation (2001:db8::/32)'],
  ['fc00::/7', 'unique-local (fc00::/7)'],
  ['fe80::/10', 'link-local (fe80::/10)'],
  ['fec0::/10', 'site-local (fec0::/10)'],
  ['ff00::/8', 'multicast'],
];

function buildLists(ranges: Range[], family: 'ipv4' | 'ipv6'): Array<[BlockList, string]> {
  return ranges.map(([cidr, reason]) => {
    const [net, bits] = cidr.split('/');
    const list = new BlockList();
    list.addSubnet(net, Number(bits), family);
    return [list, reason];
  });
}
const V4_LISTS = buildLists(IPV4_BLOCKED, 'ipv4');
const V6_LISTS = buildLists(IPV6_BLOCKED, 'ipv6');

/** Expands an IPv6 literal to 8 groups (handles '::' and a trailing dotted IPv4). */
function ipv6Groups(ip: string): number[] | undefined {
  let s = ip.toLowerCase();
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    s = `${s.slice(0, -v4[1].length)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...tail].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** IPv4 embedded in an IPv6 address that would route to it: mapped (::ffff:a.b.c.d), NAT64, 6to4. */
function embeddedIpv4(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  if (!g) return undefined;
  const dotted = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return dotted(g[6], g[7]); // ::ffff:0:0/96
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return dotted(g[6], g[7]); // 64:ff9b::/96
  if (g[0] === 0x2002) return dotted(g[1], g[2]); // 6to4 2002::/16
  return undefined;
}

/** Why an IP address must not be fetched from, or null when it is a public unicast address. */
export function blockedAddressReason(ip: string): string | null {
  const address = ip.replace(/^\[|\]$/g, '');
  const family = isIP(address);
  if (family === 4) {
    for (const [list, reason] of V4_LISTS) if (list.check(address, 'ipv4')) return reason;
    return null;
  }
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) {
      const inner = blockedAddressReason(v4);
      return inner ? `${inner} (IPv4 embedded in IPv6)` : null;
    }
    const bare = address.replace(/%.*$/, '');
    for (const [list, reason] of V6_LISTS) if (list.check(bare, 'ipv6')) return reason;
    return null;
  }
  return 'not an IP address';
}

function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * What may be fetched. `allowPrivateNetwork` is for development and the sandbox only; `allowHttp`
 * defaults to it. `isBlocked` replaces the address policy (tests use it to model "this loopback
 * address is private, that one is not").
 */
export interface GuardPolicy {
  allowPrivateNetwork: boolean;
  allowHttp?: boolean;
  isBlocked?: (ip: string) => string | null;
}

function asPolicy(p: GuardPolicy | boolean): Required<GuardPolicy> {
  const policy = typeof p === 'boolean' ? { allowPrivateNetwork: p } : p;
  return {
    allowPrivateNetwork: policy.allowPrivateNetwork,
    allowHttp: policy.allowHttp ?? policy.allowPrivateNetwork,
    isBlocked: policy.isBlocked ?? blockedAddressReason,
  };
}

/**
 * Checks a parsed URL without touching the network: scheme, localhost names and literal IP hosts.
 * Returns a problem message or null.
 */
/**
 * The URL's decoded "user:password" (empty when none), or undefined when its percent-encoding is
 * invalid. One decoder for every place that sends credentials from a URL.
 */
export function userinfo(url: URL): string | undefined {
  if (!url.username && !url.password) return '';
  try {
    return `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  } catch {
    return undefined;
  }
}

export function urlProblem(url: URL, policyOrAllowPrivate: GuardPolicy | boolean): string | null {
  const policy = asPolicy(policyOrAllowPrivate);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `scheme '${url.protocol.replace(/:$/, '')}' is not allowed; use https`;
  if (url.protocol === 'http:' && !policy.allowHttp) return 'plain http is not allowed; use https';
  if (!url.hostname) return 'the URL has no host';
  if (userinfo(url) === undefined) return 'the user name or password in the URL has invalid percent-encoding';
  if (policy.allowPrivateNetwork) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isLocalhostName(host)) return `host '${host}' is a local name and is not allowed`;
  if (isIP(host)) {
    const reason = policy.isBlocked(host);
    if (reason) return `address ${host} is ${reason} and is not allowed`;
  }
  return null;
}

/**
 * Cheap synchronous pre-check for the create route (early 400): https (or http when private
 * networks are allowed) or a well-formed data: URL; literal private IPs and localhost refused.
 * Returns a problem message, or null.
 */
export function checkInputUrlSyntax(value: string, allowPrivateNetwork: boolean): string | null {
  if (isDataUrl(value)) return dataUrlProblem(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a valid URL; send an https URL or a data: URL';
  }
  return urlProblem(url, allowPrivateNetwork);
}

export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemLookupAll: LookupAll = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host and refuses it when ANY of its addresses is blocked (an attacker's name may
 * return one public and one private address). Returns the address to connect to.
 */
export async function resolveAndCheckHost(hostname: string, policyOrAllowPrivate: GuardPolicy | boolean, lookupAll: LookupAll = systemLookupAll): Promise<CheckedAddress> {
  const { allowPrivateNetwork, isBlocked } = asPolicy(policyOrAllowPrivate);
  const host = hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let addresses: Array<{ address: string; family: number }>;
  if (literal) {
    addresses = [{ address: host, family: literal }];
  } else {
    if (!allowPrivateNetwork && isLocalhostName(host)) throw new MediaError('input_not_allowed', `Input host '${host}' is a local name and is not allowed.`);
    try {
      addresses = await lookupAll(host);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'lookup error';
      throw new MediaError('input_fetch_failed', `Could not resolve input host '${host}' (${code}).`);
    }
    if (addresses.length === 0) throw new MediaError('input_fetch_failed', `Input host '${host}' has no addresses.`);
  }
  if (!allowPrivateNetwork) {
    for (const a of addresses) {
      const reason = isBlocked(a.address);
      if (reason) {
        const via = literal ? '' : ` (resolved from '${host}')`;
        throw new MediaError('input_not_allowed', `Input address ${a.address}${via} is ${reason}; only public internet addresses may be fetched.`);
      }
    }
  }
  const first = addresses[0];
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * The Location of a redirect, resolved against the current URL and re-checked like the original
 * (scheme, literal IPs, localhost; DNS is re-checked when the next hop connects). Throws MediaError.
 */
export function resolveRedirect(current: URL, location: string | undefined | null, policyOrAllowPrivate: GuardPolicy | boolean): URL {
  const policy = asPolicy(policyOrAllowPrivate);
  if (!location) throw new MediaError('input_fetch_failed', `${displayUrl(current)} redirected without a Location header.`);
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw new MediaError('input_fetch_failed', `${displayUrl(current)} redirected to an invalid URL.`);
  }
  const problem = urlProblem(next, policy);
  if (problem) throw new MediaError('input_not_allowed', `${displayUrl(current)} redirected to ${displayUrl(next)}: ${problem}.`);
  return next;
}

/**
 * A `lookup` for node:http(s) that always answers with the already-checked address, so the
 * socket goes where the guard looked while Host and SNI stay the hostname.
 */
export function pinnedLookup(checked: CheckedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean } | undefined, callback: (...args: unknown[]) => void) => {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    if (options?.all) callback(null, [{ address: checked.address, family: checked.family }]);
    else callback(null, checked.address, checked.family);
  }) as unknown as LookupFunction;
}
