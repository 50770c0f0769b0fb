/**
 * Pure mapping between Vidgate and OpenAI's Videos API for Sora (spec providers-1 §1).
 * No I/O: the adapter loads media and performs HTTP; everything here is testable with fixtures.
 */
import { firstFrameOf } from '../../contract/media-inputs.js';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, headerValue, parseRetryAfter, plainText, sanitizeMessage, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type MediaBytes, type PollResult, type TaskError } from '../types.js';
import { imagePixelSize, soraImageType } from './image-size.js';
import type { OpenAIErrorBody, SoraCreateFields, SoraVideo, SoraVideoError } from './wire.js';

/** `seconds` values Sora takes: the SDK enum 4/8/12 plus 16/20 from the guide (§1.3). Sent as strings. */
export const SORA_SECONDS = ['4', '8', '12', '16', '20'] as const;

/** Sizes every Sora model renders, and the ones only sora-2-pro renders (§1.3, §1.10). */
export const SORA_STANDARD_SIZES = ['1280x720', '720x1280'] as const;
export const SORA_PRO_SIZES = ['1792x1024', '1024x1792', '1920x1080', '1080x1920'] as const;

/** aspect_ratio + resolution → size when the caller did not send `size` (§1.10: 1080p → 1920x1080 / 1080x1920). */
const SIZE_FOR_SHAPE: Record<string, string> = {
  '16:9@720p': '1280x720',
  '9:16@720p': '720x1280',
  '16:9@1080p': '1920x1080',
  '9:16@1080p': '1080x1920',
};

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

const isProModel = (upstreamModel: string) => upstreamModel.startsWith('sora-2-pro');

export function sizesFor(upstreamModel: string): string[] {
  return isProModel(upstreamModel) ? [...SORA_STANDARD_SIZES, ...SORA_PRO_SIZES] : [...SORA_STANDARD_SIZES];
}

/** The `size` to send: the caller's own `size` (already checked by the catalog), else the shape's size. */
export function soraSize(req: ResolvedVideoRequest): string {
  const size = req.size ?? SIZE_FOR_SHAPE[`${req.aspect_ratio}@${req.resolution}`];
  if (!size) {
    throw invalid(`Sora renders aspect_ratio 16:9 or 9:16 at 720p or 1080p; '${req.aspect_ratio}' at ${req.resolution} has no Sora size. Use 16:9 or 9:16.`);
  }
  const allowed = sizesFor(req.upstream_model);
  if (!allowed.includes(size)) {
    throw invalid(`Sora model ${req.upstream_model} does not render ${size}. Allowed sizes: ${allowed.join(', ')}.`);
  }
  return size;
}

export function soraSeconds(duration: number): string {
  const s = String(duration);
  if (!(SORA_SECONDS as readonly string[]).includes(s)) {
    throw invalid(`Sora renders ${SORA_SECONDS.join(', ')} second videos; duration ${duration} is not one of them.`);
  }
  return s;
}

/** The first-frame image of an image-to-video request (Sora's `input_reference`). */
export function referenceImageOf(req: ResolvedVideoRequest): string | undefined {
  switch (req.operation) {
    case 'text-to-video':
      return undefined;
    case 'image-to-video': {
      const image = firstFrameOf(req);
      if (!image) throw invalid('image-to-video needs a first frame: send image_url (or image, or image_urls[0]).');
      return image;
    }
    default:
      throw invalid(`Operation '${req.operation}' is not supported by Sora; use text-to-video or image-to-video.`);
  }
}

/** The form fields of `POST /videos` (everything but the file). */
export function toCreateFields(req: ResolvedVideoRequest): SoraCreateFields {
  const prompt = req.prompt?.trim();
  if (!prompt) throw invalid('Sora needs a prompt describing the video; send a non-empty prompt.');
  return { model: req.upstream_model, prompt: req.prompt!, seconds: soraSeconds(req.duration), size: soraSize(req) };
}

/**
 * Sora refuses a reference image whose pixel size differs from `size` (§1.3, §6). The gateway cannot
 * resize here (no image codec in the adapter), so a mismatch fails the task with how to fix it
 * instead of spending an upstream call that would be refused anyway.
 */
/**
 * Sora needs the first frame at exactly the output size. Returns the size to fit the image to
 * (the gateway scales and centre-crops it), or null when it already matches.
 */
export function referenceFitTarget(media: MediaBytes, size: string): { width: number; height: number } | null {
  const type = soraImageType(media.bytes);
  if (!type) {
    throw invalid(`Sora accepts a JPEG, PNG or WebP first frame; the image_url is ${media.mimeType || 'not an image'}. Convert it to PNG or JPEG.`);
  }
  const [width, height] = size.split('x').map(Number);
  const px = imagePixelSize(media.bytes);
  if (px && px.width === width && px.height === height) return null;
  return { width, height };
}

export function referenceFileName(media: MediaBytes): string {
  const type = soraImageType(media.bytes) ?? 'png';
  return `input_reference.${type === 'jpeg' ? 'jpg' : type}`;
}

// ---------------------------------------------------------------------------------------------
// Video → PollResult

/** Codes and wording OpenAI uses when moderation stops a request (§1.4: codes unpublished; these are the known ones). */
const MODERATION_CODES = new Set(['moderation_blocked', 'content_policy_violation', 'content_filter', 'safety_violation', 'input_moderation', 'output_moderation']);
const SAFETY_WORDING = /moderation|safety system|content polic|usage polic|guardrail|violat\w* (?:of )?(?:our )?(?:content|usage|safety)|prohibited content|not allowed by our/i;

/** Masks OpenAI keys (sk-…, also the partly starred ones OpenAI echoes in 401 messages). */
const OPENAI_KEY = /\bsk-[A-Za-z0-9_*.-]{6,}/g;

/** The shared redaction, plus OpenAI's partly starred key echoes. */
export function sanitize(message: string | undefined, fallback: string, secrets: readonly string[] = []): string {
  return sanitizeMessage((message ?? '').replace(OPENAI_KEY, '[redacted]'), fallback, secrets);
}

function isModeration(code: string | null | undefined, message: string | undefined): boolean {
  return (code !== null && code !== undefined && MODERATION_CODES.has(code)) || SAFETY_WORDING.test(message ?? '');
}

/** Our task error for a failed Video's `error`. */
export function taskErrorFromVideoError(error: SoraVideoError | null | undefined): TaskError {
  const code = error?.code ?? undefined;
  const message = sanitize(error?.message, `Sora video generation failed${code ? ` (${code})` : ''}.`);
  if (isModeration(code, error?.message)) return { code: 'content_policy_violation', message };
  if (code && /^invalid|_invalid$|unsupported/.test(code)) return { code: 'invalid_request', message };
  return { code: 'upstream_error', message };
}

/** `openai-poll-after-ms` (§1.5) in seconds (fractions kept), the engine's hint for the next poll. */
export function pollAfterSeconds(headers: HeaderBag | undefined): number | undefined {
  const raw = headerValue(headers, 'openai-poll-after-ms');
  if (raw === undefined || !/^\d+(?:\.\d+)?$/.test(raw.trim())) return undefined;
  const ms = Number(raw);
  return ms > 0 ? ms / 1000 : undefined;
}

/** `contentUrl` is where the finished bytes are (authenticated GET /videos/{id}/content). */
export function fromVideo(video: SoraVideo, contentUrl: string, headers?: HeaderBag): PollResult {
  const progress = typeof video.progress === 'number' && Number.isFinite(video.progress) ? video.progress : undefined;
  const retryAfterSeconds = pollAfterSeconds(headers);
  const hint = retryAfterSeconds !== undefined ? { retryAfterSeconds } : {};
  switch (video.status) {
    case 'completed':
      return { state: 'succeeded', outputs: [{ kind: 'video', url: contentUrl, mimeType: 'video/mp4' }] };
    case 'failed':
      return { state: 'failed', error: taskErrorFromVideoError(video.error) };
    case 'queued':
      return { state: 'queued', ...(progress !== undefined ? { progress } : {}), ...hint };
    default:
      // in_progress, and any status newer than this code: still working.
      return { state: 'running', ...(progress !== undefined ? { progress } : {}), ...hint };
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP error → UpstreamError

function errorOf(body: unknown): NonNullable<OpenAIErrorBody['error']> | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as OpenAIErrorBody).error;
    if (e && typeof e === 'object') return e;
  }
  return undefined;
}

/** Retry-After as the OpenAI SDK reads it: `retry-after-ms` first, then `retry-after` (seconds or date). */
export function retryAfterOf(headers: HeaderBag | undefined): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(?:\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms) / 1000);
  return parseRetryAfter(headerValue(headers, 'retry-after'));
}

/** OpenAI's error vocabulary (§1.9): `error.code`/`type` decide where they speak; 409 means "busy, retry". */
export const OPENAI_ERRORS: ErrorSpec = {
  label: 'OpenAI Videos API',
  read(body, status, headers) {
    const e = errorOf(body);
    const raw = typeof e?.message === 'string' ? e.message : plainText(body);
    const code = typeof e?.code === 'string' ? e.code : undefined;
    const param = typeof e?.param === 'string' ? e.param : undefined;
    const base = sanitize(raw, `OpenAI Videos API returned HTTP ${status}.`);
    const message = param && status < 500 && status !== 429 ? `${base} (param: ${param})` : base;
    const reading = { code: code ?? e?.type, message };
    // insufficient_quota is a billing state, not a burst: waiting does not help.
    if (status === 429 && (code === 'insufficient_quota' || e?.type === 'insufficient_quota')) return { ...reading, kind: 'quota' };
    if (status === 429 || status >= 500 || status === 409) return { ...reading, kind: status === 429 ? 'rate_limited' : 'unavailable', retryAfterSeconds: retryAfterOf(headers) };
    if ((status === 400 || status === 403 || status === 422) && isModeration(code, raw)) return { ...reading, kind: 'content_policy' };
    // A model OpenAI no longer serves (or never did): model_not_found, or an invalid `model` value.
    if (code === 'model_not_found' || (param === 'model' && status < 500)) return { ...reading, kind: 'model_retired' };
    return reading;
  },
};

/** Maps a non-2xx OpenAI response. Messages are redacted: never the key. */
export function mapHttpError(status: number, body: unknown, headers?: HeaderBag, secrets: readonly string[] = []): UpstreamError {
  return classifyHttpError(OPENAI_ERRORS, status, body, headers, secrets);
}
