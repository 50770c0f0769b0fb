/**
 * Thin HTTP helpers shared by every provider adapter: JSON calls with a timeout, safe reading of
 * error bodies, Retry-After parsing, secret redaction. No retries here: the engine decides those
 * from the UpstreamError kind.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UpstreamError, type OpenedOutput } from './types.js';

/** Error bodies larger than this are truncated before parsing; nobody needs megabytes of HTML. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export type HeaderBag = Headers | Record<string, string | undefined>;

export function headerValue(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | undefined>)) {
    if (k.toLowerCase() === lower) return v;
  }
  return undefined;
}

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns whole seconds (≥ 0), or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  if (/^\d+\.\d+$/.test(v)) return Math.ceil(Number(v));
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Removes every given secret and any `key=` query value from a text before it leaves the adapter. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  // Query-string credentials (Google's ?key=, generic token/signature params) and userinfo in URLs.
  out = out.replace(/([?&](?:key|api_key|apikey|access_token|token|signature|sig|x-goog-signature)=)[^&\s"'#]*/gi, '$1[redacted]');
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, '$1[redacted]@');
  // Google API keys have a recognisable shape; scrub them even when we do not know the key.
  out = out.replace(/AIza[0-9A-Za-z_-]{35}/g, '[redacted]');
  return out;
}

/** Reads at most MAX_ERROR_BODY_BYTES of a response and returns parsed JSON, else the text. Never throws. */
export async function readErrorBody(res: Response): Promise<unknown> {
  let text = '';
  try {
    if (res.body) {
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.byteLength;
        if (size >= MAX_ERROR_BODY_BYTES) {
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
      text = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
    }
  } catch {
    // A body that fails mid-read is still an error response; the status alone must do.
  }
  return parseMaybeJson(text);
}

export function parseMaybeJson(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}

/** A signal that fires on the timeout or when the caller's signal fires, whichever is first. */
export function timeoutSignal(timeoutMs: number, outer?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(timeoutMs);
  return outer ? AbortSignal.any([t, outer]) : t;
}

/**
 * Turns a fetch() rejection into an UpstreamError. If the caller's own signal aborted, its reason
 * is rethrown unchanged: the engine asked to stop and must not see it as an upstream fault. The
 * exception is the caller's deadline (an AbortSignal.timeout, e.g. the engine's per-call upstream
 * timeout): that is the upstream being too slow, a `timeout` like our own timer's.
 */
export function networkError(err: unknown, outer: AbortSignal | undefined, what: string, timeoutMs: number): unknown {
  if (outer?.aborted) {
    if ((outer.reason as { name?: string } | undefined)?.name === 'TimeoutError') return new UpstreamError('timeout', `${what} did not answer within the gateway's upstream timeout`);
    return outer.reason ?? err;
  }
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new UpstreamError('timeout', `${what} timed out after ${Math.round(timeoutMs / 1000)} s`);
  }
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code ? ` (${cause.code})` : '';
  // Only a failure to connect (or fetch refusing the URL outright) proves the upstream never saw the request.
  if ((cause?.code && CONNECT_FAILURES.has(cause.code)) || cause?.message === 'bad port') return new UpstreamError('unavailable', `${what} failed: could not connect${code}`);
  return new UpstreamError('ambiguous', `${what} failed: the connection broke after the request was sent${code}; the upstream may or may not have acted on it`);
}

/** Errors raised before a request leaves: the upstream certainly did not act on it. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

export type ErrorMapper = (status: number, body: unknown, headers: Headers) => UpstreamError;

export interface JsonRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Maps a non-2xx response to our error (provider-specific). */
  mapError: ErrorMapper;
  /** Short label for messages, e.g. "Google predictLongRunning" (never the URL: it may carry a key). */
  what: string;
}

/**
 * One JSON call. Redirects are not followed: API endpoints do not redirect, and following one would
 * forward our auth header to wherever it points.
 */
export async function fetchJson(req: JsonRequest): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const signal = timeoutSignal(req.timeoutMs, req.signal);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: 'manual',
      signal,
    });
  } catch (err) {
    throw networkError(err, req.signal, req.what, req.timeoutMs);
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    throw new UpstreamError('unavailable', `${req.what}: unexpected redirect (HTTP ${res.status})`, res.status);
  }
  if (!res.ok) {
    const body = await readErrorBody(res);
    throw req.mapError(res.status, body, res.headers);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw networkError(err, req.signal, req.what, req.timeoutMs);
  }
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    // A 2xx we cannot read may well have been acted on (a job created).
    throw new UpstreamError(res.ok ? 'ambiguous' : 'unavailable', `${req.what}: upstream returned a body that is not JSON`, res.status);
  }
}

/** Redirect hops a hand-followed download may take before we give up. */
export const MAX_DOWNLOAD_REDIRECTS = 5;

/** The time limits and labels of one output download. */
export interface DownloadLimits {
  /** How long each request may wait for response headers. */
  headerTimeoutMs: number;
  /** The whole transfer, body included. */
  totalTimeoutMs: number;
  /** The caller's signal: when it fires, the download stops and its reason is rethrown. */
  signal?: AbortSignal;
  /** Short label for messages, e.g. "Gemini download" (never the URL: it may be signed). */
  what: string;
}

/**
 * GET a pre-signed (or public) URL: no credentials at all, so fetch may follow redirects itself.
 * Resolves with whatever status came back; the caller maps non-2xx answers.
 */
export function fetchPresigned(url: string | URL, limits: DownloadLimits): Promise<Response> {
  return fetchWithinLimits(url, { accept: '*/*' }, 'follow', transferDeadline(limits), limits);
}

/**
 * GET following redirects by hand (at most MAX_DOWNLOAD_REDIRECTS), asking `headersFor` for each
 * hop's headers: that is how an API key goes to the API's own origin and never to the storage host
 * a redirect points at. Resolves with the first non-redirect answer; the caller maps non-2xx ones.
 */
export async function fetchFollowingRedirects(
  start: URL,
  limits: DownloadLimits & { headersFor(url: URL): Record<string, string>; notHttpMessage: string },
): Promise<Response> {
  const deadline = transferDeadline(limits);
  let url = start;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UpstreamError('unavailable', limits.notHttpMessage);
    const res = await fetchWithinLimits(url, limits.headersFor(url), 'manual', deadline, limits);
    if (res.status < 300 || res.status >= 400) return res;
    const location = res.headers.get('location');
    await res.body?.cancel().catch(() => undefined);
    if (!location) throw new UpstreamError('unavailable', `${limits.what}: redirect (HTTP ${res.status}) without a Location.`, res.status);
    if (hop >= MAX_DOWNLOAD_REDIRECTS) throw new UpstreamError('unavailable', `${limits.what}: more than ${MAX_DOWNLOAD_REDIRECTS} redirects.`);
    url = new URL(location, url);
  }
}

/** The media type a response declares (without parameters), if any. */
export function responseMediaType(res: Response): string | undefined {
  return res.headers.get('content-type')?.split(';')[0].trim() || undefined;
}

/** A successful download's body as the stream the gateway serves on. */
export function openedOutput(res: Response, what: string, contentType: string): OpenedOutput {
  if (!res.body) throw new UpstreamError('unavailable', `${what} returned no body.`, res.status);
  return { body: Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), contentType };
}

/** Fires when the whole transfer has run too long or the caller stops it. */
function transferDeadline(limits: DownloadLimits): AbortSignal {
  const total = AbortSignal.timeout(limits.totalTimeoutMs);
  return limits.signal ? AbortSignal.any([total, limits.signal]) : total;
}

/** One fetch whose headers must arrive within headerTimeoutMs; the body then runs until `deadline`. */
async function fetchWithinLimits(
  url: string | URL,
  headers: Record<string, string>,
  redirect: RequestRedirect,
  deadline: AbortSignal,
  limits: DownloadLimits,
): Promise<Response> {
  const headerTimeout = AbortSignal.timeout(limits.headerTimeoutMs);
  const controller = new AbortController();
  const onDeadline = () => controller.abort(deadline.reason);
  if (deadline.aborted) onDeadline();
  deadline.addEventListener('abort', onDeadline, { once: true });
  const onHeaderTimeout = () => controller.abort(headerTimeout.reason);
  headerTimeout.addEventListener('abort', onHeaderTimeout, { once: true });
  try {
    return await fetch(url, { headers, redirect, signal: controller.signal });
  } catch (err) {
    throw networkError(err, limits.signal, limits.what, deadline.aborted && !headerTimeout.aborted ? limits.totalTimeoutMs : limits.headerTimeoutMs);
  } finally {
    // Past the headers only the deadline may stop the body.
    headerTimeout.removeEventListener('abort', onHeaderTimeout);
  }
}
