/** Shared scaffolding for the Vercel AI SDK fidelity tests in test/sandbox/*-ai-sdk.test.ts. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { experimental_generateVideo as generateVideo } from 'ai';

/** Each @ai-sdk provider pins its own @ai-sdk/provider copy: same runtime shape as ai's, distinct types. */
export type VideoModelArg = Parameters<typeof generateVideo>[0]['model'];

/**
 * The SDK's default downloader refuses loopback hosts (SSRF guard), so tests fetch directly.
 * Each URL fetched is pushed to `seen` when given.
 */
export function loopbackDownload(seen?: string[]) {
  return async ({ url }: { url: URL }) => {
    seen?.push(url.href);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    return { data: new Uint8Array(await res.arrayBuffer()), mediaType: res.headers.get('content-type') ?? undefined };
  };
}

/** Writes the bytes to `<dir>/<name>` and returns that path. */
export async function saveTo(dir: string, data: Uint8Array, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}
