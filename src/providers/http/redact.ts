/**
 * The one redaction every upstream text goes through before it leaves a provider: known secrets,
 * credentials in query strings and URL userinfo, Google-shaped keys; then a length cap, because
 * upstream messages are shown to users.
 */

/** Upstream messages are shown to users; keep them short. */
export const MAX_MESSAGE_CHARS = 500;

/** Removes every given secret and any `key=` query value from a text before it leaves the adapter. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  // Query-string credentials (Google's ?key=, generic token/signature params) and userinfo in URLs.
  out = out.replace(/([?&](?:key|api_key|apikey|access_token|token|signature|sig|x-goog-signature)=)[^&\s"'#]*/gi, '$1[redacted]');
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, '$1[redacted]@');
  // Google API keys have a recognisable shape; scrub them even when we do not know the key.
  out = out.replace(/AIza[0-9A-Za-z_-]{35}/g, '[redacted]');
  return out;
}

/** An upstream message fit for a task error: trimmed, redacted, capped; the fallback when empty. */
export function sanitizeMessage(message: string | undefined | null, fallback: string, secrets: readonly string[] = []): string {
  const m = redactSecrets((message ?? '').trim(), secrets) || fallback;
  return m.length > MAX_MESSAGE_CHARS ? `${m.slice(0, MAX_MESSAGE_CHARS - 1)}…` : m;
}

/** The readable text of an error body that is not the provider's JSON envelope (HTML error pages). */
export function plainText(body: unknown): string {
  return typeof body === 'string'
    ? body
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : '';
}
