/**
 * OpenAI Sora via the Videos API: the pure mapping over the shared transport (spec providers-1 §1).
 * Sends multipart/form-data like the official SDKs (openai-node `videos.create`). No cancel: the API
 * has no cancel for a running job (DELETE only removes a finished one), so `cancel` is absent.
 */
import { authorization, createTransport, keyHeader, openAiModelListSchema, type AuthScheme } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { fromVideo, OPENAI_ERRORS, referenceFileName, referenceFitTarget, referenceImageOf, toCreateFields } from './mapping.js';
import { VIDEO_ID, videoSchema } from './wire-schema.js';

export interface OpenAIAdapterOptions {
  apiKey: string;
  /** Default https://api.openai.com/v1 (like the SDK's baseURL and OPENAI_BASE_URL, it includes /v1). */
  baseUrl?: string;
  /** Optional OpenAI-Organization / OpenAI-Project headers. */
  organization?: string;
  project?: string;
  /** Per-call timeout for create/retrieve, and for a download's response headers. Default 60 s. */
  timeoutMs?: number;
  /** Total time allowed to stream one output. Default 10 min. */
  downloadTimeoutMs?: number;
}

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface AzureOpenAIAdapterOptions extends Pick<OpenAIAdapterOptions, 'timeoutMs' | 'downloadTimeoutMs'> {
  /** The resource endpoint, e.g. https://my-resource.openai.azure.com (the v1 API lives under /openai/v1). */
  endpoint: string;
  /** The resource's key (`api-key` header) or a Microsoft Entra ID access token (`Authorization: Bearer`). */
  credential: { apiKey: string } | { entraToken: string };
}

/**
 * Sora on Azure OpenAI: the same v1 Videos API under the resource endpoint (`…/openai/v1/videos`),
 * authenticated by the `api-key` header or an Entra ID token; `model` is the deployment name (a
 * channel's model ids). No model list: Azure lists base models, not the deployments a channel calls.
 */
export function createAzureOpenAIAdapter(opts: AzureOpenAIAdapterOptions): ProviderAdapter {
  const auth = 'apiKey' in opts.credential ? keyHeader('api-key', opts.credential.apiKey) : authorization(opts.credential.entraToken);
  const { listModels: _unused, ...adapter } = createVideosAdapter({ ...opts, baseUrl: `${opts.endpoint.replace(/\/+$/, '')}/openai/v1` }, auth, 'Azure OpenAI');
  return adapter;
}

export function createOpenAIAdapter(opts: OpenAIAdapterOptions): ProviderAdapter {
  const bearer = authorization(opts.apiKey);
  return createVideosAdapter(
    opts,
    {
      headers: () => ({
        ...bearer.headers(),
        ...(opts.organization ? { 'openai-organization': opts.organization } : {}),
        ...(opts.project ? { 'openai-project': opts.project } : {}),
      }),
      secrets: bearer.secrets,
    },
    'OpenAI',
  );
}

function createVideosAdapter(opts: Omit<OpenAIAdapterOptions, 'apiKey'>, auth: AuthScheme, label: string): ProviderAdapter & { listModels: NonNullable<ProviderAdapter['listModels']> } {
  const http = createTransport({ ...opts, baseUrl: opts.baseUrl ?? DEFAULT_OPENAI_BASE_URL, auth, errors: OPENAI_ERRORS });
  const contentUrl = (id: string) => `${http.baseHref}/videos/${encodeURIComponent(id)}/content`;

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const req = job.request;
    const fields = toCreateFields(req);
    const imageUrl = referenceImageOf(req);
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    if (imageUrl) {
      const loaded = await ctx.loadMedia(imageUrl, 'image');
      const target = referenceFitTarget(loaded, fields.size);
      if (target && !ctx.fitImage) throw new UpstreamError('invalid_input', `Sora needs the first frame at exactly ${fields.size} pixels; resize or crop the image.`);
      const media = target ? await ctx.fitImage!(loaded.bytes, target.width, target.height) : loaded;
      form.append('input_reference', new Blob([new Uint8Array(media.bytes)], { type: media.mimeType }), referenceFileName(media));
    }
    const { value: video } = await http.call({ method: 'POST', path: '/videos', body: { form }, schema: videoSchema, what: `${label} create video`, ctx });
    return { upstreamId: video.id };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    if (!VIDEO_ID.test(upstreamId)) throw new UpstreamError('not_found', 'Not an OpenAI video id.');
    const { value: video, headers } = await http.call({ method: 'GET', path: `/videos/${encodeURIComponent(upstreamId)}`, schema: videoSchema, what: `${label} retrieve video`, ctx });
    return fromVideo(video, contentUrl(video.id), headers);
  }

  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    // Only our own content URLs get the key; a stored URL pointing elsewhere is refused.
    if (!output.url?.startsWith(`${http.baseHref}/videos/`)) {
      throw new UpstreamError('not_found', `The Sora output is not a content URL of the configured ${label} base URL.`);
    }
    return http.download({ url: output.url, what: 'Sora download', ctx, credentials: 'api-origin', accept: 'application/binary' });
  }

  async function listModels(ctx: AdapterContext): Promise<string[]> {
    const { value } = await http.call({ method: 'GET', path: '/models', schema: openAiModelListSchema, what: `${label} list models`, ctx });
    return value.data.map((m) => m.id);
  }

  return { name: 'openai', submit, poll, openOutput, listModels };
}
