/**
 * MiniMax Hailuo video v1: the pure mapping over the shared transport (spec providers-2 §2).
 * Three calls lead to the bytes: create → query (file_id) → files/retrieve (signed download_url).
 * No cancel: MiniMax documents no way to cancel a v1 video task, so `cancel` is deliberately absent.
 */
import { z } from 'zod';
import { authorization, createTransport } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { downloadUrlFromRetrieve, fileIdFromOutputUrl, fromQuery, minimaxErrors, TASK_ID, taskIdFromCreate, toCreateRequest } from './mapping.js';
import type { QueryVideoResponse, RetrieveFileResponse } from './wire.js';

export interface MinimaxAdapterOptions {
  apiKey: string;
  /** Default https://api.minimax.io (China: https://api.minimaxi.com; keys are per region). */
  baseUrl?: string;
  timeoutMs?: number;
  downloadTimeoutMs?: number;
}

export const DEFAULT_MINIMAX_BASE_URL = 'https://api.minimax.io';

/** Every answer carries base_resp; the pure mapping reads the rest (and the errors base_resp reports). */
const answerSchema = z.looseObject({ base_resp: z.looseObject({ status_code: z.number(), status_msg: z.string().optional().catch(undefined) }).optional() });

export function createMinimaxAdapter(opts: MinimaxAdapterOptions): ProviderAdapter {
  const http = createTransport({ ...opts, baseUrl: opts.baseUrl ?? DEFAULT_MINIMAX_BASE_URL, auth: authorization(opts.apiKey), errors: minimaxErrors('create') });

  /** The pure readers throw MiniMax's own errors (base_resp); the key never leaves in them. */
  function read<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw err instanceof UpstreamError ? http.redact(err) : err;
    }
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const body = job.callbackUrl ? { ...toCreateRequest(job.request), callback_url: job.callbackUrl } : toCreateRequest(job.request);
    const { value, headers } = await http.call({ method: 'POST', path: '/v1/video_generation', body: { json: body }, schema: answerSchema, what: 'MiniMax video_generation', ctx });
    return { upstreamId: read(() => taskIdFromCreate(value, headers)) };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!TASK_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not a MiniMax task id.');
    const { value, headers } = await http.call({
      method: 'GET',
      path: `/v1/query/video_generation?task_id=${encodeURIComponent(upstreamId)}`,
      schema: answerSchema,
      errors: minimaxErrors('query'),
      what: 'MiniMax query/video_generation',
      ctx,
    });
    const result = read(() => fromQuery(value as QueryVideoResponse, headers));
    return result.state === 'failed' ? { state: 'failed', error: { ...result.error, message: http.sanitize(result.error.message, result.error.message) } } : result;
  }

  /** Asks files/retrieve for a fresh signed URL (they expire within hours), then streams it without our key. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    const fileId = fileIdFromOutputUrl(output.url);
    if (!fileId) throw new UpstreamError('not_found', 'MiniMax output has no file_id.');
    const { value, headers } = await http.call({
      method: 'GET',
      // The OpenAPI types file_id as int64: it goes unquoted, exactly as the digits came.
      path: `/v1/files/retrieve?file_id=${fileId}`,
      schema: answerSchema,
      errors: minimaxErrors('retrieve'),
      what: 'MiniMax files/retrieve',
      ctx,
    });
    const url = read(() => downloadUrlFromRetrieve(value as RetrieveFileResponse, headers));
    return http.download({ url, what: 'MiniMax download', ctx, credentials: 'none', mimeType: output.mimeType });
  }

  return { name: 'minimax', submit, poll, openOutput };
}
