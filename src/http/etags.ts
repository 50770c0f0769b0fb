/** FNV-1a over the body: an ETag that changes whenever the bytes do (a signed URL's minute included). */
export function etagOf(body: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) {
    h ^= body.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `"${(h >>> 0).toString(16).padStart(8, '0')}${body.length.toString(16)}"`;
}

/** Whether a listed If-None-Match tag matches `etag`: the same tag, or `*` (any current representation, RFC 9110). */
export function etagListed(listed: string[], etag: string): boolean {
  return listed.includes(etag) || listed.includes('*');
}

/** The entity tags an If-None-Match header lists (weak ones compared by their opaque part). */
export function listedEtags(header: string | string[] | undefined): string[] {
  return typeof header === 'string' ? header.split(',').map((t) => t.trim().replace(/^W\//, '')) : [];
}
