/**
 * Google Veo via the Gemini API: thin HTTP around the pure mapping (spec providers-1 §2).
 * No cancel: the Gemini API has no cancel for Veo operations, so `cancel` is deliberately absent.
 */
import { Readable } from 'node:stream';
import { fetchFollowingRedirects, fetchJson, openedOutput, readErrorBody, responseMediaType } from '../http.js';
import { redactingErrorMapper } from '../options.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { fromOperation, mapHttpError, mediaInputsFor, toPredictRequest, type GoogleMedia } from './mapping.js';
import type { Operation } from './wire.js';

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

/** Operation names look like models/{model}/operations/{id}; anything else must not reach a URL path. */
const OPERATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]+)*$/;

export function createGoogleAdapter(opts: GoogleAdapterOptions): ProviderAdapter {
  const base = new URL(opts.baseUrl ?? DEFAULT_GOOGLE_BASE_URL);
  const baseHref = base.href.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const downloadTimeoutMs = opts.downloadTimeoutMs ?? 600_000;
  const secrets = [opts.apiKey];

  // Redact the key from anything upstream echoes back, even in odd places.
  const mapError = redactingErrorMapper(mapHttpError, secrets);

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const req = job.request;
    const inputs = mediaInputsFor(req);
    const media: GoogleMedia = {};
    if (inputs.image) media.image = await ctx.loadMedia(inputs.image, 'image');
    if (inputs.lastFrame) media.lastFrame = await ctx.loadMedia(inputs.lastFrame, 'image');
    if (inputs.references) media.references = await Promise.all(inputs.references.map((u) => ctx.loadMedia(u, 'image')));
    const body = toPredictRequest(req, media);

    const model = encodeURIComponent(req.upstream_model);
    const op = (await fetchJson({
      method: 'POST',
      url: `${baseHref}/v1beta/models/${model}:predictLongRunning`,
      headers: { 'x-goog-api-key': opts.apiKey },
      body,
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: 'Gemini predictLongRunning',
    })) as Operation;
    if (typeof op?.name !== 'string' || !OPERATION_NAME.test(op.name)) {
      throw new UpstreamError('ambiguous', 'Gemini predictLongRunning answered without a usable operation name.');
    }
    return { upstreamId: op.name };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!OPERATION_NAME.test(upstreamId) || upstreamId.split('/').includes('..')) {
      throw new UpstreamError('not_found', 'Not a Gemini operation name.');
    }
    const op = (await fetchJson({
      method: 'GET',
      url: `${baseHref}/v1beta/${upstreamId}`,
      headers: { 'x-goog-api-key': opts.apiKey },
      timeoutMs,
      signal: ctx.signal,
      mapError,
      what: 'Gemini operation poll',
    })) as Operation;
    if (!op || typeof op !== 'object') throw new UpstreamError('unavailable', 'Gemini operation poll returned no operation.');
    return fromOperation(op);
  }

  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (output.base64 !== undefined) {
      return { body: Readable.from([Buffer.from(output.base64, 'base64')]), contentType: output.mimeType ?? 'video/mp4' };
    }
    if (!output.url) throw new UpstreamError('not_found', 'Gemini output has neither a uri nor inline bytes.');
    return download(output.url, ctx, output.mimeType);
  }

  /**
   * Follows redirects by hand so the key goes only to the configured origin: a 302 to a signed
   * storage URL on another host must not receive x-goog-api-key.
   */
  async function download(uri: string, ctx: AdapterContext, mimeType: string | undefined): Promise<OpenedOutput> {
    const what = 'Gemini download';
    const res = await fetchFollowingRedirects(new URL(uri, base), {
      what,
      headerTimeoutMs: timeoutMs,
      totalTimeoutMs: downloadTimeoutMs,
      signal: ctx.signal,
      notHttpMessage: 'Gemini output uri is not http(s).',
      headersFor: (url): Record<string, string> => (url.origin === base.origin ? { accept: '*/*', 'x-goog-api-key': opts.apiKey } : { accept: '*/*' }),
    });
    if (!res.ok) throw mapError(res.status, await readErrorBody(res), res.headers);
    return openedOutput(res, what, responseMediaType(res) || mimeType || 'video/mp4');
  }

  return { name: 'google', submit, poll, openOutput };
}
