/**
 * Alibaba Wan on DashScope: the pure mapping over the shared transport (spec providers-2 §3).
 * Create needs `X-DashScope-Async: enable` (without it DashScope refuses: no synchronous video).
 * The result is a signed OSS URL valid 24 h: downloaded without our key.
 */
import { z } from 'zod';
import { authorization, createTransport } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { createPathFor, DASHSCOPE_ERRORS, fromTask, TASK_ID, toCreateRequest } from './mapping.js';
import type { TaskResponse } from './wire.js';

export interface DashScopeAdapterOptions {
  apiKey: string;
  /** Default https://dashscope-intl.aliyuncs.com/api/v1 (Singapore); the region must match the key. */
  baseUrl?: string;
  timeoutMs?: number;
  downloadTimeoutMs?: number;
}

export const DEFAULT_DASHSCOPE_BASE_URL = 'https://dashscope-intl.aliyuncs.com/api/v1';

const createSchema = z.looseObject({ output: z.looseObject({ task_id: z.string().regex(TASK_ID) }) });
const nullishString = z.string().nullish().catch(undefined);
/** GET /tasks/{id}: an unknown status is kept (still running); UNKNOWN means "no such task". */
const taskSchema: z.ZodType<TaskResponse> = z.looseObject({
  output: z.looseObject({ task_status: z.string(), video_url: nullishString, code: nullishString, message: nullishString }),
}) as unknown as z.ZodType<TaskResponse>;

export function createDashScopeAdapter(opts: DashScopeAdapterOptions): ProviderAdapter {
  const http = createTransport({ ...opts, baseUrl: opts.baseUrl ?? DEFAULT_DASHSCOPE_BASE_URL, auth: authorization(opts.apiKey), errors: DASHSCOPE_ERRORS });

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const body = toCreateRequest(job.request);
    const { value } = await http.call({
      method: 'POST',
      path: createPathFor(body.model),
      headers: { 'X-DashScope-Async': 'enable' },
      body: { json: body },
      schema: createSchema,
      what: 'DashScope video-synthesis',
      ctx,
    });
    return { upstreamId: value.output.task_id };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!TASK_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not a DashScope task id.');
    const { value } = await http.call({ method: 'GET', path: `/tasks/${upstreamId}`, schema: taskSchema, what: 'DashScope task query', ctx });
    const result = fromTask(value);
    return result.state === 'failed' ? { state: 'failed', error: { ...result.error, message: http.sanitize(result.error.message, result.error.message) } } : result;
  }

  /** Cancels a task that is still PENDING; DashScope refuses once it runs (answered as false). */
  async function cancel(upstreamId: string, ctx: AdapterContext): Promise<boolean> {
    if (!TASK_ID.test(upstreamId)) return false;
    try {
      await http.call({ method: 'POST', path: `/tasks/${upstreamId}/cancel`, schema: z.unknown(), what: 'DashScope task cancel', ctx });
      return true;
    } catch (err) {
      if (err instanceof UpstreamError && !err.transient) return false;
      throw err;
    }
  }

  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url || !/^https?:\/\//i.test(output.url)) throw new UpstreamError('not_found', 'DashScope output has no video_url.');
    return http.download({ url: output.url, what: 'DashScope download', ctx, credentials: 'none', mimeType: output.mimeType });
  }

  return { name: 'dashscope', submit, poll, openOutput, cancel };
}
