import { checkInputUrlSyntax } from '../media/url-guard.js';

/** Longest callback or webhook URL accepted (the common limit of browsers, proxies and TokenLab's own fields). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Why `url` cannot receive webhooks (callback_url, a key's default), or null when it can. */
export function webhookUrlProblem(url: unknown, allowPrivateNetwork: boolean): string | null {
  if (typeof url !== 'string' || url.startsWith('data:')) return 'must be an https URL';
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters (got ${url.length})`;
  return checkInputUrlSyntax(url, allowPrivateNetwork);
}
