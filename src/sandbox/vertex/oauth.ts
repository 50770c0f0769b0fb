/**
 * The simulator's service account and the OAuth2 token endpoint it trusts: an RSA key pair made
 * once per work dir, a service-account JSON key whose `token_uri` points here, JWT-bearer grants
 * checked like Google checks them (RS256 signature, issuer, audience, a short-lived iat/exp window,
 * the cloud-platform scope), and access tokens that expire. Tokens survive a restart (kept on disk).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { PersistedMap } from '../common/job-store.js';
import { persistedSecret } from '../common/state.js';
import { OAuthError } from './errors.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
/** The audience Google's client libraries sign for, whatever the key's token_uri says. */
const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
/** Google allows assertions of at most an hour, with a little clock skew. */
const MAX_ASSERTION_SECONDS = 3600;
const SKEW_SECONDS = 300;

export interface ServiceAccount {
  project: string;
  clientEmail: string;
  keyId: string;
  privateKeyPem: string;
  publicKey: KeyObject;
}

export function serviceAccountOf(workDir: string, project: string): ServiceAccount {
  const privateKeyPem = persistedSecret(workDir, 'service-account-key', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const keyId = persistedSecret(workDir, 'service-account-key-id', () => randomBytes(20).toString('hex'));
  return { project, clientEmail: `vidgate-sandbox@${project}.iam.gserviceaccount.com`, keyId, privateKeyPem, publicKey: createPublicKey(createPrivateKey(privateKeyPem)) };
}

/** The JSON key file as the Google Cloud console hands it out, pointing its token_uri at `tokenUri`. */
export function serviceAccountJson(sa: ServiceAccount, tokenUri: string): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: sa.project,
    private_key_id: sa.keyId,
    private_key: sa.privateKeyPem,
    client_email: sa.clientEmail,
    client_id: '100000000000000000000',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    universe_domain: 'googleapis.com',
  });
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new OAuthError(400, 'invalid_grant', `Invalid JWT: the ${what} is not base64url JSON.`);
}

export class TokenIssuer {
  /** access token → expiry (ms epoch). */
  private readonly tokens: PersistedMap<number>;
  /** Grants answered (not refused). */
  grants = 0;

  constructor(
    workDir: string,
    private readonly sa: ServiceAccount,
    /** Lifetime of an access token, real seconds (Google: 3599). */
    private readonly ttlSeconds: number,
  ) {
    this.tokens = new PersistedMap(join(workDir, 'tokens.json'));
  }

  /** Answer a token request body (form-encoded) with a new access token, or throw Google's refusal. */
  grant(form: URLSearchParams): { access_token: string; expires_in: number; token_type: 'Bearer' } {
    const grantType = form.get('grant_type');
    if (grantType !== JWT_BEARER) throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    const assertion = form.get('assertion') ?? '';
    const parts = assertion.split('.');
    if (parts.length !== 3) throw new OAuthError(400, 'invalid_request', 'Invalid JWT: the assertion must have three segments.');
    const header = decodeSegment(parts[0], 'header');
    const claims = decodeSegment(parts[1], 'claim set');
    if (header.alg !== 'RS256') throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: only RS256 signatures are accepted.');
    if (claims.iss !== this.sa.clientEmail) throw new OAuthError(400, 'invalid_grant', 'Invalid grant: account not found');
    const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), this.sa.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!signed) throw new OAuthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) throw new OAuthError(400, 'invalid_grant', `Invalid JWT: the audience must be ${GOOGLE_TOKEN_AUDIENCE}.`);
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= now || iat > now + SKEW_SECONDS || exp - iat > MAX_ASSERTION_SECONDS) {
      throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    const scopes = String(claims.scope ?? '').split(/\s+/);
    if (!scopes.includes(CLOUD_PLATFORM)) throw new OAuthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    for (const [token, expiresAt] of this.tokens) if (expiresAt <= Date.now()) this.tokens.delete(token);
    const accessToken = `ya29.c.${randomBytes(48).toString('base64url')}`;
    this.tokens.set(accessToken, Date.now() + this.ttlSeconds * 1000);
    this.grants++;
    return { access_token: accessToken, expires_in: this.ttlSeconds - 1, token_type: 'Bearer' };
  }

  /** 'ok', or why a bearer token is refused. */
  check(token: string): 'ok' | 'invalid' | 'expired' {
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return 'invalid';
    return expiresAt > Date.now() ? 'ok' : 'expired';
  }

  /** Every token issued so far expires now (a test hook: the next call must get a new one). */
  expireAll(): void {
    for (const token of [...this.tokens.keys()]) this.tokens.set(token, 0);
  }
}
