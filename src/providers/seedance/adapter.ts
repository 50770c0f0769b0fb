/**
 * Seedance on BytePlus ModelArk: the pure mapping over the shared transport (spec providers-1 §4).
 * Cancel exists upstream for queued tasks only (DELETE …/tasks/{id}); a running task refuses it.
 */
import { authorization, createTransport } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { fromTask, SEEDANCE_ERRORS, TASK_ID, toCreateTaskBody } from './mapping.js';
import { createSchema, emptySchema, taskSchema } from './wire-schema.js';

export interface SeedanceAdapterOptions {
  apiKey: string;
  /** Default https://ark.ap-southeast.bytepluses.com/api/v3 (override for Volcengine or the sandbox). */
  baseUrl?: string;
  timeoutMs?: number;
  downloadTimeoutMs?: number;
}

/** BytePlus (international) ModelArk; the base includes /api/v3, as in the Ark SDKs. */
export const DEFAULT_SEEDANCE_BASE_URL = 'https://ark.ap-southeast.bytepluses.com/api/v3';
/** Volcengine (mainland China) Ark: the same protocol, another endpoint and account. */
export const DEFAULT_VOLCENGINE_ARK_BASE_URL = 'https://ark.cn-beijing.volces.com/api/v3';

/** Volcengine names the same models `doubao-…` where BytePlus says `dreamina-…` or nothing (`seedance-1-5-pro-251215` → `doubao-seedance-1-5-pro-251215`). */
export function volcengineModelId(byteplusId: string): string {
  return byteplusId.startsWith('doubao-') ? byteplusId : `doubao-${byteplusId.replace(/^dreamina-/, '')}`;
}

export function createSeedanceAdapter(opts: SeedanceAdapterOptions): ProviderAdapter {
  const http = createTransport({ ...opts, baseUrl: opts.baseUrl ?? DEFAULT_SEEDANCE_BASE_URL, auth: authorization(opts.apiKey), errors: SEEDANCE_ERRORS });

  function taskPath(upstreamId: string): string {
    if (!TASK_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not a Seedance task id.');
    return `/contents/generations/tasks/${encodeURIComponent(upstreamId)}`;
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const { value } = await http.call({
      method: 'POST',
      path: '/contents/generations/tasks',
      body: { json: { ...toCreateTaskBody(job.request), ...(job.callbackUrl ? { callback_url: job.callbackUrl } : {}) } },
      schema: createSchema,
      what: 'Seedance create task',
      ctx,
    });
    return { upstreamId: value.id };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    const { value } = await http.call({ method: 'GET', path: taskPath(upstreamId), schema: taskSchema, what: 'Seedance task poll', ctx });
    return fromTask(value);
  }

  /**
   * Ark's DELETE cancels a queued task but *deletes the record* of a finished one (succeeded, failed,
   * expired), video included. So the task is read first and DELETE is sent only while it is queued;
   * anything else answers false and the task goes on (a finished one completes normally).
   */
  async function cancel(upstreamId: string, ctx: AdapterContext): Promise<boolean> {
    const { value: task } = await http.call({ method: 'GET', path: taskPath(upstreamId), schema: taskSchema, what: 'Seedance task poll', ctx });
    if (task.status !== 'queued') return false;
    try {
      await http.call({ method: 'DELETE', path: taskPath(upstreamId), schema: emptySchema, what: 'Seedance cancel task', ctx });
      return true;
    } catch (err) {
      if (err instanceof UpstreamError && !err.transient) return false;
      throw err;
    }
  }

  /** content.video_url is a pre-signed TOS URL (24 h): fetched without our key. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url) throw new UpstreamError('not_found', 'Seedance output has no URL.');
    return http.download({ url: output.url, what: 'Seedance download', ctx, credentials: 'none', mimeType: output.mimeType });
  }

  return { name: 'seedance', submit, poll, openOutput, cancel };
}
