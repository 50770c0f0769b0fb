/**
 * Topaz Labs Video API: create → accept → upload → complete-upload → status → download (§5.2),
 * over the shared transport. The source video is fetched through the gateway's guarded loader and
 * probed here, because Topaz needs its size, duration, frame rate and resolution before anything
 * is uploaded. Cancel is DELETE /video/{id} (credits refunded).
 */
import { z } from 'zod';
import { createTransport, keyHeader, parseMaybeJson } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { bareETag, containerOf, DEFAULT_PART_BYTES, fromStatus, REQUEST_ID, TOPAZ_ERRORS, toCreateVideoBody, uploadParts } from './mapping.js';
import type { CompleteUploadBody, StatusResponse } from './wire.js';

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

const createSchema = z.looseObject({ requestId: z.string().regex(REQUEST_ID) });
const acceptSchema = z.looseObject({ urls: z.array(z.string()).catch([]) });
const statusSchema: z.ZodType<StatusResponse> = z.looseObject({
  status: z.string(),
  progress: z.number().optional().catch(undefined),
  download: z.looseObject({ url: z.string().optional().catch(undefined) }).nullish(),
}) as unknown as z.ZodType<StatusResponse>;

export function createTopazAdapter(opts: TopazAdapterOptions): ProviderAdapter {
  const http = createTransport({
    baseUrl: opts.baseUrl ?? DEFAULT_TOPAZ_BASE_URL,
    auth: keyHeader('x-api-key', opts.apiKey),
    errors: TOPAZ_ERRORS,
    timeoutMs: opts.timeoutMs,
    downloadTimeoutMs: opts.transferTimeoutMs,
  });

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

    const created = await http.call({ method: 'POST', path: '/video/', body: { json: body }, schema: createSchema, what: 'Topaz create request', ctx });
    const path = requestPath(created.value.requestId);

    // Accept reserves credits (INSUFFICIENT_CREDITS → quota) and hands out the signed upload URLs.
    const accepted = await http.call({ method: 'PATCH', path: `${path}/accept`, schema: acceptSchema, what: 'Topaz accept', ctx });
    try {
      const urls = accepted.value.urls;
      const parts = uploadParts(media.bytes.length, urls.length, opts.minPartBytes ?? DEFAULT_PART_BYTES);
      const uploadResults: CompleteUploadBody['uploadResults'] = [];
      for (const [i, part] of parts.entries()) {
        const eTag = await putPart(urls[i], media.bytes.subarray(part.start, part.end), body.source.container, ctx);
        // Single-URL uploads have no ETag to report; the docs ask for a placeholder (§5.4).
        uploadResults.push({ partNum: i + 1, eTag: eTag ?? 'unused' });
      }
      await http.call({ method: 'PATCH', path: `${path}/complete-upload/`, body: { json: { uploadResults } satisfies CompleteUploadBody }, schema: z.unknown(), what: 'Topaz complete-upload', ctx });
    } catch (err) {
      // The request holds credits since accept: release it (DELETE refunds them) before giving up on
      // this attempt; a retry creates a new one. Best effort: the original failure is what counts.
      await http.call({ method: 'DELETE', path, schema: z.unknown(), what: 'Topaz release request', ctx: {} }).catch(() => undefined);
      throw err;
    }
    return { upstreamId: created.value.requestId };
  }

  /** DELETE /video/{id} stops a request that has not finished; its credits are refunded. */
  async function cancel(upstreamId: string, ctx: AdapterContext): Promise<boolean> {
    try {
      await http.call({ method: 'DELETE', path: requestPath(upstreamId), schema: z.unknown(), what: 'Topaz cancel request', ctx });
      return true;
    } catch (err) {
      if (err instanceof UpstreamError && !err.transient) return false;
      throw err;
    }
  }

  /** PUT one part to its pre-signed URL, without our key; retried in place on transient failures. */
  async function putPart(url: string, bytes: Buffer, container: string, ctx: AdapterContext): Promise<string | undefined> {
    const contentType = container === 'mov' ? 'video/quicktime' : container === 'mkv' ? 'video/x-matroska' : 'video/mp4';
    let last: unknown;
    for (let attempt = 1; attempt <= PART_ATTEMPTS; attempt++) {
      let res: Response;
      try {
        res = await http.upload(url, bytes, contentType, 'Topaz upload', ctx);
      } catch (err) {
        last = err;
        if (ctx.signal?.aborted || !(err instanceof UpstreamError)) throw err;
        continue;
      }
      if (res.ok) return bareETag(res.headers.get('etag'));
      last = http.error(res.status, parseMaybeJson(await res.text().catch(() => '')), res.headers);
      if (!(last instanceof UpstreamError) || !last.transient) break;
    }
    const e = last instanceof UpstreamError ? last : new UpstreamError('unavailable', 'Topaz upload failed.');
    throw new UpstreamError(e.kind, `Uploading the source video to Topaz failed: ${e.message}`, e.httpStatus, e.retryAfterSeconds, e.upstreamCode);
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    const { value } = await http.call({ method: 'GET', path: `${requestPath(upstreamId)}/status`, schema: statusSchema, what: 'Topaz status', ctx });
    return fromStatus(value);
  }

  /** download.url is pre-signed (24 h to 7 days): fetched without our key. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url) throw new UpstreamError('not_found', 'Topaz output has no download URL.');
    return http.download({ url: output.url, what: 'Topaz download', ctx, credentials: 'none' });
  }

  return { name: 'topaz', submit, poll, openOutput, cancel };
}
