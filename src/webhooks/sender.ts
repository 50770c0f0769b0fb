/**
 * One webhook POST under the same SSRF guard as input fetches: the scheme and literal hosts are
 * checked, the name is resolved and every address checked, and the socket connects to the checked
 * address (pinned lookup), so DNS rebinding cannot reach a private host. Redirects are not followed:
 * a receiver answers where it was told to, and following would mean re-posting a signed body to a
 * destination the key never configured.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { displayUrl } from '../media/errors.js';
import { pinnedLookup, resolveAndCheckHost, systemLookupAll, urlProblem, userinfo, type CheckedAddress, type GuardPolicy, type LookupAll } from '../media/url-guard.js';

export interface SendOptions {
  policy: GuardPolicy;
  /** Whole attempt: DNS, connect, request, response headers and body. */
  timeoutMs: number;
  /** DNS and connect (TCP, and TLS for https); default: the whole-attempt timeout. */
  connectTimeoutMs?: number;
  /** Response bytes read before hanging up; the status is all we need. */
  maxResponseBytes: number;
  lookupAll?: LookupAll;
}

/** What happened; never throws. `status` is set whenever the receiver answered. */
export interface SendResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export async function postWebhook(rawUrl: string, body: string, headers: Record<string, string>, o: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const done = (status: number | null, error: string | null): SendResult => ({
    ok: error === null && status !== null && status >= 200 && status < 300,
    status,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return done(null, 'the callback URL is not a valid URL');
  }
  const problem = urlProblem(url, o.policy);
  if (problem) return done(null, `refused: ${problem}`);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), o.timeoutMs);
  let connected = false;
  const connectMs = Math.min(o.connectTimeoutMs ?? o.timeoutMs, o.timeoutMs);
  // A receiver that does not even accept the connection fails fast, so it cannot hold a slot.
  const connectTimer = setTimeout(() => {
    if (!connected) controller.abort();
  }, connectMs);
  const timedOut = () => (connected ? `timed out after ${o.timeoutMs} ms` : `could not connect within ${connectMs} ms`);
  try {
    let checked: CheckedAddress;
    try {
      checked = await Promise.race([resolveAndCheckHost(url.hostname, o.policy, o.lookupAll ?? systemLookupAll), aborted(controller.signal)]);
    } catch (err) {
      if (controller.signal.aborted) return done(null, timedOut());
      return done(null, `refused: ${(err as Error).message}`);
    }
    const outcome = await exchange(url, body, headers, pinnedLookup(checked), controller.signal, o.maxResponseBytes, () => (connected = true));
    if (outcome.status !== null && outcome.status >= 300 && outcome.status < 400) {
      return done(outcome.status, `redirects are not followed (HTTP ${outcome.status}); set the callback URL to the final address`);
    }
    if (outcome.status === null) return done(null, controller.signal.aborted ? timedOut() : outcome.error);
    return done(outcome.status, outcome.status >= 200 && outcome.status < 300 ? null : `HTTP ${outcome.status}`);
  } finally {
    clearTimeout(timer);
    clearTimeout(connectTimer);
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
}

/** Sends the request and reads at most `maxBytes` of the answer; the status line decides the outcome. */
function exchange(
  url: URL,
  body: string,
  headers: Record<string, string>,
  lookup: ReturnType<typeof pinnedLookup>,
  signal: AbortSignal,
  maxBytes: number,
  onConnect: () => void,
): Promise<{ status: number | null; error: string }> {
  const mod = url.protocol === 'https:' ? https : http;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const payload = Buffer.from(body, 'utf8');
  return new Promise((resolve) => {
    let status: number | null = null;
    let settled = false;
    const finish = (error = '') => {
      if (settled) return;
      settled = true;
      resolve({ status, error });
    };
    const req = mod.request(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        // The callback URL's own credentials (if any) are the receiver's business, sent as given.
        auth: url.username ? userinfo(url) : undefined, // urlProblem already refused undecodable userinfo
        lookup,
        // TLS SNI must be a name; for a literal address Node derives none.
        servername: isIP(host) ? undefined : host,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(payload.length),
          'user-agent': 'vidgate-webhooks',
        },
        agent: false,
        signal,
      },
      (res) => {
        status = res.statusCode ?? null;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > maxBytes) {
            res.destroy();
            finish();
          }
        });
        res.on('end', () => finish());
        // The status already arrived: a body cut short (or a timeout while reading it) does not change it.
        res.on('error', () => finish());
        res.on('aborted', () => finish());
        res.on('close', () => finish());
      },
    );
    req.on('socket', (socket) => {
      // https: connected once TLS is up; http: once TCP is.
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', onConnect);
    });
    req.on('error', (err) => finish(`could not reach ${displayUrl(url)}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    req.end(payload);
  });
}
