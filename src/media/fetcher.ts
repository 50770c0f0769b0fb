/**
 * Input acquisition for adapters (AdapterContext.loadMedia): data: URLs are decoded, http(s) URLs
 * are fetched through the SSRF guard with size, time and type limits.
 */
import http from 'node:http';
import https from 'node:https';
import type { MediaBytes } from '../providers/types.js';
import { isDataUrl, parseDataUrl } from './data-url.js';
import { MediaError, displayUrl } from './errors.js';
import { declaredTypeMismatch, essenceOf, isGenericContentType, kindOfMime, resolveMimeType, sniffMimeType, type MediaKind } from './sniff.js';
import { pinnedLookup, resolveAndCheckHost, resolveRedirect, systemLookupAll, urlProblem, userinfo, type GuardPolicy, type LookupAll } from './url-guard.js';

export const MAX_REDIRECTS = 5;

/**
 * The one message for an input that was not delivered, whatever the reason (refused connection,
 * timeout, an error status, a body cut short): a task error must not tell a tenant whether a port
 * answered or what a host replied.
 */
function notDelivered(url: string | URL): MediaError {
  return new MediaError('input_fetch_failed', `Could not download ${displayUrl(url)}: it was not delivered. Make sure the URL is public and serves the file directly.`);
}

export interface MediaLoaderOptions {
  allowPrivateNetwork: boolean;
  maxBytes: Record<MediaKind, number>;
  /** Total time for one input: DNS, every redirect hop and the whole body. */
  timeoutMs: number;
}

export type MediaLoader = (urlOrDataUrl: string, kind: MediaKind) => Promise<MediaBytes>;

/** Lower-level knobs; the policy's `isBlocked`/`allowHttp` let tests exercise the guard on loopback servers. */
export interface GuardedFetchOptions extends GuardPolicy {
  maxBytes: number;
  timeoutMs: number;
  lookupAll?: LookupAll;
  signal?: AbortSignal;
}

export function createMediaLoader(opts: MediaLoaderOptions): MediaLoader {
  return async (urlOrDataUrl, kind) => {
    const maxBytes = opts.maxBytes[kind];
    if (isDataUrl(urlOrDataUrl)) return decodeDataUrl(urlOrDataUrl, kind, maxBytes);
    return fetchGuarded(urlOrDataUrl, kind, { allowPrivateNetwork: opts.allowPrivateNetwork, maxBytes, timeoutMs: opts.timeoutMs });
  };
}

function decodeDataUrl(value: string, kind: MediaKind, maxBytes: number): MediaBytes {
  const parsed = parseDataUrl(value, maxBytes);
  // The create checked the same (tasks/create.ts); a task stored before that check is refused here.
  const problem = declaredTypeMismatch(parsed.mimeType, parsed.bytes, kind);
  if (problem) throw new MediaError('input_type_mismatch', `The data: URL is not usable: ${problem}.`);
  return { bytes: parsed.bytes, mimeType: isGenericContentType(parsed.mimeType) ? sniffMimeType(parsed.bytes)! : parsed.mimeType };
}

interface Hop {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/** Fetches one http(s) URL under the guard. Throws MediaError for every refusal or failure. */
export async function fetchGuarded(rawUrl: string, kind: MediaKind, o: GuardedFetchOptions): Promise<MediaBytes> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new MediaError('input_invalid', 'The input is not a valid URL; send an https URL or a data: URL.');
  }
  const policy: GuardPolicy = { allowPrivateNetwork: o.allowPrivateNetwork, allowHttp: o.allowHttp, isBlocked: o.isBlocked };
  const syntaxProblem = urlProblem(url, policy);
  if (syntaxProblem) throw new MediaError('input_not_allowed', `Input ${displayUrl(url)} is not allowed: ${syntaxProblem}.`);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(notDelivered(rawUrl)), o.timeoutMs);
  const onOuterAbort = () => controller.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = controller.signal;
  const originalOrigin = url.origin;
  try {
    for (let hop = 0; ; hop++) {
      const checked = await abortable(resolveAndCheckHost(url.hostname, policy, o.lookupAll ?? systemLookupAll), signal);
      // Basic-auth userinfo goes to the origin the caller named, never to a redirect target.
      const res = await request(url, pinnedLookup(checked), url.origin === originalOrigin, signal);
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        res.body.resume();
        if (hop >= MAX_REDIRECTS) throw new MediaError('input_fetch_failed', `${displayUrl(rawUrl)} redirected more than ${MAX_REDIRECTS} times.`);
        const location = Array.isArray(res.headers.location) ? res.headers.location[0] : res.headers.location;
        url = resolveRedirect(url, location, policy);
        continue;
      }
      if (res.status < 200 || res.status >= 300) {
        res.body.resume();
        throw notDelivered(url);
      }
      const declared = essenceOf(res.headers['content-type']);
      const earlyProblem = declaredTypeProblem(declared, kind);
      if (earlyProblem) {
        res.body.destroy();
        throw new MediaError('input_type_mismatch', `Input ${displayUrl(url)} is not usable: ${earlyProblem}.`);
      }
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > o.maxBytes) {
        res.body.destroy();
        throw tooLarge(url, o.maxBytes, kind, length);
      }
      const bytes = await readCapped(res.body, o.maxBytes, url, kind, signal);
      const decided = resolveMimeType(declared, bytes, kind);
      if ('problem' in decided) throw new MediaError('input_type_mismatch', `Input ${displayUrl(url)} is not usable: ${decided.problem}.`);
      return { bytes, mimeType: decided.mimeType };
    }
  } catch (err) {
    if (signal.aborted && signal.reason instanceof MediaError) throw signal.reason;
    if (o.signal?.aborted) throw o.signal.reason ?? err;
    throw err;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** A specific declared type of another kind (text/html for an image) is refused before reading the body. */
function declaredTypeProblem(declared: string | undefined, kind: MediaKind): string | null {
  if (!declared || isGenericContentType(declared) || kindOfMime(declared) === kind) return null;
  return `expected ${kind} but the content type is '${declared}'`;
}

function tooLarge(url: URL, max: number, kind: MediaKind, actual?: number): MediaError {
  const size = actual !== undefined ? ` (${actual} bytes)` : '';
  return new MediaError('input_too_large', `Input ${displayUrl(url)} is larger than the ${max}-byte limit for ${kind} inputs${size}.`);
}

function request(url: URL, lookup: ReturnType<typeof pinnedLookup>, sendAuth: boolean, signal: AbortSignal): Promise<Hop> {
  const mod = url.protocol === 'https:' ? https : http;
  const auth = sendAuth && url.username ? userinfo(url) : undefined; // urlProblem already refused undecodable userinfo
  return new Promise<Hop>((resolve, reject) => {
    const req = mod.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        auth,
        lookup,
        // Host and TLS SNI are the URL's hostname even though the socket goes to the pinned address.
        servername: url.hostname.replace(/^\[|\]$/g, ''),
        headers: { 'user-agent': 'vidgate-media-fetcher', accept: '*/*', 'accept-encoding': 'identity' },
        agent: false,
        signal,
      },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    req.on('error', () => {
      if (signal.aborted) return reject(signal.reason);
      reject(notDelivered(url));
    });
    req.end();
  });
}

function readCapped(body: http.IncomingMessage, max: number, url: URL, kind: MediaKind, signal: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // destroy() emits 'aborted'/'error' synchronously: the first reason must win.
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      body.destroy();
      reject(err);
    };
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) return fail(tooLarge(url, max, kind));
      chunks.push(chunk);
    });
    body.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    body.on('error', () => fail(signal.aborted ? signal.reason : notDelivered(url)));
    body.on('aborted', () => fail(signal.aborted ? signal.reason : notDelivered(url)));
  });
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
