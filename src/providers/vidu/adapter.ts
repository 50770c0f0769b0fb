/**
 * Shengshu Vidu (enterprise API v2): thin HTTP around the pure mapping (spec providers-2 §4).
 * No cancel: the cancel path is unverified upstream (§4.2, §7) and only covers off-peak tasks.
 */
import { fetchJson, fetchPresigned, openedOutput, readErrorBody, responseMediaType } from '../http.js';
import { type HttpAdapterOptions, redactingErrorMapper, resolveHttpAdapterOptions } from '../options.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { checkBodySize, endpointFor, fromTaskResponse, imageInputsFor, isRemoteUrl, mapHttpError, toCreateBody, toDataUrl } from './mapping.js';
import type { ViduCreateResponse, ViduTaskResponse } from './wire.js';

export interface ViduAdapterOptions extends HttpAdapterOptions {
  /** Default https://api.vidu.com/ent/v2 (China: https://api.vidu.cn/ent/v2; the sandbox overrides it). */
  baseUrl?: string;
}

export const DEFAULT_VIDU_BASE_URL = 'https://api.vidu.com/ent/v2';

/** Vidu task ids are numeric strings; anything else must not reach a URL path. */
const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function createViduAdapter(opts: ViduAdapterOptions): ProviderAdapter {
  const { baseHref, timeoutMs, downloadTimeoutMs, secrets } = resolveHttpAdapterOptions(opts, DEFAULT_VIDU_BASE_URL);
  const auth = { authorization: `Token ${opts.apiKey}` };

  const mapError = redactingErrorMapper(mapHttpError, secrets);

  /** URLs pass through (Vidu fetches them); inline images are checked and re-prefixed as data: URLs. */
  async function wireImage(input: string, ctx: AdapterContext): Promise<string> {
    if (isRemoteUrl(input)) return input;
    const dataUrl = input.startsWith('data:') ? input : `data:application/octet-stream;base64,${input}`;
    const media = await ctx.loadMedia(dataUrl, 'image');
    return toDataUrl(media.bytes, media.mimeType);
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const req = job.request;
    const endpoint = endpointFor(req.operation);
    const images = await Promise.all(imageInputsFor(req).map((i) => wireImage(i, ctx)));
    const body = toCreateBody(req, images, job.taskId);
    checkBodySize(body);
    const created = (await fetchJson({
      method: 'POST',
      url: `${baseHref}/${endpoint}`,
      headers: auth,
      body,
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: `Vidu ${endpoint}`,
    })) as ViduCreateResponse;
    const id = created?.task_id;
    if (typeof id !== 'string' || !TASK_ID.test(id)) {
      throw new UpstreamError('ambiguous', `Vidu ${endpoint} answered without a usable task_id.`);
    }
    // Watermarked requests download watermarked_url; remembered in the id so polls need no lookup.
    return { upstreamId: req.watermark ? `${id}:wm` : id };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    const [id, flag] = upstreamId.split(':');
    if (!TASK_ID.test(id ?? '') || (flag !== undefined && flag !== 'wm')) throw new UpstreamError('not_found', 'Not a Vidu task id.');
    const task = (await fetchJson({
      method: 'GET',
      url: `${baseHref}/tasks/${encodeURIComponent(id)}/creations`,
      headers: auth,
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: 'Vidu task query',
    })) as ViduTaskResponse;
    if (!task || typeof task !== 'object') throw new UpstreamError('unavailable', 'Vidu task query returned no task.');
    return fromTaskResponse(task, { preferWatermarked: flag === 'wm' });
  }

  /**
   * creations[].url is a pre-signed, expiring link (§4.6): fetched without our Token, so the key
   * never reaches the CDN. Redirects are safe to follow for the same reason.
   */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url || !isRemoteUrl(output.url)) throw new UpstreamError('not_found', 'Vidu output has no http(s) URL.');
    const what = 'Vidu video download';
    const res = await fetchPresigned(output.url, { what, headerTimeoutMs: timeoutMs, totalTimeoutMs: downloadTimeoutMs, signal: ctx.signal });
    if (!res.ok) {
      const body = await readErrorBody(res);
      if (res.status === 403 || res.status === 404) {
        throw new UpstreamError('not_found', `Vidu video URL answered HTTP ${res.status}: it expired or is invalid (Vidu links are valid for 1–24 h).`, res.status);
      }
      throw mapError(res.status, body, res.headers);
    }
    return openedOutput(res, what, responseMediaType(res) || output.mimeType || 'video/mp4');
  }

  return { name: 'vidu', submit, poll, openOutput };
}
