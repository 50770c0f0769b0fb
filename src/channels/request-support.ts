/**
 * Whether the channels configured for a task's provider can serve its request. The catalog accepts
 * what some protocol of the provider can do (Veo 3 without audio: Vertex AI only); this narrows it
 * to the protocols actually configured, so a request none of them can serve is a 400 before the 200.
 * One function on purpose: the channels work replaces its input with every channel of the model.
 */
import type { ResolvedVideoRequest } from '../contract/video-request.js';
import type { ProtocolManifest, ProtocolRefusal } from '../providers/manifest.js';

/** Null when one of `protocols` can serve the request (or none is configured: that is answered elsewhere); else the first refusal. */
export function refusalByChannels(request: ResolvedVideoRequest, protocols: readonly ProtocolManifest[]): ProtocolRefusal | null {
  let first: ProtocolRefusal | null = null;
  for (const protocol of protocols) {
    const refusal = protocol.supports?.(request) ?? null;
    if (refusal === null) return null;
    first ??= refusal;
  }
  return first;
}
