/**
 * Vertex AI credentials: an OAuth2 access token minted from a service-account key (JWT-bearer grant
 * through google-auth-library, which caches the token and refreshes it before it expires), or a
 * static access token the operator refreshes themselves.
 */
import { readFileSync } from 'node:fs';
import { JWT } from 'google-auth-library';
import { UpstreamError } from '../types.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Longest wait for one token grant (the library retries a failed grant a few times within it). */
const TOKEN_TIMEOUT_MS = 30_000;
/** Where google-auth-library posts the JWT-bearer grant, whatever the key says. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The fields of a service-account JSON key this adapter uses. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri?: string;
}

/** Parse a service-account key; throws a one-line Error naming `source` and what is wrong (never the key). */
export function parseServiceAccountKey(json: string, source: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`${source} is not JSON; expected a service-account key file as downloaded from the Google Cloud console`);
  }
  const key = parsed as Partial<ServiceAccountKey> & { type?: unknown };
  if (typeof parsed !== 'object' || parsed === null || key.type !== 'service_account') {
    throw new Error(`${source} is not a service-account key (its "type" must be "service_account")`);
  }
  for (const field of ['client_email', 'private_key'] as const) {
    if (typeof key[field] !== 'string' || key[field] === '') throw new Error(`${source} has no "${field}"`);
  }
  if (!key.private_key!.includes('PRIVATE KEY')) throw new Error(`${source} has a "private_key" that is not a PEM private key`);
  if (key.token_uri !== undefined && !/^https?:\/\//.test(String(key.token_uri))) throw new Error(`${source} has a "token_uri" that is not an http(s) URL`);
  return key as ServiceAccountKey;
}

/** The key from inline JSON (VERTEX_SERVICE_ACCOUNT_JSON) or a file path (GOOGLE_APPLICATION_CREDENTIALS). */
export function loadServiceAccountKey(from: { json?: string; file?: string }): ServiceAccountKey {
  if (from.json !== undefined) return parseServiceAccountKey(from.json, 'VERTEX_SERVICE_ACCOUNT_JSON');
  let text: string;
  try {
    text = readFileSync(from.file!, 'utf8');
  } catch (err) {
    throw new Error(`GOOGLE_APPLICATION_CREDENTIALS names a file that cannot be read (${from.file}): ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseServiceAccountKey(text, `GOOGLE_APPLICATION_CREDENTIALS (${from.file})`);
}

/** Where an adapter gets the bearer token for its next call. */
export interface AccessTokens {
  /** A token valid now (cached; minted again shortly before it expires). */
  token(): Promise<string>;
  /** The upstream refused the token (401): drop it. False when no new one can be had (a static token). */
  invalidate(): boolean;
  /** Values never to show in a message. */
  secrets(): string[];
}

export function staticAccessToken(token: string): AccessTokens {
  return { token: async () => token, invalidate: () => false, secrets: () => [token] };
}

/**
 * Tokens minted from a service-account key. The JWT-bearer grant goes to the key's `token_uri`
 * (google-auth-library always posts to Google's own endpoint; a key naming another one, such as
 * the sandbox's, is honoured by redirecting that one request).
 */
export function serviceAccountTokens(key: ServiceAccountKey): AccessTokens {
  // A token endpoint that never answers must not hold a submission forever.
  const jwt = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: [CLOUD_PLATFORM_SCOPE], transporterOptions: { timeout: TOKEN_TIMEOUT_MS } });
  const tokenUri = key.token_uri;
  if (tokenUri && tokenUri !== GOOGLE_TOKEN_URL) {
    jwt.transporter.interceptors.request.add({
      resolved: async (options) => {
        if (options.url.href === GOOGLE_TOKEN_URL) options.url = new URL(tokenUri);
        return options;
      },
    });
  }
  let current = '';
  return {
    async token() {
      let headers: Headers;
      try {
        headers = await jwt.getRequestHeaders();
      } catch (err) {
        throw tokenGrantError(err);
      }
      current = (headers.get('authorization') ?? '').replace(/^Bearer\s+/i, '');
      if (!current) throw new UpstreamError('auth', 'The service-account token grant returned no access token.');
      return current;
    },
    invalidate() {
      // An expiry in the past: the next token() mints a new one (forcing past the library's cache).
      jwt.credentials = { ...jwt.credentials, expiry_date: 1 };
      return true;
    },
    secrets: () => [key.private_key, ...(current ? [current] : [])],
  };
}

/** A refused grant (bad key, revoked account) is permanent for now; an unreachable token endpoint is not. */
function tokenGrantError(err: unknown): UpstreamError {
  const status = (err as { status?: number; response?: { status?: number } }).response?.status ?? (err as { status?: number }).status;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
    return new UpstreamError('auth', `The service-account token grant was refused (HTTP ${status}): check the key and that the service account is enabled.`, status);
  }
  return new UpstreamError('unavailable', `The OAuth2 token endpoint could not be reached${status ? ` (HTTP ${status})` : ''}.`, status);
}
