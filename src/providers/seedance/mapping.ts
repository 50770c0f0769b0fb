/**
 * Pure mapping between Vidgate and Seedance on BytePlus ModelArk (spec providers-1 §4).
 * No I/O: Ark fetches image/video/audio URLs itself, so inputs are passed through as URLs.
 */
import { firstFrameOf, referenceImagesOf } from '../../contract/media-inputs.js';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, plainText, sanitizeMessage, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type PollResult, type TaskError, type UpstreamOutput } from '../types.js';
import type { ArkErrorBody, ArkRatio, ContentItem, CreateTaskBody, TaskObject } from './wire.js';

const RATIOS: readonly string[] = ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16', 'adaptive'];

import { TASK_ID } from './wire-schema.js';

export { TASK_ID };

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

const image = (url: string, role: 'first_frame' | 'last_frame' | 'reference_image'): ContentItem => ({ type: 'image_url', image_url: { url }, role });

/** Seedance material ids (asset-…) travel as asset:// URIs, the form Ark reads them in. */
function assetUri(id: string): string {
  return id.startsWith('asset://') ? id : `asset://${id}`;
}

/** Reference videos must be http(s) URLs (Ark refuses base64 for them, §4.3); reference audio may also come inline as data:audio/…;base64. */
function mediaUrl(url: string, param: 'video_urls' | 'audio_urls'): string {
  if (/^https?:\/\//i.test(url)) return url;
  if (param === 'audio_urls' && /^data:audio\/[a-z0-9.+-]+;base64,/i.test(url)) return url;
  throw invalid(`${param} must be public http(s) URLs${param === 'audio_urls' ? ' or data:audio/<format>;base64 URLs' : ': Seedance does not accept base64/data: videos'}. Host the file and send its URL.`);
}

/** The content items of the operation: the three image scenarios are never mixed (§4.3). */
export function contentFor(req: ResolvedVideoRequest): ContentItem[] {
  const content: ContentItem[] = [];
  if (req.draft_task_id !== undefined) {
    // Promoting a draft reuses the draft's prompt and inputs upstream (Seedance 1.5 Pro draft flow).
    // Callers name their own draft task (ldtask_…); the engine has put its upstream id here.
    if (!TASK_ID.test(req.draft_task_id) || req.draft_task_id.startsWith('ldtask_')) {
      throw invalid('draft_task_id must be the upstream Seedance draft task id (cgt-…), resolved by the gateway before submitting.');
    }
    return [{ type: 'draft_task', draft_task: { id: req.draft_task_id } }];
  }
  if (req.prompt) content.push({ type: 'text', text: req.prompt });
  switch (req.operation) {
    case 'text-to-video':
      if (!req.prompt) throw invalid('text-to-video needs a prompt.');
      return content;
    case 'image-to-video': {
      const first = firstFrameOf(req);
      if (!first) throw invalid('image-to-video needs a first frame: send image_url.');
      return [...content, image(first, 'first_frame')];
    }
    case 'start-end-to-video': {
      if (!req.start_image || !req.end_image) throw invalid('start-end-to-video needs start_image and end_image.');
      return [...content, image(req.start_image, 'first_frame'), image(req.end_image, 'last_frame')];
    }
    case 'reference-to-video': {
      const images = referenceImagesOf(req);
      const assets = [...(req.material_asset_id ? [req.material_asset_id] : []), ...(req.material_asset_ids ?? [])];
      const videos = (req.video_urls ?? []).map((u) => mediaUrl(u, 'video_urls'));
      const audios = (req.audio_urls ?? []).map((u) => mediaUrl(u, 'audio_urls'));
      if (images.length + assets.length + videos.length === 0) {
        throw invalid('reference-to-video needs at least one reference image or video; audio alone is not enough.');
      }
      for (const u of images) content.push(image(u, 'reference_image'));
      for (const a of assets) content.push(image(assetUri(a), 'reference_image'));
      for (const u of videos) content.push({ type: 'video_url', video_url: { url: u }, role: 'reference_video' });
      for (const u of audios) content.push({ type: 'audio_url', audio_url: { url: u }, role: 'reference_audio' });
      return content;
    }
    default:
      throw invalid(`Operation '${req.operation}' is not supported by Seedance through this gateway.`);
  }
}

/**
 * The create body. Seedance defaults are sent explicitly (720p, adaptive, audio on, seed −1,
 * watermark off: contract §2.2), so the result never depends on upstream defaults that vary by model.
 */
export function toCreateTaskBody(req: ResolvedVideoRequest): CreateTaskBody {
  if (!RATIOS.includes(req.aspect_ratio)) throw invalid(`Seedance supports aspect_ratio ${RATIOS.join(', ')}, not '${req.aspect_ratio}'.`);
  const body: CreateTaskBody = {
    model: req.upstream_model,
    content: contentFor(req),
    // A draft (1.5 Pro sample mode) renders 480p only.
    resolution: req.draft ? '480p' : req.resolution,
    watermark: req.watermark ?? false,
  };
  // A promotion sends none of what its draft fixes (ratio, duration, seed, audio, camera_fixed): Ark reuses the draft's.
  if (req.draft_task_id === undefined) {
    Object.assign(body, { ratio: req.aspect_ratio as ArkRatio, duration: req.duration, seed: req.seed ?? -1, generate_audio: req.output_audio });
    if (req.camera_fixed !== undefined) body.camera_fixed = req.camera_fixed;
  }
  if (req.return_last_frame !== undefined) body.return_last_frame = req.return_last_frame;
  if (req.draft !== undefined) body.draft = req.draft;
  // 2.x models take neither (BytePlus's own client strips them); the catalog refuses them there.
  if (!isSeedance2(req.upstream_model)) {
    if (req.service_tier !== undefined) body.service_tier = req.service_tier;
    if (req.execution_expires_after !== undefined) body.execution_expires_after = req.execution_expires_after;
  }
  if (req.priority !== undefined) body.priority = req.priority;
  // Contract §2.1: on Seedance an omitted safety_identifier falls back to `user`.
  const safety = req.safety_identifier ?? req.user;
  if (safety !== undefined) body.safety_identifier = safety;
  // The caller's callback_url is their webhook for *our* task events, never sent here; the adapter
  // adds the gateway's own callback_url when upstream callbacks are on (SubmitJob.callbackUrl).
  return body;
}

// ---------------------------------------------------------------------------------------------
// Task → PollResult

/** Ark's moderation verdicts: InputTextSensitiveContentDetected, OutputVideoSensitiveContentDetected, … */
const isPolicyCode = (code: string | undefined) => !isModerationOutage(code) && /SensitiveContent|ContentSecurity|RiskDetection/i.test(code ?? '');

/** ContentSecurityDetectionError is the moderation service failing, not a verdict: transient. */
const isModerationOutage = (code: string | undefined) => code === 'ContentSecurityDetectionError';

/** Seedance 2.x ids (dreamina-seedance-2-0-…, doubao-seedance-2-0-…). */
export const isSeedance2 = (upstreamModel: string) => /seedance-2/.test(upstreamModel);

/** Our task error for a failed Ark task. */
export function taskErrorFromArk(error: { code?: string; message?: string } | null | undefined, failureReason?: string | null): TaskError {
  const code = error?.code;
  const message = sanitizeMessage(error?.message ?? failureReason ?? undefined, `Seedance generation failed${code ? ` (${code})` : ''}.`);
  if (isPolicyCode(code)) return { code: 'content_policy_violation', message };
  if (/^(InvalidParameter|MissingParameter|InvalidArgument)/.test(code ?? '')) return { code: 'invalid_request', message };
  return { code: 'upstream_error', message };
}

/** Ark reports no progress, so queued/running carry none (we do not invent one). */
export function fromTask(task: TaskObject): PollResult {
  switch (task.status) {
    case 'queued':
      return { state: 'queued' };
    case 'running':
      return { state: 'running' };
    case 'cancelled':
      return { state: 'cancelled' };
    case 'expired':
      return {
        state: 'failed',
        error: { code: 'timeout_error', message: 'The Seedance task expired before it finished (execution_expires_after). Create a new task, or raise execution_expires_after.' },
      };
    case 'failed':
      return { state: 'failed', error: taskErrorFromArk(task.error, task.failure_reason) };
    case 'succeeded': {
      const videoUrl = task.content?.video_url;
      if (!videoUrl) return { state: 'failed', error: { code: 'upstream_error', message: 'Seedance reported success without a video_url.' } };
      const outputs: UpstreamOutput[] = [{ kind: 'video', url: videoUrl, mimeType: 'video/mp4' }];
      if (task.content?.last_frame_url) outputs.push({ kind: 'last_frame', url: task.content.last_frame_url, mimeType: 'image/png' });
      return { state: 'succeeded', outputs };
    }
    default:
      // An unknown status is most likely a new intermediate state: keep polling rather than fail.
      return { state: 'running' };
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP error → UpstreamError

function arkErrorOf(body: unknown): ArkErrorBody['error'] | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as ArkErrorBody).error;
    if (e && typeof e === 'object') return e;
  }
  return undefined;
}

/** A model Ark does not serve to this key: unknown, shut down, or never activated. */
const isModelUnavailable = (code: string | undefined) => /^(InvalidEndpointOrModel|ModelNotOpen|ModelNotFound|InvalidEndpoint\.ClosedEndpoint)/.test(code ?? '');

/** Ark's error vocabulary (§4.6): its `code` decides moderation, billing and unavailable models. */
export const SEEDANCE_ERRORS: ErrorSpec = {
  label: 'Seedance (ModelArk)',
  read(body, status) {
    const e = arkErrorOf(body);
    const code = e?.code;
    const reading = { code, message: e?.message ?? plainText(body) };
    if (status === 429 || status >= 500) return reading;
    if (isModerationOutage(code)) return { ...reading, kind: 'unavailable' };
    if (isPolicyCode(code)) return { ...reading, kind: 'content_policy' };
    if (code === 'AuthenticationError') return { ...reading, kind: 'auth' };
    if (/Overdue|Arrears|InsufficientBalance/i.test(code ?? '')) return { ...reading, kind: 'quota' };
    if (isModelUnavailable(code)) return { ...reading, kind: 'model_retired' };
    return reading;
  },
};

/** Maps a non-2xx Ark response (§4.6). Messages are redacted and truncated. */
export function mapHttpError(status: number, body: unknown, headers?: HeaderBag): UpstreamError {
  return classifyHttpError(SEEDANCE_ERRORS, status, body, headers);
}
