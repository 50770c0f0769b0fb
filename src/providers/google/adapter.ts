/**
 * Google Veo via the Gemini API: the pure mapping over the shared transport (spec providers-1 §2).
 * No cancel: the Gemini API has no cancel for Veo operations, so `cancel` is deliberately absent.
 */
import { Readable } from 'node:stream';
import { createTransport, keyHeader } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { fromOperation, GOOGLE_ERRORS, mediaInputsFor, refusesPersonGeneration, toPredictRequest, type GoogleMedia } from './mapping.js';
import type { Operation, PredictRequest } from './wire.js';
import { modelListSchema, OPERATION_NAME, operationSchema } from './wire-schema.js';

export interface GoogleAdapterOptions {
  apiKey: string;
  /** Default https://generativelanguage.googleapis.com (override for the sandbox). */
  baseUrl?: string;
  /** Per-call timeout for submit/poll, and for a download's response headers. Default 60 s. */
  timeoutMs?: number;
  /** Total time allowed to stream one output. Default 10 min. */
  downloadTimeoutMs?: number;
}

export const DEFAULT_GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com';

export function createGoogleAdapter(opts: GoogleAdapterOptions): ProviderAdapter {
  // x-goog-api-key, never ?key=: the key stays out of URLs and logs.
  const http = createTransport({ ...opts, baseUrl: opts.baseUrl ?? DEFAULT_GOOGLE_BASE_URL, auth: keyHeader('x-goog-api-key', opts.apiKey), errors: GOOGLE_ERRORS });

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const req = job.request;
    const inputs = mediaInputsFor(req);
    const media: GoogleMedia = {};
    if (inputs.image) media.image = await ctx.loadMedia(inputs.image, 'image');
    if (inputs.lastFrame) media.lastFrame = await ctx.loadMedia(inputs.lastFrame, 'image');
    if (inputs.references) media.references = await Promise.all(inputs.references.map((u) => ctx.loadMedia(u, 'image')));
    const body = toPredictRequest(req, media);
    const create = (json: PredictRequest) =>
      http.call({ method: 'POST', path: `/v1beta/models/${encodeURIComponent(req.upstream_model)}:predictLongRunning`, body: { json }, schema: operationSchema, what: 'Gemini predictLongRunning', ctx });
    let op: Operation;
    try {
      ({ value: op } = await create(body));
    } catch (err) {
      // A 400 created nothing: resubmitting once without the refused personGeneration is safe.
      if (!body.parameters.personGeneration || !refusesPersonGeneration(err)) throw err;
      const { personGeneration: _refused, ...parameters } = body.parameters;
      ({ value: op } = await create({ ...body, parameters }));
    }
    return { upstreamId: op.name! };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!OPERATION_NAME.test(upstreamId) || upstreamId.split('/').includes('..')) {
      throw new UpstreamError('not_found', 'Not a Gemini operation name.');
    }
    const { value: op } = await http.call({ method: 'GET', path: `/v1beta/${upstreamId}`, schema: operationSchema, what: 'Gemini operation poll', ctx });
    return fromOperation(op);
  }

  /** The key goes only to the configured origin: a 302 to signed storage on another host gets none. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (output.base64 !== undefined) {
      return { body: Readable.from([Buffer.from(output.base64, 'base64')]), contentType: output.mimeType ?? 'video/mp4' };
    }
    if (!output.url) throw new UpstreamError('not_found', 'Gemini output has neither a uri nor inline bytes.');
    return http.download({ url: output.url, what: 'Gemini download', ctx, credentials: 'api-origin', mimeType: output.mimeType });
  }

  /** models.list, every page: the model ids ("models/veo-…" without the prefix). */
  async function listModels(ctx: AdapterContext): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 20; page++) {
      const query = `pageSize=1000${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const { value } = await http.call({ method: 'GET', path: `/v1beta/models?${query}`, schema: modelListSchema, what: 'Gemini models.list', ctx });
      ids.push(...(value.models ?? []).map((m) => m.name.replace(/^models\//, '')));
      pageToken = value.nextPageToken || undefined;
      if (!pageToken) break;
    }
    return ids;
  }

  return { name: 'google', submit, poll, openOutput, listModels };
}
