/**
 * Kuaishou Kling open API: thin HTTP around the pure mapping (spec providers-2 §1).
 * No cancel: Kling documents no way to cancel a video task, so `cancel` is deliberately absent.
 */
import { fetchPresigned, networkError, openedOutput, parseMaybeJson, readErrorBody, redactSecrets, responseMediaType, timeoutSignal } from '../http.js';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
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
  klingError,
  serializeCreateBody,
  type KlingInputs,
  toCreateRequest,
} from './mapping.js';
import type { KlingEnvelope, KlingTaskData } from './wire.js';

export interface KlingAdapterOptions {
  accessKey: string;
  secretKey: string;
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

export function createKlingAdapter(opts: KlingAdapterOptions): ProviderAdapter {
  if (!opts.accessKey || !opts.secretKey) throw new Error('Kling needs KLING_ACCESS_KEY and KLING_SECRET_KEY.');
  const baseHref = new URL(opts.baseUrl ?? DEFAULT_KLING_BASE_URL).href.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const downloadTimeoutMs = opts.downloadTimeoutMs ?? 600_000;
  const tokens = createTokenSource(opts.accessKey, opts.secretKey);
  const secrets = () => [opts.accessKey, opts.secretKey, tokens.current() ?? ''];

  const scrub = (e: UpstreamError) => {
    const message = redactSecrets(e.message, secrets());
    return message === e.message ? e : new UpstreamError(e.kind, message, e.httpStatus, e.retryAfterSeconds, e.upstreamCode);
  };

  /**
   * One call, returning the raw text of a code-0 reply. Kling answers some errors with HTTP 200 and
   * a non-zero code, so success is HTTP 2xx AND code 0 (§1.8). Redirects are not followed: they
   * would carry the token elsewhere.
   */
  async function call(method: 'GET' | 'POST', path: string, body: string | undefined, what: string, ctx: AdapterContext): Promise<string> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${tokens.token()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${baseHref}${path}`, { method, headers, body, redirect: 'manual', signal: timeoutSignal(timeoutMs, ctx.signal) });
    } catch (err) {
      throw networkError(err, ctx.signal, what, timeoutMs);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new UpstreamError('unavailable', `${what}: unexpected redirect (HTTP ${res.status})`, res.status);
    }
    if (!res.ok) throw scrub(klingError(res.status, await readErrorBody(res), res.headers));
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw networkError(err, ctx.signal, what, timeoutMs);
    }
    const parsed = parseMaybeJson(text) as KlingEnvelope<unknown> | string;
    if (typeof parsed !== 'object' || parsed === null) throw new UpstreamError('unavailable', `${what}: Kling answered with a body that is not JSON.`, res.status);
    if (parsed.code !== 0) throw scrub(klingError(res.status, parsed, res.headers));
    return text;
  }

  /** Public URLs go as they are (Kling fetches them); data: URLs go as bare base64 of checked bytes. */
  async function toKlingImage(value: string, ctx: AdapterContext): Promise<string> {
    if (!isDataUrl(value)) return value;
    const media = await ctx.loadMedia(value, 'image');
    if (media.mimeType !== 'image/png' && media.mimeType !== 'image/jpeg') {
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
      const text = await call('POST', '/v1/general/custom-elements', JSON.stringify(customElementBody(element)), 'Kling custom-elements create', ctx);
      const id = elementIdFromReply(text);
      if (!id) throw new UpstreamError('unavailable', 'Kling custom-elements create answered without an element_id.');
      ids.push(id);
    }
    return ids;
  }

  async function submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult> {
    const inputs = await normalize(inputsFor(job.request), ctx);
    // Build once before registering elements, so a request Kling would refuse costs no element.
    toCreateRequest(job.request, job.taskId, inputs, (inputs.elements ?? []).map(() => '0'));
    const elementIds = await registerElements(inputs, ctx);
    const { kind, body } = toCreateRequest(job.request, job.taskId, inputs, elementIds);
    const text = await call('POST', `/v1/videos/${kind}`, serializeCreateBody(body), `Kling ${kind} create`, ctx);
    const taskId = (JSON.parse(text) as KlingEnvelope<KlingTaskData>).data?.task_id;
    const upstreamId = typeof taskId === 'string' || typeof taskId === 'number' ? encodeUpstreamId(kind, String(taskId)) : undefined;
    if (!upstreamId || !decodeUpstreamId(upstreamId)) throw new UpstreamError('ambiguous', `Kling ${kind} create answered without a usable task_id.`);
    return { upstreamId };
  }

  async function poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult> {
    const id = decodeUpstreamId(upstreamId);
    if (!id) throw new UpstreamError('not_found', 'Not a Kling task reference (expected kind/task_id).');
    const text = await call('GET', `/v1/videos/${id.kind}/${encodeURIComponent(id.taskId)}`, undefined, `Kling ${id.kind} query`, ctx);
    const data = (JSON.parse(text) as KlingEnvelope<KlingTaskData>).data;
    if (!data || typeof data !== 'object' || typeof data.task_status !== 'string') {
      throw new UpstreamError('unavailable', `Kling ${id.kind} query answered without a task status.`);
    }
    return fromTaskData(data);
  }

  /**
   * After a crash mid-create: find the job by the external_task_id we sent (our task id), with
   * `GET /v1/videos/{kind}?external_task_id=…` under the create's family (§1.3: a single task may be
   * queried by external_task_id instead of task_id). Only Kling's own "not found" (code 1203) means
   * the create never landed; anything else we cannot read for certain is thrown, to ask again later.
   */
  async function findByReference(taskId: string, request: ResolvedVideoRequest, ctx: AdapterContext): Promise<SubmitResult | null> {
    const kind = createKindFor(request);
    if (!kind) return null; // Kling refuses such a request before creating a job
    let text: string;
    try {
      text = await call('GET', `/v1/videos/${kind}?external_task_id=${encodeURIComponent(taskId)}`, undefined, `Kling ${kind} lookup`, ctx);
    } catch (err) {
      if (err instanceof UpstreamError && err.kind === 'not_found' && err.upstreamCode === '1203') return null;
      throw err;
    }
    const data = (JSON.parse(text) as KlingEnvelope<KlingTaskData | KlingTaskData[]>).data;
    // A reply that is a page of tasks (a proxy or API version ignoring the parameter) proves nothing about absence.
    const candidates = Array.isArray(data) ? data : data ? [data] : [];
    const match = candidates.find((t) => t && typeof t === 'object' && t.task_info?.external_task_id === taskId);
    if (!match) throw new UpstreamError('unavailable', `Kling ${kind} lookup by external_task_id answered without that task; cannot tell whether it exists.`);
    const upstreamId = typeof match.task_id === 'string' || typeof match.task_id === 'number' ? encodeUpstreamId(kind, String(match.task_id)) : undefined;
    if (!upstreamId || !decodeUpstreamId(upstreamId)) throw new UpstreamError('ambiguous', `Kling ${kind} lookup answered without a usable task_id.`);
    return { upstreamId };
  }

  /** Result URLs are public CDN links (kept 30 days): fetched without our token. */
  async function openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput> {
    if (!output.url) throw new UpstreamError('not_found', 'Kling output has no URL.');
    let url: URL;
    try {
      url = new URL(output.url);
    } catch {
      throw new UpstreamError('unavailable', 'Kling output URL is not a URL.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UpstreamError('unavailable', 'Kling output URL is not http(s).');
    const what = 'Kling video download';
    // Result URLs are pre-signed CDN links: no token goes to them. The header timeout covers the
    // wait for headers only; the whole body gets the (longer) download timeout.
    const res = await fetchPresigned(url, { what, headerTimeoutMs: timeoutMs, totalTimeoutMs: downloadTimeoutMs, signal: ctx.signal });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const kind = res.status === 404 || res.status === 410 || res.status === 403 ? 'not_found' : 'unavailable';
      throw new UpstreamError(kind, `Kling video download answered HTTP ${res.status}.`, res.status);
    }
    return openedOutput(res, what, responseMediaType(res) || output.mimeType || 'video/mp4');
  }

  return { name: 'kling', submit, poll, openOutput, findByReference };
}
