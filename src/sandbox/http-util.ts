import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Thrown by readBody when the client sends more than the limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** Read a whole request body, refusing (after draining) anything over `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  if (tooLarge) throw new BodyTooLargeError(limit);
  return Buffer.concat(chunks);
}

/**
 * Read and parse a JSON body. `refuse` turns an oversized or unparseable body into the provider's
 * own 4xx; other read failures (the client went away) propagate unchanged.
 */
export async function readJsonBody(req: IncomingMessage, limit: number, refuse: (why: 'too-large' | 'invalid-json', err: Error) => Error, parse: (text: string) => unknown = JSON.parse): Promise<unknown> {
  let text: string;
  try {
    text = (await readBody(req, limit)).toString('utf8');
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw refuse('too-large', err);
    throw err;
  }
  try {
    return parse(text);
  } catch (err) {
    throw refuse('invalid-json', err as Error);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Parse a single `bytes=` range against a file size; null = whole file, 'invalid' = answer 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multi-range and other units are legal to ignore: serve the whole file.
  if (!m) return header.trim().startsWith('bytes=') && !header.includes(',') ? 'invalid' : null;
  const [, a, b] = m;
  if (a === '' && b === '') return 'invalid';
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}

/** Serve a file with Range support (206/416), streaming it rather than buffering. */
export async function serveFile(req: IncomingMessage, res: ServerResponse, path: string, contentType: string): Promise<void> {
  const { size } = await stat(path);
  const range = parseRange(req.headers.range, size);
  const base = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=0' };
  if (range === 'invalid') {
    res.writeHead(416, { ...base, 'content-range': `bytes */${size}`, 'content-length': 0 });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const headers: Record<string, string | number> = { ...base, 'content-length': size === 0 ? 0 : end - start + 1 };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(path, { start, end });
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

/** A malformed %-escape is just an id nobody issued. */
export const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** GET and HEAD: the methods a file or signed link answers. */
export function isReadMethod(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

export type UrlSigner = ReturnType<typeof createUrlSigner>;

/**
 * Serve a local file behind a signed link (what a pre-signed storage URL is to the real provider):
 * no API key. A missing file is refused like a bad signature, as storage does. `onServe` runs once
 * the link checks out, to count the download or inject a fault (by throwing).
 */
export async function serveSignedFile(
  req: IncomingMessage,
  res: ServerResponse,
  link: { url: URL; signer: UrlSigner; file: string | undefined; contentType: string },
  refuse: (why: 'expired' | 'bad') => void,
  onServe?: () => void,
): Promise<void> {
  const verdict = link.signer.verify(link.url.pathname, link.url.searchParams);
  if (verdict !== 'ok' || !link.file) {
    refuse(verdict === 'expired' ? 'expired' : 'bad');
    return;
  }
  onServe?.();
  await serveFile(req, res, link.file, link.contentType);
}

/**
 * HMAC-signed, expiring paths: what a storage bucket's signed URL is to the real providers. Give a
 * `secret` (kept in the work dir) so that links handed out before a restart stay valid after it.
 */
export function createUrlSigner(ttlMs: number, secret: string | Buffer = randomBytes(32)) {
  const sign = (path: string, expires: number) => createHmac('sha256', secret).update(`${path}\n${expires}`).digest('hex');
  return {
    /** `path?expires=…&signature=…`, valid for ttlMs from now. */
    sign(path: string): string {
      const expires = Date.now() + ttlMs;
      return `${path}?expires=${expires}&signature=${sign(path, expires)}`;
    },
    verify(path: string, query: URLSearchParams): 'ok' | 'expired' | 'bad' {
      const expires = Number(query.get('expires'));
      const given = Buffer.from(query.get('signature') ?? '', 'utf8');
      const want = Buffer.from(sign(path, expires), 'utf8');
      if (!Number.isFinite(expires) || given.length !== want.length || !timingSafeEqual(given, want)) return 'bad';
      return Date.now() > expires ? 'expired' : 'ok';
    },
  };
}

/** The token of an `Authorization: Bearer …` header (trimmed), or undefined when there is none. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1].trim();
}

/** A Bearer API key check: a missing key and a wrong one get each provider's own error. */
export function requireBearer(req: IncomingMessage, apiKey: string, missing: () => Error, wrong: () => Error): void {
  const token = bearerToken(req);
  if (token === undefined) throw missing();
  if (!sameSecret(token, apiKey)) throw wrong();
}

/** Constant-time comparison of a presented secret with the real one. */
export function sameSecret(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Links point back at whatever host the client used to reach us (loopback, container name…). */
export function requestOrigin(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : fallback;
}

/**
 * Check the options every simulator shares and create its work dir; returns the time scale.
 * `credentials` names the secrets that must be non-empty (e.g. `{ apiKey }`).
 */
export async function prepareSimulator(opts: { speed?: number; workDir: string }, credentials: Record<string, string | undefined>): Promise<number> {
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
  const names = Object.keys(credentials);
  if (names.some((name) => !credentials[name])) throw new RangeError(`${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} required`);
  await mkdir(opts.workDir, { recursive: true });
  return speed;
}

/** A real-world wait in seconds at the simulator's time scale, never under 1 s (Retry-After defaults). */
export function scaledSeconds(realSeconds: number, speed: number): number {
  return Math.max(1, Math.round(realSeconds / speed));
}

/** What a simulator's error classes share: enough to answer in the provider's envelope. */
export interface SimHttpError {
  readonly httpStatus: number;
  readonly headers: Record<string, string>;
  toBody(): unknown;
}

/**
 * An HTTP server running `handle`; whatever it throws, `toError` turns into the provider's error
 * (unknown errors into its 500). A reply already under way is cut off instead.
 */
export function createSimServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, toError: (err: unknown) => SimHttpError): Server {
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const e = toError(err);
      // Drain what the client is still sending so it reads our answer rather than a reset.
      req.resume();
      sendJson(res, e.httpStatus, e.toBody(), e.headers);
    });
  });
}

/** Listen and resolve with the `http://host:port` base URL. */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const h = addr.family === 'IPv6' || host.includes(':') ? `[${addr.address}]` : addr.address;
      resolve(`http://${h}:${addr.port}`);
    });
  });
}

/** Stop accepting, drop keep-alive connections, and wait for the server to close. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A promise that resolves after ms, early (without rejecting) if the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
