/**
 * The one HTTP transport every provider uses: base URL and auth scheme, one deadline per call,
 * no redirects on API calls (they would carry the credentials elsewhere), error classification
 * through the provider's ErrorSpec, redaction, and response validation with a zod schema at the
 * boundary, so an unexpected upstream shape is a clear error and never a crash. Downloads follow
 * redirects by hand under one failure policy. No retries here: the engine decides those from the
 * UpstreamError kind.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { z } from 'zod';
import { UpstreamError, type OpenedOutput } from '../types.js';
import type { AuthScheme } from './auth.js';
import { startDeadline } from './deadline.js';
import { classifyHttpError, networkError, parseMaybeJson, readErrorBody, redactUpstreamError, type ErrorSpec } from './errors.js';
import { sanitizeMessage } from './redact.js';

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 600_000;
/** Redirect hops a download may take before we give up. */
export const MAX_DOWNLOAD_REDIRECTS = 5;

export interface TransportOptions {
  baseUrl: string;
  auth: AuthScheme;
  errors: ErrorSpec;
  /** Per API call, and for a download's response headers. Default 60 s. */
  timeoutMs?: number;
  /** One whole download or upload. Default 10 min. */
  downloadTimeoutMs?: number;
}

/** What a call needs of the adapter context: the caller's stop signal. */
export interface CallContext {
  signal?: AbortSignal;
}

export interface ApiCall<T> {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT';
  /** Appended to the base URL; starts with '/'. Path segments from upstream ids must be checked or encoded by the caller. */
  path: string;
  /** A JSON body, a multipart form, or JSON the provider serialised itself (Kling's int64 ids). */
  body?: { json: unknown } | { form: FormData } | { text: string };
  schema: z.ZodType<T>;
  /** Short label for messages, e.g. "Gemini predictLongRunning" (never the URL: it may carry a key). */
  what: string;
  ctx: CallContext;
  headers?: Record<string, string>;
  /** Errors some providers report inside a 2xx answer (Kling's code, MiniMax's base_resp). */
  envelopeError?: (body: unknown, headers: Headers, status: number) => UpstreamError | undefined;
  /** What an empty 2xx body means (xAI answers a pending job with 202 and sometimes nothing). Default {}. */
  emptyBody?: unknown;
  /** This call's error vocabulary when it differs from the provider's (MiniMax reads codes by phase). */
  errors?: ErrorSpec;
}

export interface ApiAnswer<T> {
  value: T;
  status: number;
  headers: Headers;
  /** The raw text, for the rare field a JavaScript number cannot hold. */
  text: string;
}

export interface DownloadRequest {
  url: string;
  what: string;
  ctx: CallContext;
  /** 'api-origin': the credentials go to hops on the API's own origin only; 'none': a pre-signed link. */
  credentials: 'none' | 'api-origin';
  /** The type to assume when the answer's own is not a media type. */
  mimeType?: string;
  accept?: string;
}

export interface Transport {
  readonly base: URL;
  /** The base URL without trailing slashes. */
  readonly baseHref: string;
  readonly timeoutMs: number;
  readonly downloadTimeoutMs: number;
  call<T>(c: ApiCall<T>): Promise<ApiAnswer<T>>;
  download(d: DownloadRequest): Promise<OpenedOutput>;
  /** PUT bytes to a pre-signed upload URL (no credentials); resolves with the answer, whatever its status. */
  upload(url: string, bytes: Buffer, contentType: string, what: string, ctx: CallContext): Promise<Response>;
  /** The provider's (or the given vocabulary's) classification of an error answer, redacted. */
  error(status: number, body: unknown, headers?: Headers, errors?: ErrorSpec): UpstreamError;
  /** An upstream text fit for a task error (redacted with this channel's secrets, capped). */
  sanitize(message: string | undefined | null, fallback: string): string;
  redact(e: UpstreamError): UpstreamError;
}

export function createTransport(o: TransportOptions): Transport {
  const base = new URL(o.baseUrl);
  const baseHref = base.href.replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const downloadTimeoutMs = o.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const secrets = () => o.auth.secrets();
  const error = (status: number, body: unknown, headers?: Headers, errors: ErrorSpec = o.errors) => classifyHttpError(errors, status, body, headers, secrets());
  const redact = (e: UpstreamError) => redactUpstreamError(e, secrets());

  async function call<T>(c: ApiCall<T>): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...o.auth.headers(), ...c.headers };
    let body: string | FormData | undefined;
    if (c.body && 'json' in c.body) body = JSON.stringify(c.body.json);
    else if (c.body && 'text' in c.body) body = c.body.text;
    else if (c.body && 'form' in c.body) body = c.body.form; // fetch sets the multipart boundary itself
    if (typeof body === 'string') headers['content-type'] = 'application/json';
    const deadline = startDeadline(timeoutMs, c.ctx.signal);
    const fail = (err: unknown) => networkError(err, c.ctx.signal, c.what, deadline.expired(), timeoutMs);
    try {
      let res: Response;
      try {
        res = await fetch(`${baseHref}${c.path}`, { method: c.method, headers, body, redirect: 'manual', signal: deadline.signal });
      } catch (err) {
        throw fail(err);
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => undefined);
        throw new UpstreamError('unavailable', `${c.what}: unexpected redirect (HTTP ${res.status})`, res.status);
      }
      if (!res.ok) throw classifyHttpError(c.errors ?? o.errors, res.status, await readErrorBody(res), res.headers, secrets());
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw fail(err);
      }
      // A 2xx we cannot read may well have been acted on (a job created): ambiguous, never an outage.
      const parsed = text.trim() === '' ? (c.emptyBody ?? {}) : parseMaybeJson(text);
      if (typeof parsed !== 'object' || parsed === null) throw new UpstreamError('ambiguous', `${c.what}: upstream returned a body that is not JSON`, res.status);
      const enveloped = c.envelopeError?.(parsed, res.headers, res.status);
      if (enveloped) throw redact(enveloped);
      const checked = c.schema.safeParse(parsed);
      if (!checked.success) throw new UpstreamError('ambiguous', `${c.what}: upstream answered with an unexpected shape (${describeIssue(checked.error)})`, res.status);
      return { value: checked.data, status: res.status, headers: res.headers, text };
    } finally {
      deadline.clear();
    }
  }

  async function download(d: DownloadRequest): Promise<OpenedOutput> {
    let url: URL;
    try {
      url = new URL(d.url, base);
    } catch {
      throw new UpstreamError('not_found', `${d.what}: the output URL does not parse.`);
    }
    // Headers must come within the call timeout, the whole body within the download timeout.
    const whole = startDeadline(downloadTimeoutMs, d.ctx.signal);
    const headersDue = startDeadline(timeoutMs, whole.signal);
    const fail = (err: unknown) => networkError(err, d.ctx.signal, d.what, whole.expired() || headersDue.expired(), whole.expired() ? downloadTimeoutMs : timeoutMs);
    let handedOver = false;
    try {
      for (let hop = 0; ; hop++) {
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UpstreamError('not_found', `${d.what}: the output URL is not http(s).`);
        const apiHop = d.credentials === 'api-origin' && url.origin === base.origin;
        const headers = { accept: d.accept ?? '*/*', ...(apiHop ? o.auth.headers() : {}) };
        let res: Response;
        try {
          res = await fetch(url, { headers, redirect: 'manual', signal: headersDue.signal });
        } catch (err) {
          throw fail(err);
        }
        if (res.status >= 300 && res.status < 400) {
          const location = res.headers.get('location');
          await res.body?.cancel().catch(() => undefined);
          if (!location) throw new UpstreamError('unavailable', `${d.what}: redirect (HTTP ${res.status}) without a Location.`, res.status);
          if (hop >= MAX_DOWNLOAD_REDIRECTS) throw new UpstreamError('unavailable', `${d.what}: more than ${MAX_DOWNLOAD_REDIRECTS} redirects.`);
          url = new URL(location, url);
          continue;
        }
        if (!res.ok) throw apiHop ? error(res.status, await readErrorBody(res), res.headers) : await storageError(res, d.what);
        if (!res.body) throw new UpstreamError('unavailable', `${d.what} returned no body.`, res.status);
        headersDue.clear();
        const body = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
        // From here the whole-download deadline alone may stop the body.
        whole.signal.addEventListener('abort', () => body.destroy(fail(whole.signal.reason) as Error), { once: true });
        body.once('close', () => whole.clear());
        handedOver = true;
        return { body, contentType: mediaTypeOf(res) ?? d.mimeType ?? 'video/mp4' };
      }
    } finally {
      headersDue.clear();
      if (!handedOver) whole.clear();
    }
  }

  async function upload(url: string, bytes: Buffer, contentType: string, what: string, ctx: CallContext): Promise<Response> {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new UpstreamError('unavailable', `${what}: the upload URL is not http(s).`);
    const deadline = startDeadline(downloadTimeoutMs, ctx.signal);
    try {
      const res = await fetch(target, { method: 'PUT', headers: { 'content-type': contentType }, body: new Blob([new Uint8Array(bytes)]), redirect: 'manual', signal: deadline.signal });
      // The answer is small (an ETag, or an error); read it within the deadline so no body stays open.
      const answer = await res.arrayBuffer();
      return new Response(res.ok ? null : answer, { status: res.status, headers: res.headers });
    } catch (err) {
      throw networkError(err, ctx.signal, what, deadline.expired(), downloadTimeoutMs);
    } finally {
      deadline.clear();
    }
  }

  return {
    base,
    baseHref,
    timeoutMs,
    downloadTimeoutMs,
    call,
    download,
    upload,
    error,
    sanitize: (message, fallback) => sanitizeMessage(message, fallback, secrets()),
    redact,
  };
}

/**
 * The one policy for a storage link (pre-signed URL) that refuses a download: refused or gone
 * (401/403/404/410) means the link expired, anything else is the storage being unwell. Both are
 * retried by the finisher, which asks the provider for the output again where it can.
 */
async function storageError(res: Response, what: string): Promise<UpstreamError> {
  await res.body?.cancel().catch(() => undefined);
  if ([401, 403, 404, 410].includes(res.status)) return new UpstreamError('not_found', `${what}: the output link was refused or has expired (HTTP ${res.status}).`, res.status);
  return new UpstreamError('unavailable', `${what}: the storage host answered HTTP ${res.status}.`, res.status);
}

/** The answer's own media type when it is one (video/…, image/…), else undefined. */
function mediaTypeOf(res: Response): string | undefined {
  const type = res.headers.get('content-type')?.split(';')[0].trim().toLowerCase();
  return type && (type.startsWith('video/') || type.startsWith('image/')) ? type : undefined;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'no details';
  const at = issue.path.length ? issue.path.join('.') : 'the body';
  return `${at}: ${issue.message}`;
}
