/**
 * Pure mapping between Vidgate and the Topaz Labs Video API (spec providers-1 §5).
 * Topaz never reads the source itself before upload: we describe it from our own probe.
 */
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, plainText, sanitizeMessage, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type PollResult, type TaskError } from '../types.js';
import type { Container, CreateVideoBody, Resolution, StatusResponse, TopazErrorBody } from './wire.js';

/** Request ids are UUIDs; anything else must not reach a URL path. */
export const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** Upload parts are at least this large (§5.4: one URL per 500 MB — decimal, 500,000,000 bytes). */
export const DEFAULT_PART_BYTES = 500_000_000;

export interface SourceInfo {
  container: Container;
  sizeBytes: number;
  durationSeconds: number;
  width: number;
  height: number;
  frameRate?: number;
  hasAudio: boolean;
}

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

/** The container Topaz must be told: from the bytes' signature first, then the declared type. */
export function containerOf(bytes: Buffer, mimeType: string): Container {
  if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp') return bytes.toString('latin1', 8, 12) === 'qt  ' ? 'mov' : 'mp4';
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3) return 'mkv';
  const byType: Record<string, Container> = { 'video/mp4': 'mp4', 'video/quicktime': 'mov', 'video/x-matroska': 'mkv' };
  const c = byType[mimeType.split(';')[0].trim().toLowerCase()];
  if (!c) throw invalid('Topaz accepts MP4, MOV or MKV source videos; video_url points at another format. Convert it to MP4 and try again.');
  return c;
}

const SHORT_SIDE: Record<string, number> = { '720p': 720, '1080p': 1080, '4k': 2160 };
const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** Output size: the requested resolution on the short side, the source's aspect ratio kept. */
export function targetResolution(source: Resolution, resolution: string): Resolution {
  const short = SHORT_SIDE[resolution];
  if (!short) throw invalid(`topaz-video-upscale supports resolution 1080p or 4k, not '${resolution}'.`);
  if (!(source.width > 0 && source.height > 0)) throw invalid('The source video has no readable width/height.');
  return source.width >= source.height ? { width: even((short * source.width) / source.height), height: short } : { width: short, height: even((short * source.height) / source.width) };
}

/** Filter parameters per enhancement model: Proteus needs its auto mode, others take defaults. */
function filterFor(model: string): CreateVideoBody['filters'][number] {
  if (model.startsWith('prob-')) return { model, auto: 'Auto', videoType: 'Progressive' };
  return { model };
}

/** The create body (free: estimates only). The prompt is dropped: Topaz is not prompt-driven (§5.8). */
export function toCreateVideoBody(req: ResolvedVideoRequest, source: SourceInfo): CreateVideoBody {
  if (!(source.durationSeconds > 0)) throw invalid('The source video has no readable duration; send a playable MP4/MOV/MKV.');
  if (!(source.frameRate && source.frameRate > 0)) throw invalid('The source video has no readable frame rate; re-encode it as a constant-frame-rate MP4.');
  const resolution = { width: source.width, height: source.height };
  return {
    source: {
      container: source.container,
      size: source.sizeBytes,
      duration: source.durationSeconds,
      frameRate: source.frameRate,
      frameCount: Math.max(1, Math.round(source.durationSeconds * source.frameRate)),
      resolution,
    },
    output: {
      container: 'mp4',
      resolution: targetResolution(resolution, req.resolution),
      frameRate: source.frameRate,
      audioCodec: 'AAC',
      audioTransfer: source.hasAudio ? 'Copy' : 'None',
      dynamicCompressionLevel: 'Mid',
    },
    filters: [filterFor(req.upstream_model)],
  };
}

/**
 * Byte ranges for the signed URLs, uploaded in order: part size max(minPart, ceil(size/urls)) (§5.4).
 * Fewer parts than URLs is fine (the last URLs stay unused); ceil(size/urls) always fits the URLs.
 */
export function uploadParts(size: number, urlCount: number, minPartBytes = DEFAULT_PART_BYTES): Array<{ start: number; end: number }> {
  if (urlCount < 1) throw new UpstreamError('unavailable', 'Topaz accept answered without upload URLs.');
  const partSize = Math.max(minPartBytes, Math.ceil(size / urlCount), 1);
  const parts: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < size || parts.length === 0; start += partSize) parts.push({ start, end: Math.min(size, start + partSize) });
  return parts;
}

/** S3 ETags come quoted; Topaz wants them bare (§5.2). */
export function bareETag(value: string | null | undefined): string | undefined {
  const v = value?.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return v || undefined;
}

// ---------------------------------------------------------------------------------------------
// Status → PollResult

const QUEUED = ['requested', 'accepted', 'initializing'];
const RUNNING = ['preprocessing', 'processing', 'postprocessing'];

export function taskErrorFromStatus(s: StatusResponse): TaskError {
  const message = sanitizeMessage(s.message, `Topaz processing failed${s.errorCode ? ` (${s.errorCode})` : ''}.`);
  if (s.errorCode === 'INVALID_INPUT') return { code: 'invalid_request', message };
  return { code: 'upstream_error', message };
}

/** Topaz reports a percent `progress`; it is passed on as is. */
export function fromStatus(s: StatusResponse): PollResult {
  const status = s.status ?? '';
  const progress = typeof s.progress === 'number' && Number.isFinite(s.progress) ? s.progress : undefined;
  if (QUEUED.includes(status)) return { state: 'queued', ...(progress !== undefined ? { progress } : {}) };
  if (RUNNING.includes(status)) return { state: 'running', ...(progress !== undefined ? { progress } : {}) };
  // `canceling` is still running (the GPU work is being stopped); only `canceled` is final.
  if (status === 'canceling') return { state: 'running', ...(progress !== undefined ? { progress } : {}) };
  if (status === 'canceled') return { state: 'cancelled' };
  if (status === 'failed') return { state: 'failed', error: taskErrorFromStatus(s) };
  if (status === 'complete') {
    const url = s.download?.url;
    if (!url) return { state: 'failed', error: { code: 'upstream_error', message: 'Topaz reported the video complete without a download URL.' } };
    return { state: 'succeeded', outputs: [{ kind: 'video', url, mimeType: 'video/mp4' }] };
  }
  // An unknown status is most likely a new intermediate state: keep polling.
  return { state: 'running', ...(progress !== undefined ? { progress } : {}) };
}

// ---------------------------------------------------------------------------------------------
// HTTP error → UpstreamError

function messageOf(body: unknown): { message?: string; errorCode?: string } {
  if (typeof body === 'string') return { message: plainText(body) };
  if (!body || typeof body !== 'object') return {};
  const b = body as TopazErrorBody;
  const detail =
    typeof b.detail === 'string'
      ? b.detail
      : Array.isArray(b.detail)
        ? b.detail
            .map((d) => d?.msg)
            .filter(Boolean)
            .join('; ')
        : undefined;
  const fields = (b.errors ?? [])
    .map((e) => [e.path, e.msg ?? e.type].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
  const message = [b.message ?? detail ?? b.error, fields].filter(Boolean).join(' — ');
  return { message: message || undefined, errorCode: b.errorCode };
}

const MODEL_GONE = /unknown|not (available|supported)|deprecated|retired/i;

/**
 * A validation failure on `filters[n].model` saying the model is unknown: from an `errors[]` list
 * (older reference pages) or, as Topaz's OpenAPI defines every error body, from `{message}` alone.
 */
function hasModelError(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const { errors, message } = body as TopazErrorBody;
  if (Array.isArray(errors) && errors.some((e) => /^filters\.\d+\.model$/.test(String(e?.path ?? '')) && MODEL_GONE.test(String(e?.msg ?? '')))) return true;
  const about = typeof message === 'string' ? /\bfilters\.\d+\.model\b[:\s]+(.*)$/s.exec(message) : null;
  return about !== null && MODEL_GONE.test(about[1] ?? '');
}

/** Topaz's error vocabulary (§5.7): `errorCode` decides where it speaks. */
export const TOPAZ_ERRORS: ErrorSpec = {
  label: 'Topaz API',
  read(body, status) {
    const { message, errorCode } = messageOf(body);
    const reading = { message, code: errorCode };
    if (status === 429) return reading;
    if (errorCode === 'INSUFFICIENT_CREDITS') return { ...reading, kind: 'quota' };
    // The enhancement model named in filters[] is not (or no longer) served.
    if (status === 400 && hasModelError(body)) return { ...reading, kind: 'model_retired' };
    if (errorCode === 'SERVER_MAINTENANCE' || errorCode === 'SERVER_ERROR') return { ...reading, kind: 'unavailable' };
    if (errorCode === 'UNAUTHORIZED' || errorCode === 'FORBIDDEN') return { ...reading, kind: 'auth' };
    return reading;
  },
};

/** Maps a non-2xx Topaz response: OpenAPI `{message}` (older pages add `errorCode`, `errors[]`), FastAPI `{detail}`, or `{error}`. */
export function mapHttpError(status: number, body: unknown, headers?: HeaderBag): UpstreamError {
  return classifyHttpError(TOPAZ_ERRORS, status, body, headers);
}
