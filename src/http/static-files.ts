import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply } from 'fastify';
import { PACKAGE_ROOT } from './package-root.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Pages only talk to this gateway; videos may come from PUBLIC_BASE_URL (another origin behind a proxy). */
const CSP = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' http: https: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const cache = new Map<string, Buffer>();

/**
 * Serves one of the gateway's own web assets (the playground, the docs page) from the source
 * tree, so there is no copy step: `name` is a fixed file name chosen by the route, never user input.
 */
export function sendAsset(reply: FastifyReply, folder: string, name: string): FastifyReply {
  const file = path.join(PACKAGE_ROOT, 'src', 'http', folder, name);
  let bytes = cache.get(file);
  if (!bytes) {
    bytes = fs.readFileSync(file);
    cache.set(file, bytes);
  }
  return reply
    .header('content-type', TYPES[path.extname(name)] ?? 'application/octet-stream')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-cache')
    .send(bytes);
}
