import { LocalBlobStore } from './local.js';
import type { BlobLocation } from './location.js';
import { S3BlobStore } from './s3.js';
import type { BlobStore } from './types.js';

export { BlobUnavailableError, type BlobInfo, type BlobStore, type ByteRange } from './types.js';
export { parseBlobUrl, type BlobLocation } from './location.js';

/** The blob store VIDGATE_BLOB_URL names (local files by default). */
export function openBlobStore(loc: BlobLocation): BlobStore {
  return loc.kind === 'file' ? new LocalBlobStore(loc.root) : new S3BlobStore(loc);
}
