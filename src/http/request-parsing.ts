import { randomBytes } from 'node:crypto';
import { ApiError, badRequest } from '../contract/errors.js';
import { clip } from '../contract/preview.js';
import { repeatedKey } from '../contract/repeated-keys.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Unique per process start + a counter: cheaper than random bytes on every request, still unique. */
const BOOT = randomBytes(6).toString('hex');
let sequence = 0;

/** The caller's request id when it is sane (so logs correlate across systems), else a new one. */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${BOOT}${(++sequence).toString(36)}`;
}

/**
 * A query parameter's value, undefined when absent; the 400 when it is given more than once (the
 * parser makes an array of a repeat), so every route says so rather than that its value is bad.
 */
export function queryValue(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || typeof v === 'string') return v;
  throw badRequest(name, `'${name}' must be given once.`, 'invalid_value');
}

/** A list's `limit`: a whole number from 1 to 100, 20 when not given (one rule for every list route). */
export function pageLimit(q: Record<string, unknown>): number {
  const raw = queryValue(q, 'limit');
  if (raw === undefined) return 20;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 100)) throw badRequest('limit', "'limit' must be a whole number from 1 to 100.", 'invalid_value');
  return n;
}

/**
 * The 415 for a body sent compressed (any Content-Encoding but identity): bodies are read as sent,
 * so a gzip body would otherwise be answered as "not valid JSON". Both the framework (app.ts) and
 * the creates read off the socket (which leave such a request to it) answer through this.
 */
export function refuseEncodedBody(encoding: string | undefined): void {
  if (encoding === undefined || /^[ \t]*(identity)?[ \t]*$/i.test(encoding)) return;
  throw new ApiError(
    415,
    'invalid_request_error',
    'unsupported_media_type',
    `Compressed request bodies are not accepted (Content-Encoding: ${clip(encoding)}); send the body uncompressed, without a Content-Encoding header.`,
    null,
  );
}

/**
 * A JSON request body as sent (blank: none); the 400 for anything else. Every JSON body comes
 * through here — the framework's parser (app.ts: creates on both APIs, admin, webhooks) and the
 * creates read off the socket (socket-creates.ts) — so each refuses a key given twice in one
 * object alike, which JSON.parse would otherwise settle silently by keeping the last value.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_request_error', 'invalid_json', 'The request body is not valid JSON.', null);
  }
  const repeated = repeatedKey(text);
  if (repeated !== null) {
    const name = clip(repeated);
    throw badRequest(name, `'${name}' is sent more than once in the JSON body; send each key once.`, 'duplicate_parameter');
  }
  return body;
}
