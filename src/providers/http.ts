/**
 * Thin HTTP helpers shared by every provider adapter: JSON calls with a timeout, safe reading of
 * error bodies, Retry-After parsing, secret redaction. No retries here: the engine decides those
 * from the UpstreamError kind.
 */
import { UpstreamError } from './types.js';

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
 * is rethrown unchanged: the engine asked to stop and must not see it as an upstream fault.
 */
export function networkError(err: unknown, outer: AbortSignal | undefined, what: string, timeoutMs: number): unknown {
  if (outer?.aborted) return outer.reason ?? err;
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new UpstreamError('timeout', `${what} timed out after ${Math.round(timeoutMs / 1000)} s`);
  }
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  const code = cause?.code ? ` (${cause.code})` : '';
  return new UpstreamError('unavailable', `${what} failed: network error${code}`);
}

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
    throw new UpstreamError('unavailable', `${req.what}: upstream returned a body that is not JSON`, res.status);
  }
}
