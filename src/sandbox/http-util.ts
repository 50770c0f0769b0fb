import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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

/** HMAC-signed, expiring paths: what a storage bucket's signed URL is to the real providers. */
export function createUrlSigner(ttlMs: number) {
  const secret = randomBytes(32);
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
