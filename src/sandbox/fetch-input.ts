import { isDocumentationUrl, placeholderMedia } from './example-media.js';

/**
 * How a simulator reads a media input it was given by URL, as the real provider would fetch it:
 * data: URLs are decoded, RFC 2606 documentation URLs (example.com, …) get generated placeholder
 * media (nothing real lives there and the sandbox is offline), anything else is fetched.
 * Simulators only ever run on loopback in tests, so they do not need the gateway's SSRF guard.
 */
export async function fetchSimulatorInput(urlOrData: string, kind: 'image' | 'video' | 'audio', timeoutMs = 15_000): Promise<{ bytes: Buffer; mimeType: string }> {
  const data = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(urlOrData);
  if (data) {
    const bytes = data[2] ? Buffer.from(data[3], 'base64') : Buffer.from(decodeURIComponent(data[3]), 'utf8');
    return { bytes, mimeType: data[1] ?? 'application/octet-stream' };
  }
  if (isDocumentationUrl(urlOrData)) return placeholderMedia(urlOrData, kind);
  const res = await fetch(urlOrData, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`fetching ${kind} input answered HTTP ${res.status}`);
  return { bytes: Buffer.from(await res.arrayBuffer()), mimeType: res.headers.get('content-type') ?? 'application/octet-stream' };
}
