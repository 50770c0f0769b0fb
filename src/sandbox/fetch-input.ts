/**
 * How a simulator reads a media input it was given by URL, as the real provider would fetch it:
 * data: URLs are decoded, RFC 2606 documentation URLs (example.com, …) get generated placeholder
 * media (nothing real lives there and the sandbox is offline), anything else is fetched through the
 * gateway's one guarded fetcher: DNS-pinned, every redirect re-checked, size and time caps. The
 * simulators run inside the gateway in sandbox mode, so a tenant URL must never reach loopback or a
 * metadata address through them either; and a failure never says whether a port answered.
 */
import { fetchGuarded } from '../media/fetcher.js';
import type { MediaKind } from '../media/sniff.js';
import type { GuardPolicy, LookupAll } from '../media/url-guard.js';
import type { MediaBytes } from '../providers/types.js';
import { isDocumentationUrl, placeholderMedia } from './example-media.js';

/** A simulator's way to read one input (image, video or audio) given by URL or data: URL. */
export type InputFetcher = (urlOrData: string, kind: MediaKind) => Promise<MediaBytes>;

/** The gateway's guard policy (allowPrivateNetwork lets inputs reach loopback and plain http: development and tests only). */
export interface InputPolicy extends GuardPolicy {
  timeoutMs?: number;
  /** DNS, replaceable by tests. */
  lookupAll?: LookupAll;
}

/** Generous caps: the simulated providers' own limits are checked by each simulator afterwards. */
const MAX_BYTES: Record<MediaKind, number> = { image: 50 * 1024 * 1024, video: 500 * 1024 * 1024, audio: 50 * 1024 * 1024 };

export function simulatorInputFetcher(policy: InputPolicy): InputFetcher {
  return async (urlOrData, kind) => {
    const data = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(urlOrData);
    if (data) {
      const bytes = data[2] ? Buffer.from(data[3], 'base64') : Buffer.from(decodeURIComponent(data[3]), 'utf8');
      return { bytes, mimeType: data[1] ?? 'application/octet-stream' };
    }
    if (isDocumentationUrl(urlOrData)) return placeholderMedia(urlOrData, kind);
    return fetchGuarded(urlOrData, kind, { ...policy, maxBytes: MAX_BYTES[kind], timeoutMs: policy.timeoutMs ?? 15_000 });
  };
}

/** The default for a simulator started on its own: public internet addresses only. */
export const publicInputsOnly: InputFetcher = simulatorInputFetcher({ allowPrivateNetwork: false });
