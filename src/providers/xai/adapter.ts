/**
 * xAI Grok Imagine video: the pure mapping over the shared transport (spec providers-1 §3).
 * No cancel: xAI documents no way to cancel a video request, so `cancel` is deliberately absent.
 */
import { authorization, createTransport, openAiModelListSchema } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { fromVideoStatus, toXaiCall, XAI_ERRORS } from './mapping.js';
import { createSchema, REQUEST_ID, statusSchema } from './wire-schema.js';

export interface XaiAdapterOptions {
  apiKey: string;
  /** Default https://api.x.ai/v1 (override for the sandbox); paths /videos/... are appended. */
  baseUrl?: string;
  timeoutMs?: number;
  downloadTimeoutMs?: number;
}

export const DEFAULT_XAI_BASE_URL = 'https://api.x.ai/v1';

export function createXaiAdapter(opts: XaiAdapterOptions): ProviderAdapter {
  if (!opts.apiKey) throw new RangeError('xAI adapter needs an API key (XAI_API_KEY).');
  const http = createTransport({ ...opts, baseUrl: opts.baseUrl ?? DEFAULT_XAI_BASE_URL, auth: authorization(opts.apiKey), errors: XAI_ERRORS });

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const call = toXaiCall(job.request);
    const { value } = await http.call({ method: 'POST', path: `/videos/${call.endpoint}`, body: { json: call.body }, schema: createSchema, what: `xAI videos/${call.endpoint}`, ctx });
    return { upstreamId: value.request_id };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!REQUEST_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not an xAI request_id.');
    // A job still running is answered 202, sometimes with an empty body (Vercel's xai-video-model.ts reads it as pending).
    const { value } = await http.call({ method: 'GET', path: `/videos/${upstreamId}`, schema: statusSchema, what: 'xAI video status', ctx, emptyBody: { status: 'pending' } });
    return fromVideoStatus(value);
  }

  /**
   * The result is a temporary public URL on xAI's media host: downloaded with no credentials at all,
   * so neither that host nor anything it redirects to ever sees the key.
   */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url) throw new UpstreamError('not_found', 'xAI output has no URL.');
    return http.download({ url: output.url, what: 'xAI video download', ctx, credentials: 'none', mimeType: output.mimeType, accept: 'video/mp4,*/*' });
  }

  async function listModels(ctx: AdapterContext): Promise<string[]> {
    const { value } = await http.call({ method: 'GET', path: '/models', schema: openAiModelListSchema, what: 'xAI list models', ctx });
    return value.data.map((m) => m.id);
  }

  return { name: 'xai', submit, poll, openOutput, listModels };
}
