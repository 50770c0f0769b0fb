import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BlobUnavailableError } from '../blobs/types.js';
import { ApiError, serviceUnavailable } from '../contract/errors.js';
import { isTaskId } from '../contract/ids.js';
import type { Gateway } from './gateway.js';
import { notModified } from './etags.js';
import { answerRange } from './range.js';
import type { Task } from '../store/types.js';

function notAvailable(): ApiError {
  return new ApiError(404, 'not_found_error', 'file_not_found', 'File not found or no longer available.', null);
}

/** Our blob store is down: the client should come back, never see a 500. */
function storageUnavailable(): ApiError {
  return serviceUnavailable('Stored files cannot be read right now; retry in a few seconds.', 5);
}

/**
 * Stored files (videos, thumbnails): a browser or CDN may keep the bytes but asks before each use
 * (If-None-Match with the ETag: a 304 while the file exists). A lifetime (max-age) would let a
 * video its owner deleted play on from cache.
 */
export const STORED_FILE_CACHE_CONTROL = 'private, no-cache';

type FileRequest = FastifyRequest<{ Params: { id: string } }>;

/**
 * Serves stored outputs through signed, expiring URLs (the signature, checked by the auth hook, is
 * the grant), streaming from blob storage with HTTP Range (only the asked-for bytes are read from
 * storage) and HEAD with the real Content-Length.
 */
export function registerFileRoutes(app: FastifyInstance, gw: Gateway): void {
  const handler = async (req: FileRequest, reply: FastifyReply) => {
    const { id } = req.params;
    if (!isTaskId(id)) throw notAvailable();
    return sendStoredVideo(gw, req, reply, await gw.tasks.getAnyOwner(id));
  };
  // HEAD declared here, not Fastify's automatic one (which answers Content-Length: 0), and it never opens the blob.
  app.route({ method: ['GET', 'HEAD'], url: '/v1/files/:id/video.mp4', config: { auth: 'signed-url' }, exposeHeadRoute: false, handler });
}

/**
 * A task's stored video with Range/HEAD (the signed-link route and the OpenAI-compatible content
 * route both answer through here); a blob store that is down is a 503, never a 500.
 */
export async function sendStoredVideo(gw: Gateway, req: FastifyRequest, reply: FastifyReply, task: Task | undefined): Promise<FastifyReply> {
  try {
    return await serve(gw, req, reply, task);
  } catch (err) {
    if (err instanceof BlobUnavailableError) {
      req.log.warn({ err: err.message }, 'blob store unavailable');
      throw storageUnavailable();
    }
    throw err;
  }
}

async function serve(gw: Gateway, req: FastifyRequest, reply: FastifyReply, task: Task | undefined) {
  const id = task?.id ?? '';
  if (task?.output_expired_ms) {
    throw new ApiError(
      410,
      'not_found_error',
      'file_expired',
      `This video is no longer stored: its owner deleted it (DELETE /v1/videos/{id}), or the retention period (${Math.round(gw.config.retentionSeconds / 3600)} h after the task completed) ended. Download results before they expire.`,
      null,
    );
  }
  const blobKey = task?.video?.blob_key;
  if (!blobKey) throw notAvailable();
  const info = await gw.blobs.stat(blobKey);
  if (!info) throw notAvailable();
  // Strong: a task's video is stored once under a key named after the task and never rewritten.
  const etag = `"${id}-${info.size}"`;
  reply.header('Accept-Ranges', 'bytes').header('Content-Type', 'video/mp4').header('Cache-Control', STORED_FILE_CACHE_CONTROL).header('ETag', etag);
  // Before Range (RFC 9110 §13.2.2): a client that has these bytes gets none of them again.
  if (notModified(req.headers['if-none-match'], etag)) return reply.code(304).send();
  const range = answerRange({ method: req.method, range: req.headers.range, ifRange: firstValue(req.headers['if-range']) }, info.size, etag);
  if (range.kind === 'unsatisfiable') {
    reply.header('Content-Range', `bytes */${info.size}`);
    throw new ApiError(416, 'invalid_request_error', 'range_not_satisfiable', `Range not satisfiable; the file has ${info.size} bytes.`, 'range');
  }
  if (req.method === 'HEAD') return reply.header('Content-Length', info.size).send();
  const body = await gw.blobs.open(blobKey, range.kind === 'partial' ? range : undefined);
  if (!body) throw notAvailable();
  if (range.kind === 'partial') {
    reply
      .code(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`)
      .header('Content-Length', range.end - range.start + 1);
  } else {
    reply.header('Content-Length', info.size);
  }
  return reply.send(body);
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
