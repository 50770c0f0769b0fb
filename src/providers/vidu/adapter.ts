/**
 * Shengshu Vidu (enterprise API v2): the pure mapping over the shared transport (spec providers-2 §4).
 * Cancel is POST /tasks/{id}/cancel (platform.vidu.com "Cancel Generation").
 */
import { z } from 'zod';
import { authorization, createTransport } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { checkBodySize, endpointFor, fromTaskResponse, imageInputsFor, isRemoteUrl, toCreateBody, toDataUrl, VIDU_ERRORS } from './mapping.js';
import type { ViduTaskResponse } from './wire.js';

export interface ViduAdapterOptions {
  apiKey: string;
  /** Default https://api.vidu.com/ent/v2 (China: https://api.vidu.cn/ent/v2; the sandbox overrides it). */
  baseUrl?: string;
  timeoutMs?: number;
  downloadTimeoutMs?: number;
}

export const DEFAULT_VIDU_BASE_URL = 'https://api.vidu.com/ent/v2';

/** Vidu task ids are numeric strings; anything else must not reach a URL path. */
const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

const createSchema = z.looseObject({ task_id: z.string().regex(TASK_ID) });
const nullishString = z.string().nullish().catch(undefined);
/** GET /tasks/{id}/creations: an unknown state is kept (still running). */
const taskSchema: z.ZodType<ViduTaskResponse> = z.looseObject({
  state: z.string(),
  err_code: z.string().optional().catch(undefined),
  creations: z.array(z.looseObject({ url: nullishString, watermarked_url: nullishString })).nullish(),
}) as unknown as z.ZodType<ViduTaskResponse>;

export function createViduAdapter(opts: ViduAdapterOptions): ProviderAdapter {
  const http = createTransport({ ...opts, baseUrl: opts.baseUrl ?? DEFAULT_VIDU_BASE_URL, auth: authorization(opts.apiKey, 'Token'), errors: VIDU_ERRORS });

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
    if (job.callbackUrl) body.callback_url = job.callbackUrl;
    checkBodySize(body);
    const { value } = await http.call({ method: 'POST', path: `/${endpoint}`, body: { json: body }, schema: createSchema, what: `Vidu ${endpoint}`, ctx });
    // Watermarked requests download watermarked_url; remembered in the id so polls need no lookup.
    return { upstreamId: req.watermark ? `${value.task_id}:wm` : value.task_id };
  }

  function taskIdOf(upstreamId: string): { id: string; watermarked: boolean } {
    const [id, flag] = upstreamId.split(':');
    if (!TASK_ID.test(id ?? '') || (flag !== undefined && flag !== 'wm')) throw new UpstreamError('not_found', 'Not a Vidu task id.');
    return { id, watermarked: flag === 'wm' };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    const { id, watermarked } = taskIdOf(upstreamId);
    const { value } = await http.call({ method: 'GET', path: `/tasks/${encodeURIComponent(id)}/creations`, schema: taskSchema, what: 'Vidu task query', ctx });
    return fromTaskResponse(value, { preferWatermarked: watermarked });
  }

  /** creations[].url is a pre-signed, expiring link (§4.6): fetched without our Token. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url || !isRemoteUrl(output.url)) throw new UpstreamError('not_found', 'Vidu output has no http(s) URL.');
    return http.download({ url: output.url, what: 'Vidu video download', ctx, credentials: 'none', mimeType: output.mimeType });
  }

  /** POST /tasks/{id}/cancel (Vidu "Cancel Generation"): only a task that has not started; a refusal answers false. */
  async function cancel(upstreamId: string, ctx: AdapterContext): Promise<boolean> {
    const { id } = taskIdOf(upstreamId);
    try {
      await http.call({ method: 'POST', path: `/tasks/${encodeURIComponent(id)}/cancel`, body: { json: { id } }, schema: z.unknown(), what: 'Vidu cancel', ctx });
      return true;
    } catch (err) {
      if (err instanceof UpstreamError && !err.transient) return false;
      throw err;
    }
  }

  return { name: 'vidu', submit, poll, openOutput, cancel };
}
