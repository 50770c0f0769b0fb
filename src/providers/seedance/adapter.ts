/**
 * Seedance on BytePlus ModelArk: thin HTTP around the pure mapping (spec providers-1 §4).
 * Cancel exists upstream for queued tasks only (DELETE …/tasks/{id}); a running task refuses it.
 */
import { fetchJson, fetchPresigned, openedOutput, readErrorBody, responseMediaType } from '../http.js';
import { type HttpAdapterOptions, redactingErrorMapper, resolveHttpAdapterOptions } from '../options.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { fromTask, mapHttpError, TASK_ID, toCreateTaskBody } from './mapping.js';
import type { TaskObject } from './wire.js';

export interface SeedanceAdapterOptions extends HttpAdapterOptions {
  /** Default https://ark.ap-southeast.bytepluses.com/api/v3 (override for Volcengine or the sandbox). */
  baseUrl?: string;
}

/** BytePlus (international) ModelArk; the base includes /api/v3, as in the Ark SDKs. */
export const DEFAULT_SEEDANCE_BASE_URL = 'https://ark.ap-southeast.bytepluses.com/api/v3';

export function createSeedanceAdapter(opts: SeedanceAdapterOptions): ProviderAdapter {
  const { baseHref, timeoutMs, downloadTimeoutMs, secrets } = resolveHttpAdapterOptions(opts, DEFAULT_SEEDANCE_BASE_URL);
  const tasksUrl = `${baseHref}/contents/generations/tasks`;
  const auth = { authorization: `Bearer ${opts.apiKey}` };

  const mapError = redactingErrorMapper(mapHttpError, secrets);

  function taskUrl(upstreamId: string): string {
    if (!TASK_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not a Seedance task id.');
    return `${tasksUrl}/${encodeURIComponent(upstreamId)}`;
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const created = (await fetchJson({
      method: 'POST',
      url: tasksUrl,
      headers: auth,
      body: toCreateTaskBody(job.request),
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: 'Seedance create task',
    })) as { id?: unknown };
    if (typeof created?.id !== 'string' || !TASK_ID.test(created.id)) {
      throw new UpstreamError('ambiguous', 'Seedance create task answered without a usable task id.');
    }
    return { upstreamId: created.id };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    const task = (await fetchJson({ method: 'GET', url: taskUrl(upstreamId), headers: auth, timeoutMs, signal: ctx.signal, mapError, what: 'Seedance task poll' })) as TaskObject;
    if (!task || typeof task !== 'object' || typeof task.status !== 'string') {
      throw new UpstreamError('unavailable', 'Seedance task poll returned no task status.');
    }
    return fromTask(task);
  }

  /** True when Ark cancelled the queued task; false when it refused (the task is running or gone). */
  async function cancel(upstreamId: string, ctx: AdapterContext): Promise<boolean> {
    try {
      await fetchJson({ method: 'DELETE', url: taskUrl(upstreamId), headers: auth, timeoutMs, signal: ctx.signal, mapError, what: 'Seedance cancel task' });
      return true;
    } catch (err) {
      if (err instanceof UpstreamError && !err.transient) return false;
      throw err;
    }
  }

  /** content.video_url is a pre-signed TOS URL (24 h): fetched without our key. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url) throw new UpstreamError('not_found', 'Seedance output has no URL.');
    const url = new URL(output.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UpstreamError('unavailable', 'Seedance output URL is not http(s).');
    const what = 'Seedance download';
    const res = await fetchPresigned(url, { what, headerTimeoutMs: timeoutMs, totalTimeoutMs: downloadTimeoutMs, signal: ctx.signal });
    if (!res.ok) throw mapError(res.status, await readErrorBody(res), res.headers);
    return openedOutput(res, what, responseMediaType(res) || output.mimeType || 'video/mp4');
  }

  return { name: 'seedance', submit, poll, openOutput, cancel };
}
