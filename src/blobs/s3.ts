import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobUnavailableError, type BlobInfo, type BlobStore, type ByteRange } from './types.js';
import type { BlobLocation } from './location.js';

type S3Location = Extract<BlobLocation, { kind: 's3' }>;

/** Multipart parts of 8 MiB, two in flight: a 1 GB output never sits in memory whole. */
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/**
 * Blobs in an S3-compatible bucket (AWS, MinIO, R2, s3rver …). Credentials come from the standard
 * AWS environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or the
 * SDK's other default sources. Uploads stream as multipart; reads pass the byte range to S3.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly loc: S3Location) {
    // The SDK warns on Node < 22 in nine lines on stderr about its future releases; the version
    // locked in package-lock.json supports Node 20, so keep start-up output to one line.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: loc.region,
      endpoint: loc.endpoint ?? undefined,
      forcePathStyle: loc.forcePathStyle,
      // Checksums only where S3 requires them: many S3-compatible stores reject the SDK's newer
      // streaming-trailer checksums (aws-chunked uploads) that AWS itself accepts.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A store that is down should fail fast (downloads answer 503; finishing retries later).
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 },
    });
  }

  private keyOf(key: string): string {
    return `${this.loc.prefix}${key}`;
  }

  async put(key: string, body: Readable): Promise<BlobInfo> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.loc.bucket, Key: this.keyOf(key), Body: body },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      throw this.unavailable('upload', err);
    }
    const info = await this.stat(key);
    if (!info) throw new BlobUnavailableError(`S3 upload of ${key} finished but the object is not there`);
    return info;
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.loc.bucket, Key: this.keyOf(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isMissing(err)) return null;
      throw this.unavailable('stat', err);
    }
  }

  async open(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.keyOf(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
      return got.Body as Readable;
    } catch (err) {
      if (isMissing(err)) return null;
      throw this.unavailable('read', err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.keyOf(key) }));
    } catch (err) {
      if (isMissing(err)) return;
      throw this.unavailable('delete', err);
    }
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.loc.bucket }));
    } catch (err) {
      throw this.unavailable(`reach bucket '${this.loc.bucket}' at ${this.loc.endpoint ?? 'AWS'}`, err);
    }
  }

  private unavailable(what: string, err: unknown): BlobUnavailableError {
    const detail = err instanceof S3ServiceException ? `${err.name} (HTTP ${err.$metadata.httpStatusCode ?? '?'})` : err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
    return new BlobUnavailableError(`S3 ${what} failed: ${detail}`, { cause: err });
  }
}

/**
 * A missing object is a 404 only to credentials with s3:ListBucket; to others S3 answers 403, the
 * same as a denied read, so a 403 stays "unavailable" (503 with Retry-After), never "missing": a
 * 404 on a mere permission change would tell clients that videos which exist are gone. On AWS
 * check() (HeadBucket) needs s3:ListBucket itself, so a node without it does not start. A row names
 * a blob the bucket lacks only briefly (a crash between deleting the blob and marking the row, which
 * retention or a retried DELETE completes; then it is a 410 with no S3 call) or when something
 * outside the gateway removed it (a bucket lifecycle rule shorter than the retention): the
 * operator's to fix; each such 503 is logged with S3's 403.
 */
function isMissing(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404) && err.name !== 'NoSuchBucket';
}
