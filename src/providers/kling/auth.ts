/**
 * Kling's API token: an HS256 JWT the caller signs itself from the access key (iss) and the secret
 * key, valid 30 minutes with nbf 5 s in the past for clock skew (spec providers-2 §1.2).
 */
import { createHmac } from 'node:crypto';

export const TOKEN_TTL_SECONDS = 1800;
export const NBF_SKEW_SECONDS = 5;
/** A cached token is replaced when less than this is left, so a slow call never carries an expired one. */
const REFRESH_MARGIN_SECONDS = 300;

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** Signs one token; `nowSeconds` is injectable so tests can make expired or future tokens. */
export function signKlingToken(accessKey: string, secretKey: string, nowSeconds: number = Math.floor(Date.now() / 1000)): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iss: accessKey, exp: nowSeconds + TOKEN_TTL_SECONDS, nbf: nowSeconds - NBF_SKEW_SECONDS }));
  const input = `${header}.${payload}`;
  const signature = createHmac('sha256', Buffer.from(secretKey, 'utf8')).update(input).digest('base64url');
  return `${input}.${signature}`;
}

/** Hands out a token, signing a new one only when the cached one is close to its expiry. */
export function createTokenSource(accessKey: string, secretKey: string, now: () => number = () => Math.floor(Date.now() / 1000)) {
  let cached: { token: string; exp: number } | undefined;
  return {
    token(): string {
      const t = now();
      if (!cached || cached.exp - t < REFRESH_MARGIN_SECONDS) {
        cached = { token: signKlingToken(accessKey, secretKey, t), exp: t + TOKEN_TTL_SECONDS };
      }
      return cached.token;
    },
    /** The current token, so error texts can be scrubbed of it. */
    current(): string | undefined {
      return cached?.token;
    },
  };
}
