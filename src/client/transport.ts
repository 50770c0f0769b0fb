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
  /**
   * The answer is a file the caller reads at its own pace: the timeout bounds the wait for the
   * answer's head and then each wait for more bytes, never the whole transfer (a large video takes
   * longer than an API answer, and a caller piping it to a slow disk is not a dead server).
   */
  streamBody?: boolean;
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
    const deadline = new Deadline(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    let res: Response;
    try {
      res = await opts.fetch(url, { method: init.method ?? 'GET', headers, body, signal });
    } catch (err) {
      deadline.stop();
      if (init.signal?.aborted) throw abortError(init.signal);
      const timedOut = deadline.signal.aborted;
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
    if (res.ok && init.streamBody && res.body) return paced(res, deadline, `No bytes from ${url.origin} for ${timeoutMs} ms.`);
    if (res.ok) return res;
    deadline.stop();
    const error = await VidgateError.fromResponse(res);
    if (attempt >= opts.maxRetries || !retryableStatus(res.status) || error.details.retryable === false) throw error;
    await sleep(retryDelayMs(attempt, res.headers.get('retry-after')), init.signal);
  }
}

/** A timeout that can be stopped and started again (AbortSignal.timeout cannot): one per attempt. */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  readonly signal = this.controller.signal;

  constructor(private readonly ms: number) {
    this.start();
  }

  start(): void {
    this.stop();
    this.timer = setTimeout(() => this.controller.abort(new DOMException(`No answer within ${this.ms} ms.`, 'TimeoutError')), this.ms);
    // As AbortSignal.timeout: a pending deadline alone does not keep a Node process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/**
 * The answer with its body handed out as the caller reads it: the deadline runs only while a read
 * waits for the network (not while the caller holds back), and running out is a VidgateError.
 */
function paced(res: Response, deadline: Deadline, timeoutMessage: string): Response {
  deadline.stop();
  const reader = res.body!.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        deadline.start();
        try {
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (err) {
          controller.error(deadline.signal.aborted ? new VidgateError({ status: 0, type: 'timeout_error', code: 'request_timeout', message: timeoutMessage }) : err);
        } finally {
          deadline.stop();
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Nothing is read ahead of the caller, so a caller that pauses is never taken for a silent server.
    { highWaterMark: 0 },
  );
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
