/**
 * OpenAI Sora via the Videos API: thin HTTP around the pure mapping (spec providers-1 §1).
 * Sends multipart/form-data like the official SDKs (openai-node `videos.create`). No cancel: the API
 * has no cancel for a running job (DELETE only removes a finished one), so `cancel` is absent.
 */
import { fetchFollowingRedirects, networkError, openedOutput, readErrorBody, responseMediaType, timeoutSignal } from '../http.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { referenceFitTarget, fromVideo, mapHttpError, referenceFileName, referenceImageOf, toCreateFields } from './mapping.js';
import type { SoraVideo } from './wire.js';

export interface OpenAIAdapterOptions {
  apiKey: string;
  /** Default https://api.openai.com/v1 (like the SDK's baseURL and OPENAI_BASE_URL, it includes /v1). */
  baseUrl?: string;
  /** Optional OpenAI-Organization / OpenAI-Project headers. */
  organization?: string;
  project?: string;
  /** Per-call timeout for create/retrieve, and for a download's response headers. Default 60 s. */
  timeoutMs?: number;
  /** Total time allowed to stream one output. Default 10 min. */
  downloadTimeoutMs?: number;
}

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Video ids look like video_68f0…; anything else must not reach a URL path. */
const VIDEO_ID = /^[A-Za-z0-9_-]{1,200}$/;

export function createOpenAIAdapter(opts: OpenAIAdapterOptions): ProviderAdapter {
  const baseHref = new URL(opts.baseUrl ?? DEFAULT_OPENAI_BASE_URL).href.replace(/\/+$/, '');
  const base = new URL(baseHref);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const downloadTimeoutMs = opts.downloadTimeoutMs ?? 600_000;
  const secrets = [opts.apiKey];
  const mapError = (status: number, body: unknown, headers: Headers) => mapHttpError(status, body, headers, secrets);

  function authHeaders(accept: string): Record<string, string> {
    const h: Record<string, string> = { authorization: `Bearer ${opts.apiKey}`, accept };
    if (opts.organization) h['openai-organization'] = opts.organization;
    if (opts.project) h['openai-project'] = opts.project;
    return h;
  }

  const contentUrl = (id: string) => `${baseHref}/videos/${encodeURIComponent(id)}/content`;

  /** One API call returning the parsed Video and the response headers (poll hints live there). */
  async function call(method: 'GET' | 'POST', path: string, what: string, ctx: AdapterContext, form?: FormData): Promise<{ video: SoraVideo; headers: Headers }> {
    const signal = timeoutSignal(timeoutMs, ctx.signal);
    let res: Response;
    try {
      // fetch sets the multipart boundary itself; no redirects: they would carry the key elsewhere.
      res = await fetch(`${baseHref}${path}`, { method, headers: authHeaders('application/json'), body: form, redirect: 'manual', signal });
    } catch (err) {
      throw networkError(err, ctx.signal, what, timeoutMs);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new UpstreamError('unavailable', `${what}: unexpected redirect (HTTP ${res.status})`, res.status);
    }
    if (!res.ok) throw mapError(res.status, await readErrorBody(res), res.headers);
    let video: SoraVideo;
    try {
      video = JSON.parse(await res.text()) as SoraVideo;
    } catch (err) {
      if (ctx.signal?.aborted || (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') throw networkError(err, ctx.signal, what, timeoutMs);
      throw new UpstreamError('ambiguous', `${what}: upstream returned a body that is not JSON`, res.status);
    }
    if (!video || typeof video !== 'object' || typeof video.id !== 'string' || !VIDEO_ID.test(video.id)) {
      throw new UpstreamError('ambiguous', `${what} answered without a usable video id.`, res.status);
    }
    return { video, headers: res.headers };
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const req = job.request;
    const fields = toCreateFields(req);
    const imageUrl = referenceImageOf(req);
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    if (imageUrl) {
      const loaded = await ctx.loadMedia(imageUrl, 'image');
      const target = referenceFitTarget(loaded, fields.size);
      if (target && !ctx.fitImage) throw new UpstreamError('invalid_input', `Sora needs the first frame at exactly ${fields.size} pixels; resize or crop the image.`);
      const media = target ? await ctx.fitImage!(loaded.bytes, target.width, target.height) : loaded;
      form.append('input_reference', new Blob([new Uint8Array(media.bytes)], { type: media.mimeType }), referenceFileName(media));
    }
    const { video } = await call('POST', '/videos', 'OpenAI create video', ctx, form);
    return { upstreamId: video.id };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!VIDEO_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not an OpenAI video id.');
    const { video, headers } = await call('GET', `/videos/${encodeURIComponent(upstreamId)}`, 'OpenAI retrieve video', ctx);
    return fromVideo(video, contentUrl(video.id), headers);
  }

  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    // Only our own content URLs get the key; a stored URL pointing elsewhere is refused.
    if (!output.url || !output.url.startsWith(`${baseHref}/videos/`)) {
      throw new UpstreamError('not_found', 'The Sora output is not a content URL of the configured OpenAI base URL.');
    }
    return download(new URL(output.url), ctx);
  }

  /** Follows redirects by hand so the key goes only to the API origin (a signed storage URL gets none). */
  async function download(start: URL, ctx: AdapterContext): Promise<OpenedOutput> {
    const what = 'Sora download';
    const res = await fetchFollowingRedirects(start, {
      what,
      headerTimeoutMs: timeoutMs,
      totalTimeoutMs: downloadTimeoutMs,
      signal: ctx.signal,
      notHttpMessage: 'Sora download redirected to a URL that is not http(s).',
      headersFor: (url) => (url.origin === base.origin ? authHeaders('application/binary') : { accept: '*/*' }),
    });
    if (!res.ok) throw mapError(res.status, await readErrorBody(res), res.headers);
    const type = responseMediaType(res);
    return openedOutput(res, what, type?.startsWith('video/') ? type : 'video/mp4');
  }

  return { name: 'openai', submit, poll, openOutput };
}
