export { MediaError, displayUrl, type MediaErrorCode } from './errors.js';
export { isDataUrl, parseDataUrl, dataUrlProblem } from './data-url.js';
export { sniffMimeType, type MediaKind } from './sniff.js';
export { blockedAddressReason, checkInputUrlSyntax, resolveAndCheckHost, resolveRedirect, type GuardPolicy } from './url-guard.js';
export { createMediaLoader, fetchGuarded, MAX_REDIRECTS, type MediaLoader, type MediaLoaderOptions } from './fetcher.js';
export { probeVideo, ProbeError, type VideoProbe } from './probe.js';
