/**
 * Alibaba Wan on DashScope: thin HTTP around the pure mapping (spec providers-2 §3).
 * Create needs `X-DashScope-Async: enable` (without it DashScope refuses: no synchronous video).
 * The result is a signed OSS URL valid 24 h: downloaded without our key.
 */
import { fetchJson, fetchPresigned, openedOutput, readErrorBody, redactSecrets, responseMediaType } from '../http.js';
import { type HttpAdapterOptions, redactingErrorMapper, resolveHttpAdapterOptions } from '../options.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { createPathFor, fromTask, mapHttpError, TASK_ID, taskIdFromCreate, toCreateRequest } from './mapping.js';
import type { TaskResponse } from './wire.js';

export interface DashScopeAdapterOptions extends HttpAdapterOptions {
  /** Default https://dashscope-intl.aliyuncs.com/api/v1 (Singapore); the region must match the key. */
  baseUrl?: string;
}

export const DEFAULT_DASHSCOPE_BASE_URL = 'https://dashscope-intl.aliyuncs.com/api/v1';

export function createDashScopeAdapter(opts: DashScopeAdapterOptions): ProviderAdapter {
  const { baseHref, timeoutMs, downloadTimeoutMs, secrets } = resolveHttpAdapterOptions(opts, DEFAULT_DASHSCOPE_BASE_URL);
  const auth = { authorization: `Bearer ${opts.apiKey}` };
  const mapError = redactingErrorMapper(mapHttpError, secrets);

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const body = toCreateRequest(job.request);
    const answer = await fetchJson({
      method: 'POST',
      url: `${baseHref}${createPathFor(body.model)}`,
      headers: { ...auth, 'X-DashScope-Async': 'enable' },
      body,
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: 'DashScope video-synthesis',
    });
    return { upstreamId: taskIdFromCreate(answer) };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!TASK_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not a DashScope task id.');
    const answer = (await fetchJson({
      method: 'GET',
      url: `${baseHref}/tasks/${upstreamId}`,
      headers: auth,
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: 'DashScope task query',
    })) as TaskResponse;
    const result = fromTask(answer);
    return result.state === 'failed' ? { state: 'failed', error: { ...result.error, message: redactSecrets(result.error.message, secrets) } } : result;
  }

  /** Cancels a task that is still PENDING; DashScope refuses once it runs (answered as false). */
  async function cancel(upstreamId: string, ctx: AdapterContext): Promise<boolean> {
    if (!TASK_ID.test(upstreamId)) return false;
    try {
      await fetchJson({
        method: 'POST',
        url: `${baseHref}/tasks/${upstreamId}/cancel`,
        headers: auth,
        timeoutMs,
        signal: ctx.signal,
        mapError,
        what: 'DashScope task cancel',
      });
      return true;
    } catch (err) {
      if (err instanceof UpstreamError && !err.transient) return false;
      throw err;
    }
  }

  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url || !/^https?:\/\//i.test(output.url)) throw new UpstreamError('not_found', 'DashScope output has no video_url.');
    const what = 'DashScope download';
    // The OSS URL is pre-signed: no Authorization header goes to it (or to wherever it redirects).
    const res = await fetchPresigned(output.url, { what, headerTimeoutMs: timeoutMs, totalTimeoutMs: downloadTimeoutMs, signal: ctx.signal });
    if (!res.ok) {
      await readErrorBody(res);
      const kind = res.status >= 500 || res.status === 429 ? 'unavailable' : 'not_found';
      throw new UpstreamError(kind, `DashScope video download answered HTTP ${res.status} (the signed URL lives 24 h).`, res.status);
    }
    return openedOutput(res, what, responseMediaType(res) || output.mimeType || 'video/mp4');
  }

  return { name: 'dashscope', submit, poll, openOutput, cancel };
}
