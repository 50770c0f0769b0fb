/**
 * Pure mapping between Vidgate and the Vidu enterprise API v2 (spec providers-2 §4).
 * No I/O: the adapter loads inline images and performs HTTP; everything here is testable with fixtures.
 */
import { firstFrameOf, referenceImagesOf } from '../../contract/media-inputs.js';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, kindForStatus, plainText, sanitizeMessage, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type PollResult, type TaskError, type UpstreamErrorKind } from '../types.js';
import type { ViduCreateBody, ViduEndpoint, ViduErrorBody, ViduTaskResponse } from './wire.js';

/** §4.4: reference2video takes 1–7 images (or 1–7 subjects). */
export const MAX_REFERENCE_IMAGES = 7;
/** §4.4: the whole POST body must be ≤ 20 MB (large base64 images fail upstream). */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;
/**
 * §4.4: png/jpeg/jpg/webp only (a JPEG goes under its registered name, image/jpeg). The catalog
 * refuses others at create with the same list (catalog/family-rules.ts acceptedImageTypes).
 */
export const ACCEPTED_IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/webp'];

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

export function endpointFor(operation: ResolvedVideoRequest['operation']): ViduEndpoint {
  switch (operation) {
    case 'text-to-video':
      return 'text2video';
    case 'image-to-video':
      return 'img2video';
    case 'reference-to-video':
      return 'reference2video';
    case 'start-end-to-video':
      return 'start-end2video';
    default:
      throw invalid(`Operation '${operation}' is not offered by Vidu; use text-to-video, image-to-video, reference-to-video or start-end-to-video.`);
  }
}

export const isQ3 = (upstreamModel: string) => upstreamModel.startsWith('viduq3');

/**
 * The images an operation sends, in upstream order (each an https URL, data: URL or raw base64).
 * img2video: exactly one first frame; start-end2video: [first, last]; reference2video: 1–7.
 */
export function imageInputsFor(req: ResolvedVideoRequest): string[] {
  switch (req.operation) {
    case 'text-to-video':
      return [];
    case 'image-to-video': {
      const first = firstFrameOf(req);
      if (!first) throw invalid('image-to-video needs a first frame: send image_url (or image, or image_urls[0]).');
      if ((req.image_urls?.length ?? 0) > 1) throw invalid('Vidu image-to-video takes exactly one image; send one image_url, or use reference-to-video for several.');
      return [first];
    }
    case 'start-end-to-video':
      if (!req.start_image) throw invalid('start-end-to-video needs start_image (the first frame).');
      if (!req.end_image) throw invalid('start-end-to-video needs end_image (the last frame).');
      return [req.start_image, req.end_image];
    case 'reference-to-video': {
      const refs = referenceImagesOf(req);
      if (refs.length === 0) throw invalid('reference-to-video needs reference_images (1 to 7 images).');
      if (refs.length > MAX_REFERENCE_IMAGES) throw invalid(`Vidu accepts at most ${MAX_REFERENCE_IMAGES} reference images; got ${refs.length}.`);
      return refs;
    }
    default:
      return [];
  }
}

/** http(s) URLs go to Vidu as they are: Vidu fetches them itself. */
export function isRemoteUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/**
 * Vidu needs base64 with its data-URL prefix (§4.8). `mimeType` is the media loader's, under its
 * registered name (image/jpeg for a JPEG declared image/jpg: media/sniff.ts), which goes as it is.
 */
export function toDataUrl(bytes: Buffer, mimeType: string): string {
  const mime = mimeType.toLowerCase();
  if (!ACCEPTED_IMAGE_TYPES.includes(mime)) {
    throw invalid(`Vidu accepts png, jpeg or webp images; this input is ${mimeType}. Convert it, or send an https URL of a png/jpeg/webp image.`);
  }
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

/**
 * Build the create body for `endpointFor(req.operation)`. `images` are the wire forms of
 * imageInputsFor(req) (URLs passed through, inline images as data: URLs). `payload` carries our task
 * id: Vidu echoes it in create and poll answers (§4.8), so an upstream job can be traced back.
 */
export function toCreateBody(req: ResolvedVideoRequest, images: string[], taskId?: string): ViduCreateBody {
  const endpoint = endpointFor(req.operation);
  const q3 = isQ3(req.upstream_model);
  const body: ViduCreateBody = { model: req.upstream_model };
  const prompt = req.prompt?.trim() ? req.prompt : undefined;
  if (prompt !== undefined) body.prompt = prompt;
  else if (endpoint === 'text2video' || endpoint === 'reference2video') {
    throw invalid(`Vidu ${req.operation} needs a prompt describing the video.`);
  }

  // viduq2-pro takes references in the non-subject mode only, with no audio field.
  const subjectless = endpoint === 'reference2video' && req.upstream_model === 'viduq2-pro';
  if (endpoint === 'reference2video' && req.output_audio && !q3 && !subjectless) {
    // Q2 speaks only in the audio-video ("subjects") mode: one subject per image, @1…@n in the prompt.
    body.subjects = images.map((image, i) => ({ id: String(i + 1), images: [image] }));
  } else if (images.length > 0) {
    body.images = images;
  }

  body.duration = req.duration;
  if (req.seed !== undefined) body.seed = req.seed;
  // aspect_ratio exists only on text2video and reference2video; image flows follow the image (§4.8).
  if ((endpoint === 'text2video' || endpoint === 'reference2video') && req.aspect_ratio !== 'adaptive') {
    body.aspect_ratio = req.aspect_ratio;
  }
  body.resolution = req.resolution.toLowerCase();
  // `audio` applies to img2video and reference2video on Q2, and to every endpoint on Q3 (§4.4).
  // On reference2video, Q2 audio=false is the images ("video only") mode, which documents no audio field.
  if (q3 || endpoint === 'img2video') body.audio = req.output_audio;
  else if (endpoint === 'reference2video') {
    if (req.output_audio && !subjectless) body.audio = true;
  } else if (req.output_audio) {
    throw invalid(`Vidu ${req.upstream_model} cannot add audio to ${req.operation}; omit output_audio.`);
  }
  if (req.watermark !== undefined) body.watermark = req.watermark;
  if (taskId) body.payload = taskId;
  return body;
}

/** Refuses bodies over Vidu's 20 MB cap before sending them (they would fail upstream anyway). */
export function checkBodySize(body: ViduCreateBody): void {
  const size = Buffer.byteLength(JSON.stringify(body));
  if (size > MAX_BODY_BYTES) {
    throw invalid(`The request to Vidu would be ${(size / 1048576).toFixed(1)} MB; Vidu accepts at most 20 MB per request. Send the images as https URLs instead of inline data.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Task → PollResult

const POLICY_CODES = new Set(['CreationPolicyViolation', 'TaskPromptPolicyViolation', 'AuditSubmitIllegal']);
const INPUT_CODES = new Set([
  'BadRequest',
  'FieldLacking',
  'FieldUnwanted',
  'FieldItemCountOutOfRange',
  'FieldInvalid',
  'PageSizeOutOfRange',
  'ImageDownloadFailure',
  'ImageFormatInvalid',
  'ImageCheckBodyJointsFailed',
  'ImageCheckFaceFailed',
  'ImageObjectsUndetected',
  'Conflict',
]);
const RATE_CODES = new Set(['QuotaExceeded', 'TooManyRequests', 'SystemThrottling']);

/** Human wording for the task-level err_codes; the code itself is appended for support. */
const ERR_CODE_TEXT: Record<string, string> = {
  CreationPolicyViolation: 'The generated video was blocked by Vidu content moderation. Rephrase the prompt or change the input images.',
  TaskPromptPolicyViolation: 'The prompt was blocked by Vidu content moderation. Rephrase it.',
  AuditSubmitIllegal: 'The prompt or an input image was blocked by Vidu content moderation. Change them and try again.',
  ImageDownloadFailure: 'Vidu could not download an input image. Make sure the URL is public and serves a png, jpeg or webp image.',
  ImageFormatInvalid: 'An input image is not a png, jpeg or webp image Vidu can read.',
  PageSizeOutOfRange: 'An input image is outside Vidu limits (≤ 50 MB, png/jpeg/webp, aspect ratio between 1:4 and 4:1).',
  CreditInsufficient: 'The Vidu account is out of credits. Top up the account, then create a new task.',
  ModelUnavailable: 'The Vidu model is unavailable right now. Try again later or choose another model.',
  InternalServiceFailure: 'Vidu failed to generate the video (internal error). Create a new task to try again.',
};

/** Our task error for a failed Vidu task's err_code (§4.6, §4.7). */
export function taskErrorFromErrCode(errCode: string | undefined): TaskError {
  const code = (errCode ?? '').trim();
  const text = ERR_CODE_TEXT[code] ?? 'Vidu failed to generate the video.';
  const message = sanitizeMessage(code ? `${text} (Vidu err_code ${code})` : text, text);
  if (POLICY_CODES.has(code)) return { code: 'content_policy_violation', message };
  if (INPUT_CODES.has(code)) return { code: 'invalid_request', message };
  if (code === 'CreditInsufficient') return { code: 'upstream_quota_exceeded', message };
  if (RATE_CODES.has(code)) return { code: 'upstream_rate_limited', message };
  if (code === 'ModelUnavailable') return { code: 'upstream_unavailable', message };
  return { code: 'upstream_error', message };
}

/**
 * Vidu's state → ours. Vidu reports no progress, so none is invented. Unknown states count as
 * running (§0: "treat any status value you do not recognise as still running").
 */
export function fromTaskResponse(task: ViduTaskResponse, opts: { preferWatermarked?: boolean } = {}): PollResult {
  switch (task.state) {
    case 'created':
    case 'queueing':
      return { state: 'queued' };
    case 'processing':
      return { state: 'running' };
    case 'success': {
      const creation = (task.creations ?? []).find((c) => typeof c?.url === 'string' && c.url.length > 0);
      if (!creation) return { state: 'failed', error: { code: 'upstream_error', message: 'Vidu reported success but returned no video URL.' } };
      const url = opts.preferWatermarked && creation.watermarked_url ? creation.watermarked_url : creation.url!;
      return { state: 'succeeded', outputs: [{ kind: 'video', url, mimeType: 'video/mp4' }] };
    }
    case 'failed':
      if (task.err_code === 'UserCancelled') return { state: 'cancelled' };
      return { state: 'failed', error: taskErrorFromErrCode(task.err_code) };
    default:
      return { state: 'running' };
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP error → UpstreamError

/** `reason`, falling back to a string `code` (a numeric `code` is just the HTTP status, §4.7). */
export function errorReason(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as ViduErrorBody;
  if (typeof b.reason === 'string' && b.reason) return b.reason;
  if (typeof b.code === 'string' && b.code && !/^\d+$/.test(b.code)) return b.code;
  return undefined;
}

/** A FieldInvalid about the model itself: the name is not (or no longer) one Vidu serves. */
const MODEL_REFUSED = /\b(unknown|unsupported|invalid|offline|deprecated) model\b|\bmodel\b.*\b(not exist|not found|no longer|offline)/i;

/** The kind Vidu's own `reason` decides, where it speaks (the HTTP status decides the rest). */
function kindFromReason(status: number, reason: string | undefined, message = ''): UpstreamErrorKind | undefined {
  if (!reason) return status === 499 ? 'unavailable' : undefined;
  if (reason === 'FieldInvalid' && /\bmodel\b/.test(message) && MODEL_REFUSED.test(message)) return 'model_retired';
  if (RATE_CODES.has(reason)) return 'rate_limited';
  if (reason === 'CreditInsufficient') return 'quota';
  if (POLICY_CODES.has(reason)) return 'content_policy';
  if (reason === 'Unauthorized' || reason === 'Forbidden') return 'auth';
  if (reason === 'TaskNotFound' || reason === 'CreationNotFound' || reason === 'NotFound') return 'not_found';
  // OperationInProcess (HTTP 400, "please retry later") is a busy signal, not a refusal.
  if (reason === 'InternalServiceFailure' || reason === 'ModelUnavailable' || reason === 'OperationInProcess') return 'unavailable';
  return undefined;
}

const FIX_HINT: Partial<Record<UpstreamErrorKind, string>> = {
  auth: ' Check VIDU_API_KEY (sent as "Authorization: Token <key>").',
  quota: ' Top up the Vidu account credits.',
  rate_limited: ' Vidu allows a limited number of concurrent tasks.',
};

/** Vidu's error vocabulary (§4.7): `reason` (or a string `code`) decides where it speaks. */
export const VIDU_ERRORS: ErrorSpec = {
  label: 'Vidu',
  read(body, status) {
    const reason = errorReason(body);
    const raw = body && typeof body === 'object' && typeof (body as ViduErrorBody).message === 'string' ? (body as ViduErrorBody).message! : plainText(body);
    const kind = kindFromReason(status, reason, raw) ?? kindForStatus(status);
    const detail = sanitizeMessage(raw, reason ? (ERR_CODE_TEXT[reason] ?? '') : '');
    const label = `Vidu answered HTTP ${status}${reason ? ` ${reason}` : ''}`;
    return { kind, code: reason, message: sanitizeMessage(`${label}${detail ? `: ${detail}` : '.'}${FIX_HINT[kind] ?? ''}`, label) };
  },
};

/** Maps a non-2xx Vidu response. Messages are redacted and short. */
export function mapHttpError(status: number, body: unknown, headers?: HeaderBag): UpstreamError {
  return classifyHttpError(VIDU_ERRORS, status, body, headers);
}
