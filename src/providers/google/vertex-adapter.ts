/**
 * Google Veo via Vertex AI: `:predictLongRunning` on the publisher model, polled with
 * `:fetchPredictOperation` (POST {operationName}), results inline (base64) or in Cloud Storage
 * (`storageUri`), read back through the Storage JSON API with the same token. Sends
 * `generateAudio`, so a silent Veo 3 video is rendered (and billed) silent upstream.
 * No cancel: Vertex AI documents none for Veo operations.
 */
import { Readable } from 'node:stream';
import { createTransport, type AuthScheme } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { createVeo, loadVeoMedia } from './submit.js';
import type { AccessTokens } from './vertex-credentials.js';
import { defaultVertexBaseUrl, fromVertexOperation, parseGcsUri, storageMediaPath, toVertexPredictRequest, VERTEX_ERRORS, vertexModelId, vertexModelResource } from './vertex-mapping.js';
import { VERTEX_OPERATION_NAME, vertexOperationSchema, type VertexPredictRequest } from './vertex-wire.js';

export const DEFAULT_VERTEX_LOCATION = 'us-central1';
export const DEFAULT_STORAGE_BASE_URL = 'https://storage.googleapis.com';

export interface VertexAdapterOptions {
  tokens: AccessTokens;
  project: string;
  /** Default us-central1. */
  location?: string;
  /** Default https://{location}-aiplatform.googleapis.com (override for the sandbox). */
  baseUrl?: string;
  /** gs://bucket/prefix/ for results; unset: results come back inline. */
  storageUri?: string;
  /** Where gs:// results are read (Cloud Storage JSON API). Default https://storage.googleapis.com. */
  storageBaseUrl?: string;
  timeoutMs?: number;
  downloadTimeoutMs?: number;
}

/** The bearer of the call in progress; the transport asks for headers synchronously, so the token is fetched just before. */
function bearer(tokens: AccessTokens): AuthScheme & { set(token: string): void } {
  let token = '';
  return {
    set: (t) => (token = t),
    headers: () => ({ authorization: `Bearer ${token}` }),
    secrets: () => [...tokens.secrets(), ...(token ? [token] : [])],
  };
}

export function createVertexAdapter(opts: VertexAdapterOptions): ProviderAdapter {
  const location = opts.location ?? DEFAULT_VERTEX_LOCATION;
  const auth = bearer(opts.tokens);
  const common = { timeoutMs: opts.timeoutMs, downloadTimeoutMs: opts.downloadTimeoutMs, auth, errors: VERTEX_ERRORS };
  const http = createTransport({ ...common, baseUrl: opts.baseUrl ?? defaultVertexBaseUrl(location) });
  const storage = createTransport({ ...common, baseUrl: opts.storageBaseUrl ?? DEFAULT_STORAGE_BASE_URL });

  /** A token, unless the engine gives up on this call first (the grant itself is bounded too). */
  function token(ctx: AdapterContext): Promise<string> {
    const { signal } = ctx;
    if (!signal) return opts.tokens.token();
    if (signal.aborted) return Promise.reject(new UpstreamError('timeout', 'Gave up waiting for a Vertex AI access token.'));
    return new Promise((resolve, reject) => {
      const stop = () => reject(new UpstreamError('timeout', 'Gave up waiting for a Vertex AI access token.'));
      signal.addEventListener('abort', stop, { once: true });
      opts.tokens
        .token()
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', stop));
    });
  }

  /** Runs `call` with a fresh token; a 401 (token expired or revoked upstream) gets one new token and one retry: a 401 did nothing. */
  async function authed<T>(ctx: AdapterContext, call: () => Promise<T>): Promise<T> {
    auth.set(await token(ctx));
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof UpstreamError) || err.httpStatus !== 401 || !opts.tokens.invalidate()) throw err;
      auth.set(await token(ctx));
      return call();
    }
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const req = job.request;
    const body = toVertexPredictRequest(req, await loadVeoMedia(req, ctx), { storageUri: opts.storageUri });
    const model = vertexModelResource(opts.project, location, vertexModelId(req.upstream_model));
    const { value: op } = await createVeo(body, (json: VertexPredictRequest) =>
      authed(ctx, () => http.call({ method: 'POST', path: `/v1/${model}:predictLongRunning`, body: { json }, schema: vertexOperationSchema, what: 'Vertex AI predictLongRunning', ctx })),
    );
    return { upstreamId: op.name! };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!VERTEX_OPERATION_NAME.test(upstreamId)) throw new UpstreamError('not_found', 'Not a Vertex AI operation name.');
    const model = upstreamId.slice(0, upstreamId.indexOf('/operations/'));
    const { value: op } = await authed(ctx, () =>
      http.call({ method: 'POST', path: `/v1/${model}:fetchPredictOperation`, body: { json: { operationName: upstreamId } }, schema: vertexOperationSchema, what: 'Vertex AI fetchPredictOperation', ctx }),
    );
    return fromVertexOperation(op);
  }

  /** Inline bytes, or a gs:// object read with the channel's token from the Storage JSON API (its origin only). */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (output.base64 !== undefined) {
      return { body: Readable.from([Buffer.from(output.base64, 'base64')]), contentType: output.mimeType ?? 'video/mp4' };
    }
    const object = output.url ? parseGcsUri(output.url) : null;
    if (!object) throw new UpstreamError('not_found', 'Vertex AI output is neither inline bytes nor a gs:// object.');
    return authed(ctx, () => storage.download({ url: `${storage.baseHref}${storageMediaPath(object.bucket, object.object)}`, what: 'Cloud Storage download', ctx, credentials: 'api-origin', mimeType: output.mimeType }));
  }

  return { name: 'google', submit, poll, openOutput };
}
