import { VidgateError } from './errors.js';

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Extra attempts after the first, on 429, 5xx and network errors. */
  maxRetries: number;
  fetch: typeof fetch;
}

export interface RequestInit2 {
  method?: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Absolute URL (a signed file link): sent without the API key. */
  absolute?: boolean;
  /** Per-attempt timeout for this call (long polls need more than the default). */
  timeoutMs?: number;
}

const MAX_BACKOFF_MS = 8_000;
const MAX_RETRY_AFTER_MS = 60_000;

/** Delay before retry `attempt` (0-based): exponential with full jitter, or the server's Retry-After. */
export function retryDelayMs(attempt: number, retryAfter: string | null, now = Date.now()): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  }
  const cap = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt);
  return cap / 2 + Math.random() * (cap / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** A 5xx or 429 is retried, unless the server says the error is not retryable. */
function retryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/**
 * One HTTP call with timeouts and retries. The caller's signal aborts everything (rethrown as is);
 * the per-attempt timeout and connection failures become VidgateErrors with status 0.
 */
export async function send(opts: TransportOptions, path: string, init: RequestInit2 = {}): Promise<Response> {
  const url = init.absolute ? new URL(path) : new URL(opts.baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (opts.apiKey && !init.absolute) headers.authorization = `Bearer ${opts.apiKey}`;
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const timeoutMs = init.timeoutMs ?? opts.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await opts.fetch(url, { method: init.method ?? 'GET', headers, body, signal });
    } catch (err) {
      if (init.signal?.aborted) throw abortError(init.signal);
      const timedOut = timeout.aborted;
      const failure = new VidgateError({
        status: 0,
        type: timedOut ? 'timeout_error' : 'connection_error',
        code: timedOut ? 'request_timeout' : 'connection_error',
        message: timedOut ? `No answer from ${url.origin} within ${timeoutMs} ms.` : `Cannot reach ${url.origin}: ${describeNetworkError(err)}.`,
      });
      if (attempt >= opts.maxRetries) throw failure;
      await sleep(retryDelayMs(attempt, null), init.signal);
      continue;
    }
    if (res.ok) return res;
    const error = await VidgateError.fromResponse(res);
    if (attempt >= opts.maxRetries || !retryableStatus(res.status) || error.details.retryable === false) throw error;
    await sleep(retryDelayMs(attempt, res.headers.get('retry-after')), init.signal);
  }
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
