/**
 * Why an input could not be used. Messages name the problem and never contain URL credentials
 * (see `displayUrl`).
 */
export type MediaErrorCode =
  | 'input_invalid' // malformed URL or data: URL
  | 'input_not_allowed' // scheme or destination refused by the SSRF guard
  | 'input_fetch_failed' // network error, non-2xx, timeout, too many redirects
  | 'input_too_large'
  | 'input_type_mismatch';

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** A URL fit for messages and logs: no userinfo, no query (signed URLs carry secrets there), bounded length. */
export function displayUrl(value: string | URL): string {
  if (typeof value === 'string' && /^data:/i.test(value)) return 'data: URL';
  try {
    const u = typeof value === 'string' ? new URL(value) : value;
    const shown = `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
    return shown.length > 200 ? `${shown.slice(0, 199)}…` : shown;
  } catch {
    return 'the given URL';
  }
}
