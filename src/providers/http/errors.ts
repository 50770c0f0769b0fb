/**
 * The one classification of upstream failures: HTTP status → error kind (providers override it by
 * their own codes only), network failures → unavailable / ambiguous / timeout, and the error body
 * read safely (capped, never throwing).
 */
import { UpstreamError, type UpstreamErrorKind } from '../types.js';
import { DeadlineError } from './deadline.js';
import { plainText, sanitizeMessage } from './redact.js';
import { headerValue, parseRetryAfter, type HeaderBag } from './retry-after.js';

/** Error bodies larger than this are truncated before parsing; nobody needs megabytes of HTML. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * The status table every provider shares. 429 and 5xx prove the upstream did not act (retry);
 * 4xx are permanent for the task. 409 stays permanent here: a provider whose 409 means "busy"
 * says so through its spec.
 */
export function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status === 408) return 'timeout';
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'quota';
  if (status === 404 || status === 410) return 'not_found';
  return 'invalid_input';
}

/** What a provider's error envelope says. `kind` only where the provider's own code decides it. */
export interface ErrorReading {
  code?: string;
  message?: string;
  kind?: UpstreamErrorKind;
  retryAfterSeconds?: number;
}

/** A provider's error vocabulary: how to read its envelope. The rest is shared. */
export interface ErrorSpec {
  /** Name used in fallback messages, e.g. "Gemini API". */
  label: string;
  read(body: unknown, status: number, headers: HeaderBag | undefined): ErrorReading;
}

/** One upstream error from a non-2xx answer (or a 2xx whose envelope carries an error). */
export function classifyHttpError(spec: ErrorSpec, status: number, body: unknown, headers?: HeaderBag, secrets: readonly string[] = []): UpstreamError {
  const r = spec.read(body, status, headers);
  const kind = r.kind ?? kindForStatus(status);
  const retryAfter = r.retryAfterSeconds ?? (kind === 'rate_limited' || kind === 'unavailable' ? parseRetryAfter(headerValue(headers, 'retry-after')) : undefined);
  const fallback = `${spec.label} returned HTTP ${status}${r.code ? ` ${r.code}` : ''}.`;
  const message = sanitizeMessage(r.message ?? plainText(body), fallback, secrets);
  return new UpstreamError(kind, message, status, retryAfter, r.code);
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

/** Errors raised before a request leaves: the upstream certainly did not act on it. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

/**
 * Turns a fetch() rejection into an UpstreamError. Our own deadline, or the caller's when it is a
 * timeout (the engine's per-call cap), is `timeout`. Any other abort by the caller is rethrown as it
 * is: the engine asked to stop and must not see it as an upstream fault. A failure to connect proves
 * the upstream never saw the request (`unavailable`); anything after that is `ambiguous`.
 */
export function networkError(err: unknown, outer: AbortSignal | undefined, what: string, deadlineExpired: boolean, timeoutMs: number): unknown {
  if (deadlineExpired || err instanceof DeadlineError) return new UpstreamError('timeout', `${what} timed out after ${Math.round(timeoutMs / 1000)} s`);
  if (outer?.aborted) {
    if ((outer.reason as { name?: string } | undefined)?.name === 'TimeoutError') return new UpstreamError('timeout', `${what} did not answer within the gateway's upstream timeout`);
    return outer.reason ?? err;
  }
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new UpstreamError('timeout', `${what} timed out after ${Math.round(timeoutMs / 1000)} s`);
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code ? ` (${cause.code})` : '';
  if ((cause?.code && CONNECT_FAILURES.has(cause.code)) || cause?.message === 'bad port') return new UpstreamError('unavailable', `${what} failed: could not connect${code}`);
  return new UpstreamError('ambiguous', `${what} failed: the connection broke after the request was sent${code}; the upstream may or may not have acted on it`);
}

/** The same error with the secrets redacted from its message (the very object when there were none). */
export function redactUpstreamError(e: UpstreamError, secrets: readonly string[]): UpstreamError {
  const message = sanitizeMessage(e.message, e.message, secrets);
  return message === e.message ? e : new UpstreamError(e.kind, message, e.httpStatus, e.retryAfterSeconds, e.upstreamCode);
}
