/**
 * Option handling shared by the API-key HTTP adapters: the base URL, the two timeouts, and the
 * redaction that keeps the key out of every error message whatever upstream echoes back.
 */
import { redactSecrets, type ErrorMapper } from './http.js';
import { UpstreamError } from './types.js';

export interface HttpAdapterOptions {
  apiKey: string;
  /** Base URL override (the sandbox points it at a simulator); each adapter documents its default. */
  baseUrl?: string;
  /** Per-call timeout for API calls and a download's response headers. Default 60 s. */
  timeoutMs?: number;
  /** Total time allowed to stream one output. Default 10 min. */
  downloadTimeoutMs?: number;
}

export interface ResolvedHttpAdapterOptions {
  /** The base URL without trailing slashes; paths are appended to it. */
  baseHref: string;
  timeoutMs: number;
  downloadTimeoutMs: number;
  /** What error messages must never contain. */
  secrets: string[];
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 600_000;

export function resolveHttpAdapterOptions(opts: HttpAdapterOptions, defaultBaseUrl: string): ResolvedHttpAdapterOptions {
  return {
    baseHref: new URL(opts.baseUrl ?? defaultBaseUrl).href.replace(/\/+$/, ''),
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    downloadTimeoutMs: opts.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
    secrets: [opts.apiKey],
  };
}

/** The same error with the secrets redacted from its message (the very object when there were none). */
export function redactUpstreamError(e: UpstreamError, secrets: readonly string[]): UpstreamError {
  const message = redactSecrets(e.message, secrets);
  return message === e.message ? e : new UpstreamError(e.kind, message, e.httpStatus, e.retryAfterSeconds, e.upstreamCode);
}

/** Wraps a provider's pure HTTP error mapping so that its messages never carry the secrets. */
export function redactingErrorMapper(mapHttpError: ErrorMapper, secrets: readonly string[]): ErrorMapper {
  return (status, body, headers) => redactUpstreamError(mapHttpError(status, body, headers), secrets);
}
