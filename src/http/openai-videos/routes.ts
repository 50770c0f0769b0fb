import os from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, badRequest, serviceUnavailable } from '../../contract/errors.js';
import { quoteId } from '../../contract/preview.js';
import { Thumbnails, ThumbnailsBusyError } from '../../media/thumbnail.js';
import type { ApiKey, Task } from '../../store/types.js';
import { tempDirs } from '../../temp-files.js';
import { etagOfBytes, notModified } from '../etags.js';
import { taskHeaders } from '../read-headers.js';
import { pageLimit, queryValue } from '../request-parsing.js';
import { STORED_FILE_CACHE_CONTROL, sendStoredVideo } from '../file-routes.js';
import { callerKey } from '../auth.js';
import type { Gateway } from '../gateway.js';
import { createVideoTask, idempotencyKey } from '../video-routes.js';
import { inOpenAITerms } from './error-terms.js';
import { openAIVideo, toCreateRequest, videoError, type OpenAICreateBody, type Upload } from './mapping.js';

type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>;

function videoNotFound(id: string): ApiError {
  return new ApiError(404, 'invalid_request_error', 'video_not_found', `No video with id ${quoteId(id)}. List yours with GET /v1/videos.`, 'id');
}

/**
 * The caller's video. One its owner deleted is gone, as on OpenAI (its task stays, for billing, on
 * the TokenLab routes).
 */
async function videoOf(gw: Gateway, key: ApiKey, id: string): Promise<Task> {
  const task = await gw.tasks.get(key, id);
  if (!task) throw videoNotFound(id);
  if (task.deleted_ms !== null) throw new ApiError(404, 'invalid_request_error', 'video_deleted', `Video ${quoteId(id)} was deleted (DELETE /v1/videos/{id}); its task record stays at GET /v1/tasks/{id}.`, 'id');
  return task;
}

/**
 * A failed video never has content: 404 like OpenAI's answer for content that is not there, and
 * not a 409, which the openai SDKs retry for nothing.
 */
function videoFailed(error: { code: string; message: string }): ApiError {
  return new ApiError(404, 'invalid_request_error', 'video_failed', `This video failed and will never have content (${error.code}: ${error.message}). Create a new video.`, 'id');
}

/** A create has five fields (and input_reference's keys): more parts than this are no create. */
const MAX_FORM_PARTS = 32;

/**
 * Multipart create body → plain fields and file uploads (read with the platform's own parser).
 * The parts are counted first, natively: a body of tens of thousands of tiny parts would otherwise
 * hold the event loop while the platform parses it.
 */
async function formFields(body: Buffer, contentType: string): Promise<OpenAICreateBody> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary !== undefined && delimiterCount(body, `--${boundary}`, MAX_FORM_PARTS + 2) > MAX_FORM_PARTS + 1) throw tooManyParts();
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw badRequest(null, 'The multipart/form-data body could not be read; check the boundary and the parts.', 'invalid_multipart');
  }
  const out: OpenAICreateBody = {};
  const sent = new FormNames();
  for (const [name, value] of form.entries()) {
    if (sent.size >= MAX_FORM_PARTS) throw tooManyParts();
    // The openai SDKs send an object field as `input_reference[image_url]`.
    const nested = /^(\w+)\[(\w+)\]$/.exec(name);
    sent.add(name, nested?.[1]);
    const field: unknown = typeof value === 'string' ? value : ({ type: value.type, bytes: Buffer.from(await value.arrayBuffer()) } satisfies Upload);
    if (nested) out[nested[1]] = { ...((out[nested[1]] as Record<string, unknown>) ?? {}), [nested[2]]: field };
    else out[name] = field;
  }
  return out;
}

function tooManyParts(): ApiError {
  return badRequest(null, `The form has more than ${MAX_FORM_PARTS} parts; a create sends model, prompt, seconds, size and input_reference, each once.`, 'invalid_multipart');
}

/** How many times `delimiter` occurs in `body`, counting no further than `stop`. */
function delimiterCount(body: Buffer, delimiter: string, stop: number): number {
  let n = 0;
  for (let at = body.indexOf(delimiter); at !== -1 && n < stop; at = body.indexOf(delimiter, at + delimiter.length)) n++;
  return n;
}

/**
 * The part names of one form. Every create field is one value (none is a list), so a part sent
 * twice would silently lose one of them: a 400 naming it. A `parent[key]` part belongs to
 * `parent`, which may not also come whole (`input_reference` as a file and as
 * `input_reference[image_url]`). Constant time per part.
 */
class FormNames {
  private readonly names = new Set<string>();
  /** parent → its first `parent[key]` part */
  private readonly children = new Map<string, string>();

  get size(): number {
    return this.names.size;
  }

  add(name: string, parent: string | undefined): void {
    const clash = this.names.has(name) ? name : parent !== undefined ? (this.names.has(parent) ? parent : undefined) : this.children.get(name);
    if (clash === undefined) {
      this.names.add(name);
      if (parent !== undefined && !this.children.has(parent)) this.children.set(parent, name);
      return;
    }
    const whole = parent ?? name;
    const what = clash === name ? `'${name}' is sent more than once` : `'${whole}' is sent both as '${clash}' and as '${name}'`;
    throw badRequest(clash === name ? name : whole, `${what} in the form; send each field once.`, 'duplicate_parameter');
  }
}

function listParams(q: Record<string, unknown>): { limit: number; after?: string; order: 'asc' | 'desc' } {
  for (const k in q) queryValue(q, k);
  const limit = pageLimit(q);
  const order = (q.order ?? 'desc') as string;
  if (order !== 'asc' && order !== 'desc') throw badRequest('order', "'order' must be 'asc' or 'desc'.", 'invalid_value');
  return { limit, after: q.after as string | undefined, order };
}

/**
 * The OpenAI-compatible Videos API (for the official `openai` SDKs, LiteLLM and the like). Every
 * call goes through the same task service as the TokenLab routes, so validation, idempotency,
 * billing and ownership are the same; a video is a task, visible through both APIs to its owner.
 */
const KEY = { config: { auth: 'key' as const } };

export function registerOpenAIVideoRoutes(app: FastifyInstance, gw: Gateway): void {
  // ffmpeg is CPU-heavy: as many stills at once as there are cores (up to 4); each video's is made once.
  const thumbnails = new Thumbnails({ tmpDir: tempDirs(gw.config.dataDir).thumbnails, concurrency: Math.min(4, os.availableParallelism()) });
  void app.register(async (scope) => {
    // The openai SDKs always send the create as multipart (an upload may ride along).
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: gw.config.maxBodyBytes }, (_req, body, done) => done(null, body));

    const view = (task: Task) => openAIVideo(task, gw.config.retentionSeconds);

    scope.post('/v1/videos', { config: { auth: 'key', createsTask: true }, bodyLimit: gw.config.maxBodyBytes }, async (req, reply) => {
      const key = callerKey(req);
      const contentType = String(req.headers['content-type'] ?? '');
      const raw = Buffer.isBuffer(req.body) ? await formFields(req.body, contentType) : req.body;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw badRequest(null, 'Send a JSON object (or multipart form) like {"model":"veo3.1-fast","prompt":"…","seconds":"8","size":"1280x720"}.', 'invalid_json');
      const request = toCreateRequest(raw as OpenAICreateBody, gw.catalog);
      // The TokenLab create's own function: the same refusals, and the same headers (Idempotent-Replayed, Deprecation…).
      const created = await createVideoTask(gw, key, request, idempotencyKey(req)).catch((err: unknown) => {
        throw inOpenAITerms(err, request);
      });
      reply.headers(created.headers);
      return view(created.task);
    });

    scope.get('/v1/videos', KEY, async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
      const key = callerKey(req);
      const page = await gw.tasks.list(key, { ...listParams(req.query ?? {}), hideDeleted: true });
      const data = page.tasks.map(view);
      return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: page.next !== null };
    });

    scope.get('/v1/videos/:id', KEY, async (req: IdRequest, reply: FastifyReply) => {
      const key = callerKey(req);
      const task = await videoOf(gw, key, req.params.id);
      reply.headers(taskHeaders(gw, task));
      return view(task);
    });

    scope.delete('/v1/videos/:id', KEY, async (req: IdRequest) => {
      const key = callerKey(req);
      const outcome = await gw.tasks.deleteOutput(key, req.params.id);
      if (outcome.kind === 'deleted' && outcome.deletedBlob) thumbnails.forget(outcome.deletedBlob);
      if (outcome.kind === 'not_found') throw videoNotFound(req.params.id);
      if (outcome.kind === 'still_running')
        throw new ApiError(409, 'invalid_request_error', 'video_in_progress', 'This video is being generated upstream and its provider cannot stop it; delete it once it has finished.', 'id');
      return { id: outcome.task.id, object: 'video.deleted', deleted: true };
    });

    scope.get('/v1/videos/:id/content', KEY, async (req: IdRequest, reply: FastifyReply) => {
      const key = callerKey(req);
      const variant = queryValue(req.query, 'variant') ?? 'video';
      if (variant !== 'video' && variant !== 'thumbnail') throw badRequest('variant', "'variant' must be 'video' or 'thumbnail' (this gateway makes no spritesheets).", 'invalid_value');
      const task = await videoOf(gw, key, req.params.id);
      if (task.output_expired_ms !== null) throw new ApiError(404, 'invalid_request_error', 'video_deleted', "This video's file is no longer stored: the retention period after its completion ended.", 'id');
      if (task.state === 'failed') throw videoFailed(videoError(task));
      if (task.state !== 'completed' || !task.video?.blob_key) {
        throw new ApiError(409, 'invalid_request_error', 'video_not_ready', `This video is ${openAIVideo(task, 0).status}; its content can be downloaded once it is completed.`, 'id');
      }
      if (variant === 'video') return sendStoredVideo(gw, req, reply, task);
      const blobKey = task.video.blob_key;
      const jpeg = await thumbnails
        .get(blobKey, async () => {
          const stored = await gw.blobs.open(blobKey);
          if (!stored) throw new ApiError(404, 'invalid_request_error', 'video_deleted', "This video's file is no longer stored.", 'id');
          return stored;
        })
        .catch((err: unknown) => {
          throw err instanceof ThumbnailsBusyError ? serviceUnavailable('The gateway is making as many thumbnails as it allows; retry in a few seconds.', 2) : err;
        });
      const etag = etagOfBytes(jpeg);
      reply.header('content-type', 'image/jpeg').header('cache-control', STORED_FILE_CACHE_CONTROL).header('etag', etag);
      return notModified(req.headers['if-none-match'], etag) ? reply.code(304).send() : reply.send(jpeg);
    });
  });
}
