/**
 * Topaz Labs Video API: create → accept → upload → complete-upload → status → download (§5.2).
 * The source video is fetched through the gateway's guarded loader and probed here, because Topaz
 * needs its size, duration, frame rate and resolution before anything is uploaded.
 * No cancel: the catalog does not offer it for Topaz (the cancel route is not documented, §5.2).
 */
import { fetchJson, fetchPresigned, networkError, openedOutput, readErrorBody, responseMediaType, timeoutSignal } from '../http.js';
import { redactingErrorMapper } from '../options.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { bareETag, containerOf, DEFAULT_PART_BYTES, fromStatus, mapHttpError, REQUEST_ID, toCreateVideoBody, uploadParts } from './mapping.js';
import type { AcceptResponse, CompleteUploadBody, CreateVideoResponse, StatusResponse } from './wire.js';

export interface TopazAdapterOptions {
  apiKey: string;
  /** Default https://api.topazlabs.com (override for the sandbox). */
  baseUrl?: string;
  /** Per-call timeout for JSON calls, and for a download's response headers. Default 60 s. */
  timeoutMs?: number;
  /** Total time for one upload part or one output download. Default 10 min. */
  transferTimeoutMs?: number;
  /** Minimum upload part size; Topaz uses 500 MB (tests lower it to exercise multi-part uploads). */
  minPartBytes?: number;
}

export const DEFAULT_TOPAZ_BASE_URL = 'https://api.topazlabs.com';
/** A failed part may be re-PUT to the same URL (§5.4). */
const PART_ATTEMPTS = 3;

export function createTopazAdapter(opts: TopazAdapterOptions): ProviderAdapter {
  const baseHref = new URL(opts.baseUrl ?? DEFAULT_TOPAZ_BASE_URL).href.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const transferTimeoutMs = opts.transferTimeoutMs ?? 600_000;
  const secrets = [opts.apiKey];
  const auth = { 'x-api-key': opts.apiKey };

  const mapError = redactingErrorMapper(mapHttpError, secrets);

  const call = (method: 'GET' | 'POST' | 'PATCH', path: string, what: string, ctx: AdapterContext, body?: unknown) =>
    fetchJson({ method, url: `${baseHref}${path}`, headers: auth, body, timeoutMs, signal: ctx.signal, mapError, what });

  function requestPath(id: string): string {
    if (!REQUEST_ID.test(id)) throw new UpstreamError('not_found', 'Not a Topaz request id.');
    return `/video/${encodeURIComponent(id)}`;
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const videoUrl = job.request.video_url;
    if (!videoUrl) throw new UpstreamError('invalid_input', 'topaz-video-upscale needs video_url (the video to upscale).');
    const media = await ctx.loadMedia(videoUrl, 'video');
    const probe = await ctx.probeVideo(media.bytes).catch(() => {
      throw new UpstreamError('invalid_input', 'video_url is not a playable video (it could not be probed). Send an MP4, MOV or MKV file.');
    });
    const body = toCreateVideoBody(job.request, {
      container: containerOf(media.bytes, media.mimeType),
      sizeBytes: media.bytes.length,
      durationSeconds: probe.durationSeconds,
      width: probe.width,
      height: probe.height,
      frameRate: probe.frameRate,
      hasAudio: probe.hasAudio,
    });

    const created = (await call('POST', '/video/', 'Topaz create request', ctx, body)) as CreateVideoResponse;
    const requestId = created?.requestId;
    if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) throw new UpstreamError('ambiguous', 'Topaz create answered without a usable requestId.');
    const path = requestPath(requestId);

    // Accept reserves credits (INSUFFICIENT_CREDITS → quota) and hands out the signed upload URLs.
    const accepted = (await call('PATCH', `${path}/accept`, 'Topaz accept', ctx)) as AcceptResponse;
    const urls = Array.isArray(accepted?.urls) ? accepted.urls.filter((u): u is string => typeof u === 'string') : [];
    const parts = uploadParts(media.bytes.length, urls.length, opts.minPartBytes ?? DEFAULT_PART_BYTES);
    const uploadResults: CompleteUploadBody['uploadResults'] = [];
    for (const [i, part] of parts.entries()) {
      const eTag = await putPart(urls[i], media.bytes.subarray(part.start, part.end), body.source.container, ctx);
      // Single-URL uploads have no ETag to report; the docs ask for a placeholder (§5.4).
      uploadResults.push({ partNum: i + 1, eTag: eTag ?? 'unused' });
    }
    await call('PATCH', `${path}/complete-upload/`, 'Topaz complete-upload', ctx, { uploadResults } satisfies CompleteUploadBody);
    return { upstreamId: requestId };
  }

  /** PUT one part to its pre-signed URL, without our key; retried in place on transient failures. */
  async function putPart(url: string, bytes: Buffer, container: string, ctx: AdapterContext): Promise<string | undefined> {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new UpstreamError('unavailable', 'Topaz upload URL is not http(s).');
    const contentType = container === 'mov' ? 'video/quicktime' : container === 'mkv' ? 'video/x-matroska' : 'video/mp4';
    let last: unknown;
    for (let attempt = 1; attempt <= PART_ATTEMPTS; attempt++) {
      let res: Response;
      try {
        res = await fetch(target, { method: 'PUT', headers: { 'content-type': contentType }, body: new Blob([new Uint8Array(bytes)]), redirect: 'manual', signal: timeoutSignal(transferTimeoutMs, ctx.signal) });
      } catch (err) {
        last = networkError(err, ctx.signal, 'Topaz upload', transferTimeoutMs);
        if (ctx.signal?.aborted) throw last;
        continue;
      }
      if (res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return bareETag(res.headers.get('etag'));
      }
      last = mapError(res.status, await readErrorBody(res), res.headers);
      if (!(last instanceof UpstreamError) || !last.transient) break;
    }
    const e = last instanceof UpstreamError ? last : new UpstreamError('unavailable', 'Topaz upload failed.');
    throw new UpstreamError(e.kind, `Uploading the source video to Topaz failed: ${e.message}`, e.httpStatus, e.retryAfterSeconds, e.upstreamCode);
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    const status = (await call('GET', `${requestPath(upstreamId)}/status`, 'Topaz status', ctx)) as StatusResponse;
    if (!status || typeof status !== 'object' || typeof status.status !== 'string') throw new UpstreamError('unavailable', 'Topaz status answered without a status.');
    return fromStatus(status);
  }

  /** download.url is pre-signed (24 h to 7 days): fetched without our key. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url) throw new UpstreamError('not_found', 'Topaz output has no download URL.');
    const url = new URL(output.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UpstreamError('unavailable', 'Topaz download URL is not http(s).');
    const what = 'Topaz download';
    const res = await fetchPresigned(url, { what, headerTimeoutMs: timeoutMs, totalTimeoutMs: transferTimeoutMs, signal: ctx.signal });
    if (!res.ok) throw mapError(res.status, await readErrorBody(res), res.headers);
    return openedOutput(res, what, responseMediaType(res) || 'video/mp4');
  }

  return { name: 'topaz', submit, poll, openOutput };
}
