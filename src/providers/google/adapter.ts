/**
 * Google Veo via the Gemini API: thin HTTP around the pure mapping (spec providers-1 §2).
 * No cancel: the Gemini API has no cancel for Veo operations, so `cancel` is deliberately absent.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fetchJson, networkError, readErrorBody, redactSecrets } from '../http.js';
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
const MAX_REDIRECTS = 5;

/** Operation names look like models/{model}/operations/{id}; anything else must not reach a URL path. */
const OPERATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]+)*$/;

export function createGoogleAdapter(opts: GoogleAdapterOptions): ProviderAdapter {
  const base = new URL(opts.baseUrl ?? DEFAULT_GOOGLE_BASE_URL);
  const baseHref = base.href.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const downloadTimeoutMs = opts.downloadTimeoutMs ?? 600_000;
  const secrets = [opts.apiKey];

  // Redact the key from anything upstream echoes back, even in odd places.
  const mapError = (status: number, body: unknown, headers: Headers) => {
    const e = mapHttpError(status, body, headers);
    const message = redactSecrets(e.message, secrets);
    return message === e.message ? e : new UpstreamError(e.kind, message, e.httpStatus, e.retryAfterSeconds, e.upstreamCode);
  };

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
      throw new UpstreamError('unavailable', 'Gemini predictLongRunning answered without a usable operation name.');
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
    const total = AbortSignal.timeout(downloadTimeoutMs);
    const signal = ctx.signal ? AbortSignal.any([total, ctx.signal]) : total;
    let url = new URL(uri, base);
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new UpstreamError('unavailable', 'Gemini output uri is not http(s).');
      }
      const headers: Record<string, string> = { accept: '*/*' };
      if (url.origin === base.origin) headers['x-goog-api-key'] = opts.apiKey;
      const res = await fetchHeaders(url, headers, signal, ctx.signal);
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.get('location');
        await res.body?.cancel().catch(() => undefined);
        if (!location) throw new UpstreamError('unavailable', `Gemini download: redirect (HTTP ${res.status}) without a Location.`, res.status);
        if (hop >= MAX_REDIRECTS) throw new UpstreamError('unavailable', `Gemini download: more than ${MAX_REDIRECTS} redirects.`);
        url = new URL(location, url);
        continue;
      }
      if (!res.ok) throw mapError(res.status, await readErrorBody(res), res.headers);
      if (!res.body) throw new UpstreamError('unavailable', 'Gemini download returned no body.', res.status);
      const contentType = res.headers.get('content-type')?.split(';')[0].trim() || mimeType || 'video/mp4';
      return { body: Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), contentType };
    }
  }

  /** Waits at most timeoutMs for response headers; the body then runs under the download's total cap. */
  async function fetchHeaders(url: URL, headers: Record<string, string>, signal: AbortSignal, outer?: AbortSignal): Promise<Response> {
    const headerTimeout = AbortSignal.timeout(timeoutMs);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const onHeaderTimeout = () => controller.abort(headerTimeout.reason);
    headerTimeout.addEventListener('abort', onHeaderTimeout, { once: true });
    try {
      return await fetch(url, { headers, redirect: 'manual', signal: controller.signal });
    } catch (err) {
      throw networkError(err, outer, 'Gemini download', signal.aborted && !headerTimeout.aborted ? downloadTimeoutMs : timeoutMs);
    } finally {
      headerTimeout.removeEventListener('abort', onHeaderTimeout);
    }
  }

  return { name: 'google', submit, poll, openOutput };
}
