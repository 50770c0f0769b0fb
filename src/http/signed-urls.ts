import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring gateway URLs for stored outputs: /v1/files/{taskId}/{name}?expires=…&signature=…
 * The signature covers the path and the expiry, so a URL can't be reused for another file or time.
 */
export class UrlSigner {
  /** The expiry is rounded to the minute, so each path's URL is reused within that minute. */
  private readonly memo = new Map<string, { expires: number; url: string }>();

  constructor(
    private readonly secret: string,
    private readonly publicBaseUrl: string,
    private readonly ttlSeconds: number,
  ) {}

  sign(pathname: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
    // Round expiry up to the minute so repeated reads of a task return the same URL (cache-friendly).
    const expires = Math.ceil((nowSeconds + this.ttlSeconds) / 60) * 60;
    const hit = this.memo.get(pathname);
    if (hit && hit.expires === expires) return hit.url;
    const url = `${this.publicBaseUrl}${pathname}?expires=${expires}&signature=${this.mac(pathname, expires)}`;
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(pathname, { expires, url });
    return url;
  }

  /** Returns null when valid, else why not. */
  check(pathname: string, expires: unknown, signature: unknown, nowSeconds = Math.floor(Date.now() / 1000)): string | null {
    if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return 'missing or malformed signature';
    const exp = Number(expires);
    const expected = Buffer.from(this.mac(pathname, exp));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid signature';
    if (exp < nowSeconds) return 'expired';
    return null;
  }

  private mac(pathname: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${pathname}\n${expires}`).digest('base64url');
  }
}
