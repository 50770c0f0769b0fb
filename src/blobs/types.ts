import type { Readable } from 'node:stream';

export interface BlobInfo {
  size: number;
}

/** Where outputs live. Local filesystem now; S3-compatible later behind the same interface. */
export interface BlobStore {
  /** Streams `body` into `key` atomically (readers never see a partial file); returns its size. */
  put(key: string, body: Readable): Promise<BlobInfo>;
  stat(key: string): Promise<BlobInfo | null>;
  /** Inclusive byte range, as HTTP Range uses. */
  open(key: string, range?: { start: number; end: number }): Readable;
  /** A local path for tools that need one (ffprobe); local store returns the file itself. */
  localPath(key: string): string;
  delete(key: string): Promise<void>;
}
