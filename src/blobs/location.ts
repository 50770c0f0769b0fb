import path from 'node:path';

/** Where blobs live, parsed from VIDGATE_BLOB_URL. */
export type BlobLocation = { kind: 'file'; root: string } | { kind: 's3'; bucket: string; prefix: string; endpoint: string | null; region: string; forcePathStyle: boolean };

const S3_PARAMS = ['endpoint', 'region', 'force_path_style'];

/**
 * Parses `file:///path` or `s3://BUCKET[/prefix]?endpoint=URL&region=R&force_path_style=true`.
 * Throws an Error whose message says what is wrong (the caller names the variable).
 */
export function parseBlobUrl(raw: string, defaultRegion = 'us-east-1'): BlobLocation {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`must be file:///path or s3://bucket[/prefix]?endpoint=…, got '${raw}'`);
  }
  if (u.protocol === 'file:') {
    if (u.search || u.hash || (u.host !== '' && u.host !== 'localhost')) throw new Error(`a file: URL is file:///absolute/path, got '${raw}'`);
    return { kind: 'file', root: path.resolve(decodeURIComponent(u.pathname)) };
  }
  if (u.protocol !== 's3:') throw new Error(`must start with file:// or s3://, got '${raw}'`);
  const bucket = u.hostname;
  // S3 bucket naming rules (3–63 lowercase letters, digits, dots, hyphens).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`names an invalid S3 bucket '${bucket}' (3–63 lowercase letters, digits, '.' or '-')`);
  if (u.username || u.password) throw new Error('must not carry credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead');
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
  for (const k of u.searchParams.keys()) if (!S3_PARAMS.includes(k)) throw new Error(`has an unknown parameter '${k}' (known: ${S3_PARAMS.join(', ')})`);
  const endpoint = u.searchParams.get('endpoint');
  if (endpoint !== null) {
    let e: URL | null = null;
    try {
      e = new URL(endpoint);
    } catch {
      /* reported below */
    }
    if (!e || (e.protocol !== 'http:' && e.protocol !== 'https:')) throw new Error(`endpoint must be an http(s) URL, got '${endpoint}'`);
    // The SDK signs with the AWS variables; a password here would only end up in start-up errors.
    if (e.username || e.password) throw new Error('endpoint must not carry credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead');
  }
  const style = u.searchParams.get('force_path_style');
  if (style !== null && style !== 'true' && style !== 'false') throw new Error(`force_path_style must be true or false, got '${style}'`);
  return {
    kind: 's3',
    bucket,
    prefix: prefix === '' ? '' : `${prefix}/`,
    endpoint: endpoint?.replace(/\/+$/, '') ?? null,
    region: u.searchParams.get('region') || defaultRegion,
    forcePathStyle: style === 'true',
  };
}
