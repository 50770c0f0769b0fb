import type { Readable } from 'node:stream';

export interface BlobInfo {
  size: number;
}

/** Inclusive byte range, as HTTP Range uses. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The blob store cannot be reached or refused us (not: the blob is missing). Callers retry or answer 503. */
export class BlobUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobUnavailableError';
  }
}

/**
 * Where outputs live: local files or an S3-compatible bucket. Streams only — whatever needs the
 * bytes (ffprobe, the file route) reads them through `open`, so every node can serve every blob.
 */
export interface BlobStore {
  /** Streams `body` into `key` (readers never see a partial blob); returns its size. */
  put(key: string, body: Readable): Promise<BlobInfo>;
  /** null when there is no such blob. */
  stat(key: string): Promise<BlobInfo | null>;
  /** The blob's bytes (only `range`, when given, read from storage); null when there is no such blob. */
  open(key: string, range?: ByteRange): Promise<Readable | null>;
  delete(key: string): Promise<void>;
  /** Throws BlobUnavailableError when the store cannot be used (checked at start). */
  check(): Promise<void>;
}
