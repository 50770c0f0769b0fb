import { createHmac, randomBytes } from 'node:crypto';
import { CallbackWatch, newEventId, type CallbackStats } from '../common/callbacks.js';
import { scaledMs } from '../common/jobs.js';
import { SimHost } from '../common/sim-host.js';
import { openAiModelList } from '../common/model-list.js';
import { publicInputsOnly, type InputFetcher } from '../fetch-input.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, bearerToken, prepareSimulator, readBody, scaledSeconds, sendJson, serveFile } from '../http-util.js';
import { sniffImageType } from '../image-type.js';
import { azureAccessDenied, invalidKey, invalidRequest, invalidValue, missingKey, moderationBlocked, notFound, OpenAIHttpError, rateLimited, serverError } from './errors.js';
import { createFaultFromPrompt, FaultState, outcomeFromPrompt, type OpenAIFaultControls, type OpenAIRoute } from './faults.js';
import { probeImageSize } from './image-probe.js';
import { SoraJobs, VARIANTS, type Variant } from './jobs.js';
import { DEFAULT_MODEL, SORA_MODELS } from './models.js';
import { formToBody, parseCreateRequest, type SoraCreateSpec } from './validate.js';

export interface OpenAISimulatorOptions {
  host?: string;
  /** How inputs given by URL are read; default: public internet addresses only (the gateway passes its own policy). */
  fetchInput?: InputFetcher;
  /** 0 (default) = ephemeral. */
  port?: number;
  apiKey: string;
  /** Time scale (default 1 = realistic 20–120 s jobs; 20 = twenty times faster). */
  speed?: number;
  /** Where rendered videos go. */
  workDir: string;
  /**
   * `azure`: Azure OpenAI's v1 API instead — the same Videos API under `/openai/v1` of a resource
   * endpoint, authenticated by the `api-key` header or a Microsoft Entra ID access token as
   * `Authorization: Bearer` (`entraToken`); the API key sent as a Bearer token is refused, as Azure
   * refuses a key sent the OpenAI way.
   */
  dialect?: 'openai' | 'azure';
  /** Azure: the Entra ID access token this resource accepts (absent: key authentication only). */
  entraToken?: string;
  /** The project's webhook (set in OpenAI's dashboard): video.completed / video.failed events go there, signed with `secret` (whsec_…). */
  projectWebhook?: { url: string; secret: string };
}

export interface OpenAISimulatorStats {
  /** Videos created (accepted POST /v1/videos). */
  creates: number;
  /** Authenticated GET /v1/videos/{id} answered (not faulted). */
  polls: number;
  /** Content downloads answered with bytes. */
  downloads: number;
  /** Every HTTP request, including rejected and faulted ones. */
  requests: number;
  /** Requests answered with an injected 429/500/503. */
  faulted: number;
  /** Project webhook events sent (video.completed, video.failed) and when each video ended. */
  callbacks: CallbackStats;
}

export interface OpenAISimulator {
  /** e.g. http://127.0.0.1:PORT/v1 — what the SDK's baseURL and OPENAI_BASE_URL take (Azure: the resource endpoint, http://127.0.0.1:PORT). */
  baseUrl: string;
  apiKey: string;
  stats: OpenAISimulatorStats;
  faults: OpenAIFaultControls;
  close(): Promise<void>;
}

/** Room for a large reference image in multipart; OpenAI's own cap on uploads is of this order. */
const MAX_BODY_BYTES = 50 * 1024 * 1024;
const SORA_IMAGE_TYPES = new Set(['png', 'jpeg', 'webp']);

/**
 * The type names an uploaded file part may carry (spec providers-1 §1.2: jpeg / png / webp). OpenAI
 * refuses an upload by its part's type with `unsupported_file_mimetype` (its image endpoints'
 * answer, seen for 'application/octet-stream' and 'image/jpg'). The simulator refuses every other
 * specific type, the common misspelling 'image/jpg' included; a missing or generic type is left to
 * the bytes, as the form's checks did before (OpenAI's answer for those is not documented for videos).
 */
const SORA_UPLOAD_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

function unsupportedUploadType(mimeType: string): boolean {
  const type = mimeType.split(';')[0].trim().toLowerCase();
  return type !== '' && type !== 'application/octet-stream' && !SORA_UPLOAD_TYPES.has(type);
}

/** Start an OpenAI Videos API (Sora) simulator: real HTTP, real MP4s, OpenAI's error shapes. */
export async function startOpenAISimulator(opts: OpenAISimulatorOptions): Promise<OpenAISimulator> {
  const speed = await prepareSimulator(opts, { apiKey: opts.apiKey });

  const faults = new FaultState();
  // OpenAI retries a webhook not answered 2xx within a few seconds, with exponential backoff (up to 72 h).
  const watch = new CallbackWatch({ takeFault: () => faults.takeCallbackFault(), retryDelaysMs: [5, 30, 120, 600, 3600].map((s) => scaledMs(s, speed)), timeoutMs: 5_000 });
  const jobs = new SoraJobs(opts.workDir, speed, (id) => watch.check(id));
  const stats: OpenAISimulatorStats = { creates: 0, polls: 0, downloads: 0, requests: 0, faulted: 0, callbacks: watch.stats };
  const seenOnceMarkers = new Set<string>();
  const host = new SimHost(opts, stats, faults);
  const defaultRetryAfter = scaledSeconds(20, speed);
  // The SDK's poll helper waits this long between retrieves (it defaults to 1000 ms without it).
  const pollAfter = { 'openai-poll-after-ms': String(Math.max(100, Math.round(10_000 / speed))) };

  function takeFault(route: OpenAIRoute, model: string): OpenAIHttpError | undefined {
    const fault = faults.takeRequestFault(route);
    if (!fault) return undefined;
    return fault.status === 429 ? rateLimited(model, fault.retryAfterSeconds ?? defaultRetryAfter) : serverError(fault.status);
  }

  async function readCreateBody(req: IncomingMessage): Promise<unknown> {
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new OpenAIHttpError(413, 'invalid_request_error', `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`);
      throw err;
    }
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('multipart/form-data')) {
      try {
        const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': req.headers['content-type']! } }).formData();
        return await formToBody(form);
      } catch {
        throw invalidRequest('Could not parse multipart form data: check the boundary and part headers.', null, 'invalid_multipart');
      }
    }
    if (type.startsWith('application/json') || type === '') {
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        throw invalidRequest(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
          null,
          'invalid_json',
        );
      }
    }
    throw invalidRequest(`Unsupported content type: '${type}'. Send application/json or multipart/form-data.`, null, 'unsupported_content_type');
  }

  /** The reference image's bytes, checked the way Sora checks them: format, then exact size. */
  async function loadReference(spec: SoraCreateSpec): Promise<Buffer | undefined> {
    const ref = spec.reference;
    if (!ref) return undefined;
    let bytes: Buffer;
    if ('fileId' in ref) throw invalidRequest(`No such File object: ${ref.fileId}. Upload the image in the request (input_reference) or pass image_url.`, 'input_reference.file_id', 'invalid_value');
    if ('imageUrl' in ref) {
      try {
        bytes = (await (opts.fetchInput ?? publicInputsOnly)(ref.imageUrl, 'image')).bytes;
      } catch {
        throw invalidRequest('Error while downloading input_reference.image_url. Make sure the URL is publicly reachable.', 'input_reference.image_url', 'invalid_image_url');
      }
    } else {
      bytes = ref.bytes;
    }
    const type = sniffImageType(bytes);
    if (!type || !SORA_IMAGE_TYPES.has(type)) {
      throw invalidRequest("Invalid file format for 'input_reference'. Supported formats are: image/jpeg, image/png, image/webp.", 'input_reference', 'invalid_value');
    }
    if ('mimeType' in ref && unsupportedUploadType(ref.mimeType)) {
      throw invalidRequest(
        `Invalid file 'input_reference': unsupported mimetype ('${ref.mimeType}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`,
        'input_reference',
        'unsupported_file_mimetype',
      );
    }
    const px = await probeImageSize(bytes);
    if (!px) throw invalidRequest("The image in 'input_reference' could not be decoded.", 'input_reference', 'invalid_value');
    if (`${px.width}x${px.height}` !== spec.size) {
      throw invalidRequest(`Inpaint image must match the requested width and height (${spec.size}); got ${px.width}x${px.height}.`, 'input_reference', 'invalid_value');
    }
    return bytes;
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readCreateBody(req);
    const prompt = typeof (body as { prompt?: unknown })?.prompt === 'string' ? (body as { prompt: string }).prompt : '';
    const marker = createFaultFromPrompt(prompt, seenOnceMarkers);
    if (marker === 'policy') throw moderationBlocked();
    if (marker) {
      stats.faulted++;
      const model = (body as { model?: unknown }).model;
      throw marker === 429 ? rateLimited(typeof model === 'string' ? model : DEFAULT_MODEL, defaultRetryAfter) : serverError(503);
    }
    const spec = parseCreateRequest(body, (id) => faults.isRetired(id));
    const image = await loadReference(spec);
    const outcome = outcomeFromPrompt(spec.prompt) ?? faults.takeJobOutcome();
    const video = jobs.create(spec, image, outcome);
    stats.creates++;
    watchVideo(video.id);
    sendJson(res, 200, video, pollAfter);
  }

  /** The project webhook hears only the end of a video: one event, the same webhook-id on every retry. */
  function watchVideo(id: string): void {
    const hook = opts.projectWebhook;
    watch.track(id, hook?.url, {
      status: () => jobs.view(id)?.status,
      isEnd: (s) => s === 'completed' || s === 'failed',
      announces: (s) => s === 'completed' || s === 'failed',
      message: (s) => {
        const eventId = newEventId('evt_');
        const body = JSON.stringify({ id: eventId, object: 'event', created_at: Math.floor(Date.now() / 1000), type: s === 'completed' ? 'video.completed' : 'video.failed', data: { id } });
        const messageId = newEventId('wh_');
        return { body, headers: (text, forged) => standardWebhookHeaders(forged ? `whsec_${randomBytes(24).toString('base64')}` : hook!.secret, messageId, text) };
      },
    });
  }

  function handleList(res: ServerResponse, query: URLSearchParams): void {
    const order = query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw invalidValue('order', order, ['asc', 'desc']);
    const limitRaw = query.get('limit') ?? '20';
    const limit = Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidRequest(`Invalid 'limit': expected an integer from 1 to 100, got '${limitRaw}'.`, 'limit', 'invalid_value');
    let all = jobs.list(order);
    const after = query.get('after');
    if (after) {
      const i = all.findIndex((v) => v.id === after);
      if (i < 0) throw notFound(`No video found with id '${after}'.`, 'after');
      all = all.slice(i + 1);
    }
    const data = all.slice(0, limit);
    sendJson(res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: all.length > limit });
  }

  async function handleContent(req: IncomingMessage, res: ServerResponse, id: string, query: URLSearchParams): Promise<void> {
    const variant = (query.get('variant') ?? 'video') as Variant;
    if (!(variant in VARIANTS)) throw invalidValue('variant', variant, Object.keys(VARIANTS));
    const video = jobs.view(id);
    if (!video) throw notFound(`Video with id '${id}' not found.`, 'video_id');
    // Live OpenAI answers 404 while the job is queued or in progress (see SOURCES.md).
    if (video.status !== 'completed') throw notFound(`Video is not ready yet, use GET /v1/videos/${id} to check status.`, 'video_id');
    const path = await jobs.assetPath(id, variant);
    if (!path) throw notFound(`Video is not ready yet, use GET /v1/videos/${id} to check status.`, 'video_id');
    stats.downloads++;
    await serveFile(req, res, path, VARIANTS[variant].contentType);
  }

  const notFoundVideo = (id: string) => notFound(`Video with id '${id}' not found.`, 'video_id');
  const azure = opts.dialect === 'azure';
  const v1 = azure ? '/openai/v1' : '/v1';
  const VIDEO = new RegExp(`^${v1}/videos/([A-Za-z0-9_-]+)$`);
  const api = host.router<OpenAIRoute>({
    routes: [
      {
        method: 'GET',
        path: `${v1}/models`,
        name: 'models',
        handle: ({ res }) =>
          sendJson(
            res,
            200,
            openAiModelList(
              SORA_MODELS.map((m) => m.id).filter((id) => !faults.isRetired(id)),
              'system',
            ),
          ),
      },
      { method: 'POST', path: `${v1}/videos`, name: 'create', handle: ({ req, res }) => handleCreate(req, res) },
      { method: 'GET', path: `${v1}/videos`, name: 'list', handle: ({ res, url }) => handleList(res, url.searchParams) },
      {
        method: 'GET',
        path: VIDEO,
        name: 'retrieve',
        handle: ({ res, params: [id] }) => {
          const video = jobs.view(id);
          if (!video) throw notFoundVideo(id);
          stats.polls++;
          sendJson(res, 200, video, video.status === 'queued' || video.status === 'in_progress' ? pollAfter : {});
        },
      },
      {
        method: 'DELETE',
        path: VIDEO,
        name: 'delete',
        handle: ({ res, params: [id] }) => {
          if (!jobs.delete(id)) throw notFoundVideo(id);
          sendJson(res, 200, { id, object: 'video.deleted', deleted: true });
        },
      },
      { method: 'GET', path: new RegExp(`^${v1}/videos/([A-Za-z0-9_-]+)/content$`), name: 'content', handle: ({ req, res, url, params: [id] }) => handleContent(req, res, id, url.searchParams) },
    ],
    onRequest: (_req, res) => res.setHeader('x-request-id', `req_${randomBytes(16).toString('hex')}`),
    authenticate: (req) => {
      if (azure) {
        const entra = opts.entraToken !== undefined && bearerToken(req) === opts.entraToken;
        if (req.headers['api-key'] !== opts.apiKey && !entra) throw azureAccessDenied();
        return;
      }
      const token = bearerToken(req);
      if (!token) throw missingKey();
      if (token !== opts.apiKey) throw invalidKey(token);
    },
    takeFault: (route, { params: [id] }) => takeFault(route, (id && jobs.view(id)?.model) || DEFAULT_MODEL),
    noRoute: (method, path) => notFound(`Invalid URL (${method} ${path})`),
  });
  const origin = await host.listen('api', api, (err) => (err instanceof OpenAIHttpError ? err : serverError(500)), opts.port);

  return {
    baseUrl: azure ? origin : `${origin}/v1`,
    apiKey: opts.apiKey,
    stats,
    faults,
    close: () => host.close(jobs, watch),
  };
}

/** Standard Webhooks headers as OpenAI sends them: HMAC-SHA256 of "{id}.{timestamp}.{body}" with the decoded whsec_ key. */
function standardWebhookHeaders(secret: string, id: string, body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` };
}
