/**
 * Kuaishou Kling open API: the pure mapping over the shared transport (spec providers-2 §1).
 * No cancel: Kling documents no way to cancel a video task, so `cancel` is deliberately absent.
 */
import { z } from 'zod';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { authorization, createTransport, type AuthScheme } from '../http/index.js';
import { UpstreamError, type AdapterContext, type OpenedOutput, type PollResult, type ProviderAdapter, type SubmitJob, type SubmitResult, type UpstreamOutput } from '../types.js';
import { createTokenSource } from './auth.js';
import {
  createKindFor,
  customElementBody,
  decodeUpstreamId,
  elementIdFromReply,
  encodeUpstreamId,
  fromTaskData,
  inputsFor,
  isDataUrl,
  KLING_IMAGE_TYPES,
  klingErrors,
  serializeCreateBody,
  type KlingInputs,
  toCreateRequest,
} from './mapping.js';
import type { KlingTaskData } from './wire.js';

export interface KlingAdapterOptions {
  /** A console-issued API key, sent as `Authorization: Bearer` (Kling's current method for all models). */
  apiKey?: string;
  /** The older AccessKey/SecretKey pair, signed into a short-lived HS256 JWT (§1.2). */
  accessKey?: string;
  secretKey?: string;
  /** Default https://api-singapore.klingai.com (override for the China region or the sandbox). */
  baseUrl?: string;
  /** Per-call timeout for creates and polls, and for a download's response headers. Default 60 s. */
  timeoutMs?: number;
  /** Total time allowed to stream one output. Default 10 min. */
  downloadTimeoutMs?: number;
}

export const DEFAULT_KLING_BASE_URL = 'https://api-singapore.klingai.com';
/** Kling's documented image limit (§1.6): inline images above it are refused before sending. */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** The API key when there is one (it wins, as in Vercel's @ai-sdk/klingai), else a JWT from the pair. */
export function klingAuth(opts: Pick<KlingAdapterOptions, 'apiKey' | 'accessKey' | 'secretKey'>): AuthScheme {
  const apiKey = opts.apiKey?.trim();
  if (apiKey) return authorization(apiKey);
  if (!opts.accessKey || !opts.secretKey) throw new Error('Kling needs KLING_API_KEY, or both KLING_ACCESS_KEY and KLING_SECRET_KEY.');
  const tokens = createTokenSource(opts.accessKey, opts.secretKey);
  return {
    headers: () => ({ authorization: `Bearer ${tokens.token()}` }),
    secrets: () => [opts.accessKey!, opts.secretKey!, tokens.current() ?? ''],
  };
}

/** Every reply is an envelope: success is HTTP 2xx AND code 0 (§1.8); the data is read per call. */
const envelopeSchema = z.looseObject({ code: z.literal(0), data: z.unknown() });
const taskDataSchema = z.looseObject({
  task_id: z.union([z.string(), z.number()]).optional(),
  task_status: z.string(),
  task_status_msg: z.string().optional().catch(undefined),
  task_info: z
    .looseObject({ external_task_id: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
  task_result: z
    .looseObject({
      videos: z
        .array(z.looseObject({ url: z.string().optional().catch(undefined) }))
        .optional()
        .catch(undefined),
    })
    .optional()
    .catch(undefined),
});

export function createKlingAdapter(opts: KlingAdapterOptions): ProviderAdapter {
  const http = createTransport({ ...opts, baseUrl: opts.baseUrl ?? DEFAULT_KLING_BASE_URL, auth: klingAuth(opts), errors: klingErrors('query') });

  /** One call whose envelope must say code 0; Kling answers some errors with HTTP 200 and a non-zero code. */
  async function call(method: 'GET' | 'POST', path: string, body: string | undefined, what: string, ctx: AdapterContext, phase: 'create' | 'query') {
    const errors = klingErrors(phase);
    return http.call({
      method,
      path,
      body: body === undefined ? undefined : { text: body },
      schema: envelopeSchema,
      errors,
      what,
      ctx,
      envelopeError: (env, headers, status) => ((env as { code?: unknown }).code !== 0 ? http.error(status, env, headers, errors) : undefined),
    });
  }

  function taskData(data: unknown, what: string): KlingTaskData {
    const checked = taskDataSchema.safeParse(data);
    if (!checked.success) throw new UpstreamError('ambiguous', `${what} answered without a task status.`);
    return checked.data as KlingTaskData;
  }

  /** Public URLs go as they are (Kling fetches them); data: URLs go as bare base64 of checked bytes. */
  async function toKlingImage(value: string, ctx: AdapterContext): Promise<string> {
    if (!isDataUrl(value)) return value;
    const media = await ctx.loadMedia(value, 'image');
    if (!KLING_IMAGE_TYPES.includes(media.mimeType)) {
      throw new UpstreamError('invalid_input', `Kling accepts JPEG or PNG images, not ${media.mimeType}. Convert the image or send a public https URL.`);
    }
    if (media.bytes.length > MAX_IMAGE_BYTES) throw new UpstreamError('invalid_input', 'Kling accepts images up to 10 MB. Send a smaller image.');
    return media.bytes.toString('base64');
  }

  async function normalize(inputs: KlingInputs, ctx: AdapterContext): Promise<KlingInputs> {
    if (inputs.video && isDataUrl(inputs.video)) {
      throw new UpstreamError('invalid_input', 'Kling fetches reference videos itself: send video_url as a public https URL, not a data: URL.');
    }
    const image = (v: string | undefined) => (v === undefined ? undefined : toKlingImage(v, ctx));
    return {
      ...inputs,
      image: await image(inputs.image),
      imageTail: await image(inputs.imageTail),
      references: inputs.references && (await Promise.all(inputs.references.map((r) => toKlingImage(r, ctx)))),
      elements: inputs.elements && (await Promise.all(inputs.elements.map(async (e) => ({ ...e, images: await Promise.all(e.images.map((u) => toKlingImage(u, ctx))) })))),
    };
  }

  /** kling_elements become account elements first; the video then names them by id (§1.7). */
  async function registerElements(inputs: KlingInputs, ctx: AdapterContext): Promise<string[]> {
    const ids: string[] = [];
    for (const element of inputs.elements ?? []) {
      const { text } = await call('POST', '/v1/general/custom-elements', JSON.stringify(customElementBody(element)), 'Kling custom-elements create', ctx, 'create');
      // Element ids are longs: read from the raw text so 19 digits never pass through a number.
      const id = elementIdFromReply(text);
      if (!id) throw new UpstreamError('ambiguous', 'Kling custom-elements create answered without an element_id.');
      ids.push(id);
    }
    return ids;
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const inputs = await normalize(inputsFor(job.request), ctx);
    // Build once before registering elements, so a request Kling would refuse costs no element.
    toCreateRequest(
      job.request,
      job.taskId,
      inputs,
      (inputs.elements ?? []).map(() => '0'),
    );
    const elementIds = await registerElements(inputs, ctx);
    const { kind, body } = toCreateRequest(job.request, job.taskId, inputs, elementIds);
    const withCallback = job.callbackUrl ? { ...body, callback_url: job.callbackUrl } : body;
    const { value } = await call('POST', `/v1/videos/${kind}`, serializeCreateBody(withCallback), `Kling ${kind} create`, ctx, 'create');
    const taskId = (value.data as { task_id?: unknown } | null)?.task_id;
    const upstreamId = typeof taskId === 'string' || typeof taskId === 'number' ? encodeUpstreamId(kind, String(taskId)) : undefined;
    if (!upstreamId || !decodeUpstreamId(upstreamId)) throw new UpstreamError('ambiguous', `Kling ${kind} create answered without a usable task_id.`);
    return { upstreamId };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    const id = decodeUpstreamId(upstreamId);
    if (!id) throw new UpstreamError('not_found', 'Not a Kling task reference (expected kind/task_id).');
    const what = `Kling ${id.kind} query`;
    const { value } = await call('GET', `/v1/videos/${id.kind}/${encodeURIComponent(id.taskId)}`, undefined, what, ctx, 'query');
    return fromTaskData(taskData(value.data, what));
  }

  /**
   * After a crash mid-create: find the job by the external_task_id we sent (our task id), in the
   * documented form `GET /v1/videos/{kind}/{external_task_id}` under the create's family (the path
   * takes a task_id or an external_task_id). Only Kling's own "not found" (code 1203, or a bare 404)
   * means the create never landed; anything else we cannot read for certain is thrown, to ask again.
   */
  async function findByReference(taskId: string, request: ResolvedVideoRequest, ctx: AdapterContext): Promise<SubmitResult | null> {
    const kind = createKindFor(request);
    if (!kind) return null; // Kling refuses such a request before creating a job
    const what = `Kling ${kind} lookup`;
    let data: unknown;
    try {
      ({
        value: { data },
      } = await call('GET', `/v1/videos/${kind}/${encodeURIComponent(taskId)}`, undefined, what, ctx, 'query'));
    } catch (err) {
      if (err instanceof UpstreamError && err.kind === 'not_found' && (err.upstreamCode === '1203' || (err.httpStatus === 404 && err.upstreamCode === undefined))) return null;
      throw err;
    }
    // The task named must be ours: a reply about another task proves nothing about absence.
    const match = data && typeof data === 'object' && (data as KlingTaskData).task_info?.external_task_id === taskId ? (data as KlingTaskData) : undefined;
    if (!match) throw new UpstreamError('unavailable', `${what} by external_task_id answered without that task; cannot tell whether it exists.`);
    const upstreamId = typeof match.task_id === 'string' || typeof match.task_id === 'number' ? encodeUpstreamId(kind, String(match.task_id)) : undefined;
    if (!upstreamId || !decodeUpstreamId(upstreamId)) throw new UpstreamError('ambiguous', `${what} answered without a usable task_id.`);
    return { upstreamId };
  }

  /** Result URLs are public CDN links (kept 30 days): fetched without our token. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url) throw new UpstreamError('not_found', 'Kling output has no URL.');
    return http.download({ url: output.url, what: 'Kling video download', ctx, credentials: 'none', mimeType: output.mimeType });
  }

  return { name: 'kling', submit, poll, openOutput, findByReference };
}
