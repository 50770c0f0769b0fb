/**
 * MiniMax Hailuo video v1: thin HTTP around the pure mapping (spec providers-2 §2).
 * Three calls lead to the bytes: create → query (file_id) → files/retrieve (signed download_url).
 * No cancel: MiniMax documents no way to cancel a video task, so `cancel` is deliberately absent.
 */
import { fetchJson, fetchPresigned, openedOutput, readErrorBody, redactSecrets, responseMediaType } from '../http.js';
import { type HttpAdapterOptions, redactUpstreamError, resolveHttpAdapterOptions } from '../options.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { downloadUrlFromRetrieve, fileIdFromOutputUrl, fromQuery, mapHttpError, TASK_ID, taskIdFromCreate, toCreateRequest } from './mapping.js';
import type { QueryVideoResponse, RetrieveFileResponse } from './wire.js';

export interface MinimaxAdapterOptions extends HttpAdapterOptions {
  /** Default https://api.minimax.io (China: https://api.minimaxi.com; keys are per region). */
  baseUrl?: string;
}

export const DEFAULT_MINIMAX_BASE_URL = 'https://api.minimax.io';

export function createMinimaxAdapter(opts: MinimaxAdapterOptions): ProviderAdapter {
  const { baseHref, timeoutMs, downloadTimeoutMs, secrets } = resolveHttpAdapterOptions(opts, DEFAULT_MINIMAX_BASE_URL);
  const auth = { authorization: `Bearer ${opts.apiKey}` };

  /** Whatever upstream echoes back, the key never leaves in a message. */
  const redacted = (e: UpstreamError) => redactUpstreamError(e, secrets);
  const rethrowRedacted = (err: unknown): never => {
    throw err instanceof UpstreamError ? redacted(err) : err;
  };

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const body = toCreateRequest(job.request);
    try {
      const answer = await fetchJson({
        method: 'POST',
        url: `${baseHref}/v1/video_generation`,
        headers: auth,
        body,
        timeoutMs,
        signal: ctx.signal,
        mapError: (s, b, h) => mapHttpError(s, b, h, 'create'),
        what: 'MiniMax video_generation',
      });
      return { upstreamId: taskIdFromCreate(answer) };
    } catch (err) {
      return rethrowRedacted(err);
    }
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!TASK_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not a MiniMax task id.');
    try {
      const answer = (await fetchJson({
        method: 'GET',
        url: `${baseHref}/v1/query/video_generation?task_id=${encodeURIComponent(upstreamId)}`,
        headers: auth,
        timeoutMs,
        signal: ctx.signal,
        mapError: (s, b, h) => mapHttpError(s, b, h, 'query'),
        what: 'MiniMax query/video_generation',
      })) as QueryVideoResponse;
      const result = fromQuery(answer);
      return result.state === 'failed' ? { state: 'failed', error: { ...result.error, message: redactSecrets(result.error.message, secrets) } } : result;
    } catch (err) {
      return rethrowRedacted(err);
    }
  }

  /** Asks files/retrieve for a fresh signed URL (they expire within hours), then streams it. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    const fileId = fileIdFromOutputUrl(output.url);
    if (!fileId) throw new UpstreamError('not_found', 'MiniMax output has no file_id.');
    let downloadUrl: string;
    try {
      const answer = (await fetchJson({
        method: 'GET',
        // The OpenAPI types file_id as int64: it goes unquoted, exactly as the digits came.
        url: `${baseHref}/v1/files/retrieve?file_id=${fileId}`,
        headers: auth,
        timeoutMs,
        signal: ctx.signal,
        mapError: (s, b, h) => mapHttpError(s, b, h, 'retrieve'),
        what: 'MiniMax files/retrieve',
      })) as RetrieveFileResponse;
      downloadUrl = downloadUrlFromRetrieve(answer);
    } catch (err) {
      return rethrowRedacted(err);
    }
    return download(downloadUrl, ctx, output.mimeType);
  }

  /** The download URL is pre-signed: it gets no Authorization header (it may live on a CDN). */
  async function download(url: string, ctx: AdapterContext, mimeType: string | undefined): Promise<OpenedOutput> {
    const what = 'MiniMax download';
    const res = await fetchPresigned(url, { what, headerTimeoutMs: timeoutMs, totalTimeoutMs: downloadTimeoutMs, signal: ctx.signal });
    if (!res.ok) {
      await readErrorBody(res);
      const kind = res.status >= 500 || res.status === 429 ? 'unavailable' : 'not_found';
      throw new UpstreamError(kind, `MiniMax download answered HTTP ${res.status} (the signed URL may have expired; it is fetched again on retry).`, res.status);
    }
    return openedOutput(res, what, responseMediaType(res) || mimeType || 'video/mp4');
  }

  return { name: 'minimax', submit, poll, openOutput };
}
