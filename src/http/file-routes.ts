import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { isTaskId } from '../contract/ids.js';
import type { Gateway } from './gateway.js';
import type { Task } from '../store/types.js';

function notAvailable(): ApiError {
  return new ApiError(404, 'not_found_error', 'file_not_found', 'File not found or no longer available.', null);
}

/** Parses a single "bytes=a-b" range; null when absent, 'invalid' when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

/**
 * Serves stored outputs through signed, expiring URLs (no API key needed: the URL is the grant),
 * streaming from blob storage with HTTP Range support for players and resumable downloads.
 */
export function registerFileRoutes(app: FastifyInstance, gw: Gateway): void {
  const handler = async (req: FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>, reply: FastifyReply) => {
    const { id } = req.params;
    const pathname = `/v1/files/${id}/video.mp4`;
    const problem = gw.signer.check(pathname, req.query.expires, req.query.signature);
    if (problem) throw new ApiError(403, 'permission_error', 'invalid_signature', `This file link is ${problem === 'expired' ? 'expired' : 'not valid'}; fetch the task again for a fresh video_url.`, 'signature');
    if (!isTaskId(id)) throw notAvailable();
    return sendStoredVideo(gw, req, reply, await gw.store.tasks.get(id));
  };
  app.get('/v1/files/:id/video.mp4', handler);
}

/** Streams a task's stored MP4 (Range, ETag); also serves the OpenAI-compatible content route. */
export async function sendStoredVideo(gw: Gateway, req: FastifyRequest, reply: FastifyReply, task: Task | undefined): Promise<FastifyReply> {
  const id = task?.id;
  if (task?.output_expired_ms) {
    throw new ApiError(410, 'not_found_error', 'file_expired', `This video was deleted ${Math.round(gw.config.retentionSeconds / 3600)} h after the task completed (the retention period). Download results before they expire.`, null);
  }
  const blobKey = task?.video?.blob_key;
  if (!blobKey) throw notAvailable();
  const info = await gw.blobs.stat(blobKey);
  if (!info) throw notAvailable();
  reply.header('Accept-Ranges', 'bytes');
  reply.header('Content-Type', 'video/mp4');
  reply.header('Cache-Control', 'private, max-age=3600');
  reply.header('ETag', `"${id}-${info.size}"`);
  const range = parseRange(req.headers.range, info.size);
  if (range === 'invalid') {
    reply.header('Content-Range', `bytes */${info.size}`);
    throw new ApiError(416, 'invalid_request_error', 'range_not_satisfiable', `Range not satisfiable; the file has ${info.size} bytes.`, 'range');
  }
  if (req.method === 'HEAD') {
    reply.header('Content-Length', info.size);
    return reply.send();
  }
  if (range) {
    reply.code(206);
    reply.header('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
    reply.header('Content-Length', range.end - range.start + 1);
    return reply.send(gw.blobs.open(blobKey, range));
  }
  reply.header('Content-Length', info.size);
  return reply.send(gw.blobs.open(blobKey));
}
