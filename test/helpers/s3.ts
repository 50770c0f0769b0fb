import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';

/** s3rver's fixed credentials, as the standard AWS variables the SDK reads (for a gateway in another process). */
export const S3RVER_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' } as const;

/** s3rver's fixed credentials, set in this process's environment. */
export function useS3rverCredentials(): void {
  Object.assign(process.env, S3RVER_ENV);
}

/**
 * s3rver (an S3-compatible server) in a temp dir on an ephemeral port, behind a TCP proxy that
 * counts the bytes S3 sends and can take the store "down" (refusing connections) and up again.
 */
export interface TestS3 {
  /** The endpoint clients use (the proxy). */
  endpoint: string;
  bucket: string;
  blobUrl(prefix?: string): string;
  /** Bytes sent by the S3 server to its clients so far. */
  bytesSent(): number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestS3(bucket = 'vidgate-test'): Promise<TestS3> {
  useS3rverCredentials();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-s3-'));
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port: s3Port } = (await s3.run()) as net.AddressInfo;

  let sent = 0;
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(s3Port, '127.0.0.1');
    sockets.add(client).add(upstream);
    upstream.on('data', (d: Buffer) => (sent += d.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  const listen = (port: number) => new Promise<number>((resolve) => proxy.listen(port, '127.0.0.1', () => resolve((proxy.address() as net.AddressInfo).port)));
  const port = await listen(0);
  const endpoint = `http://127.0.0.1:${port}`;
  const down = async () => {
    await new Promise<void>((resolve) => {
      proxy.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };
  return {
    endpoint,
    bucket,
    blobUrl: (prefix = '') => `s3://${bucket}${prefix ? `/${prefix}` : ''}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&force_path_style=true`,
    bytesSent: () => sent,
    down,
    up: async () => void (await listen(port)),
    async close() {
      if (proxy.listening) await down();
      await s3.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
