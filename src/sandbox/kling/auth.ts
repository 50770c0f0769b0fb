import { createHmac, timingSafeEqual } from 'node:crypto';
import { sameSecret } from '../http-util.js';
import { authError, type KlingHttpError } from './errors.js';

/**
 * Checks `Authorization: Bearer <JWT>` the way Kling does (§1.2): HS256 signed with the secret key,
 * iss = access key, nbf ≤ now < exp. Returns the error to answer, or undefined when the token is good.
 */
export function checkToken(header: string | undefined, accessKey: string, secretKey: string, nowSeconds = Math.floor(Date.now() / 1000), apiKey?: string): KlingHttpError | undefined {
  if (!header || header.trim() === '') return authError(1001);
  const m = /^Bearer (\S+)$/.exec(header);
  if (!m) return authError(1002);
  // A console-issued API key goes as it is (Kling's current method); the AK/SK pair signs a JWT.
  if (apiKey && sameSecret(m[1], apiKey)) return undefined;
  const parts = m[1].split('.');
  if (parts.length !== 3) return authError(1002);
  const [h, p, sig] = parts;
  let head: { alg?: unknown };
  let claims: { iss?: unknown; exp?: unknown; nbf?: unknown };
  try {
    head = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return authError(1002);
  }
  if (head?.alg !== 'HS256') return authError(1002);
  const want = createHmac('sha256', Buffer.from(secretKey, 'utf8')).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== want.length || !timingSafeEqual(given, want)) return authError(1002);
  if (claims?.iss !== accessKey) return authError(1002);
  if (typeof claims.exp !== 'number' || typeof claims.nbf !== 'number') return authError(1002);
  if (claims.nbf > nowSeconds) return authError(1003);
  if (claims.exp <= nowSeconds) return authError(1004);
  return undefined;
}
