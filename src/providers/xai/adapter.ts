/**
 * xAI Grok Imagine video: thin HTTP around the pure mapping (spec providers-1 §3).
 * No cancel: xAI documents no way to cancel a video request, so `cancel` is deliberately absent.
 */
import { fetchFollowingRedirects, fetchJson, openedOutput, readErrorBody, responseMediaType } from '../http.js';
import { type HttpAdapterOptions, redactingErrorMapper, resolveHttpAdapterOptions } from '../options.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { fromVideoStatus, mapHttpError, toXaiCall } from './mapping.js';
import type { XaiCreateResponse, XaiVideoStatus } from './wire.js';

export interface XaiAdapterOptions extends HttpAdapterOptions {
  /** Default https://api.x.ai/v1 (override for the sandbox); paths /videos/... are appended. */
  baseUrl?: string;
}

export const DEFAULT_XAI_BASE_URL = 'https://api.x.ai/v1';

/** request_id is a UUID in practice; anything else must not reach a URL path. */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function createXaiAdapter(opts: XaiAdapterOptions): ProviderAdapter {
  if (!opts.apiKey) throw new RangeError('xAI adapter needs an API key (XAI_API_KEY).');
  const { baseHref, timeoutMs, downloadTimeoutMs, secrets } = resolveHttpAdapterOptions(opts, DEFAULT_XAI_BASE_URL);
  const auth = { authorization: `Bearer ${opts.apiKey}` };

  const mapError = redactingErrorMapper(mapHttpError, secrets);

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const call = toXaiCall(job.request);
    const created = (await fetchJson({
      method: 'POST',
      url: `${baseHref}/videos/${call.endpoint}`,
      headers: auth,
      body: call.body,
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: `xAI videos/${call.endpoint}`,
    })) as XaiCreateResponse;
    const id = created?.request_id;
    if (typeof id !== 'string' || !REQUEST_ID.test(id)) {
      throw new UpstreamError('ambiguous', `xAI videos/${call.endpoint} answered without a usable request_id.`);
    }
    return { upstreamId: id };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!REQUEST_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not an xAI request_id.');
    const status = (await fetchJson({
      method: 'GET',
      url: `${baseHref}/videos/${upstreamId}`,
      headers: auth,
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: 'xAI video status',
    })) as XaiVideoStatus;
    if (!status || typeof status !== 'object') throw new UpstreamError('unavailable', 'xAI video status returned no object.');
    return fromVideoStatus(status);
  }

  /**
   * The result is a temporary public URL on xAI's media host: downloaded with no credentials at all,
   * so neither that host nor anything it redirects to ever sees the key.
   */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url) throw new UpstreamError('not_found', 'xAI output has no URL.');
    const what = 'xAI video download';
    let url: URL;
    try {
      url = new URL(output.url);
    } catch {
      throw new UpstreamError('unavailable', 'xAI returned a video URL that does not parse.');
    }
    const res = await fetchFollowingRedirects(url, {
      what,
      headerTimeoutMs: timeoutMs,
      totalTimeoutMs: downloadTimeoutMs,
      signal: ctx.signal,
      notHttpMessage: 'xAI video URL is not http(s).',
      headersFor: () => ({ accept: 'video/mp4,*/*' }),
    });
    if (!res.ok) {
      const body = await readErrorBody(res);
      // 403/404 on a temporary URL means it expired: nothing a retry of the download can fix.
      if (res.status === 403 || res.status === 404 || res.status === 410) {
        throw new UpstreamError('not_found', `The xAI video URL is no longer available (HTTP ${res.status}); generate the video again.`, res.status);
      }
      throw mapError(res.status, body, res.headers);
    }
    return openedOutput(res, what, responseMediaType(res) || output.mimeType || 'video/mp4');
  }

  return { name: 'xai', submit, poll, openOutput };
}
