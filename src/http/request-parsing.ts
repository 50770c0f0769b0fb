import { randomBytes } from 'node:crypto';
import { ApiError } from '../contract/errors.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Unique per process start + a counter: cheaper than random bytes on every request, still unique. */
const BOOT = randomBytes(6).toString('hex');
let sequence = 0;

/** The caller's request id when it is sane (so logs correlate across systems), else a new one. */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${BOOT}${(++sequence).toString(36)}`;
}

/** A JSON request body as sent (blank: none); the 400 for anything else. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_request_error', 'invalid_json', 'The request body is not valid JSON.', null);
  }
}
