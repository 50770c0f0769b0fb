/**
 * Pure mapping between Vidgate and Alibaba Wan on DashScope (spec providers-2 §3).
 * The mode comes from our operation (operators may override upstream ids, e.g. `-us` models);
 * text/reference-to-video take a `size` ("1280*720"), image-to-video a `resolution` tier ("720P").
 */
import { firstFrameOf, referenceImagesOf } from '../../contract/media-inputs.js';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, kindForStatus, plainText, sanitizeMessage, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type PollResult, type TaskError, type UpstreamErrorKind } from '../types.js';
import type { CreateTaskRequest, DashScopeErrorBody, TaskResponse, WanParameters } from './wire.js';

/** @ai-sdk/alibaba and the docs: up to 5 references, of which at most 3 videos. */
export const MAX_REFERENCES = 5;
export const MAX_REFERENCE_VIDEOS = 3;

/** DashScope task ids are UUIDs; nothing else may reach a URL path. */
export const TASK_ID = /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/;

export const VIDEO_SYNTHESIS_PATH = '/services/aigc/video-generation/video-synthesis';
/** First+last frame (kf2v) lives on the older image2video path: historical, not a typo (§3.3). */
export const IMAGE2VIDEO_SYNTHESIS_PATH = '/services/aigc/image2video/video-synthesis';

export function createPathFor(upstreamModel: string): string {
  return /kf2v/i.test(upstreamModel) ? IMAGE2VIDEO_SYNTHESIS_PATH : VIDEO_SYNTHESIS_PATH;
}

type Tier = '480P' | '720P' | '1080P';
const TIER: Partial<Record<ResolvedVideoRequest['resolution'], Tier>> = { '480p': '480P', '720p': '720P', '1080p': '1080P' };

/** The documented `size` values per tier and ratio (§3.4). 480P has no 4:3 / 3:4 size. */
export const SIZES: Record<Tier, Partial<Record<string, string>>> = {
  '480P': { '16:9': '832*480', '9:16': '480*832', '1:1': '624*624' },
  '720P': { '16:9': '1280*720', '9:16': '720*1280', '1:1': '960*960', '4:3': '1088*832', '3:4': '832*1088' },
  '1080P': { '16:9': '1920*1080', '9:16': '1080*1920', '1:1': '1440*1440', '4:3': '1632*1248', '3:4': '1248*1632' },
};

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

/** wan2.6 is the generation with the `audio` switch (spec §3.4, @ai-sdk/alibaba `audio`). */
/** wan2.6 t2v/i2v have an audio switch; wan2.6-r2v is video-with-audio only (no switch to send). */
export const hasAudioSwitch = (upstreamModel: string) => /^wan2\.6/i.test(upstreamModel) && !/-r2v/i.test(upstreamModel);
/** wan2.5 and wan2.6 take an `audio_url` soundtrack; earlier generations are silent. */
export const takesAudioUrl = (upstreamModel: string) => /^wan2\.[56]/i.test(upstreamModel);

function tierOf(req: ResolvedVideoRequest): Tier {
  const tier = TIER[req.resolution];
  if (!tier) throw invalid(`Wan renders 480p, 720p or 1080p, not '${req.resolution}'.`);
  return tier;
}

export function sizeFor(req: ResolvedVideoRequest): string {
  const tier = tierOf(req);
  const size = SIZES[tier][req.aspect_ratio];
  if (!size) {
    const ratios = Object.keys(SIZES[tier]).join(', ');
    throw invalid(`Wan has no ${req.aspect_ratio} size at ${req.resolution}. Use aspect_ratio ${ratios} at ${req.resolution}, or another resolution.`);
  }
  return size;
}

function referencesOf(req: ResolvedVideoRequest): string[] {
  const images = referenceImagesOf(req);
  const videos = req.video_urls ?? [];
  if (videos.length > MAX_REFERENCE_VIDEOS) throw invalid(`Wan reference-to-video takes at most ${MAX_REFERENCE_VIDEOS} reference videos; got ${videos.length}.`);
  const all = [...images, ...videos];
  if (all.length === 0) throw invalid('reference-to-video needs reference_images or video_urls (name them character1, character2… in the prompt).');
  if (all.length > MAX_REFERENCES) throw invalid(`Wan reference-to-video takes at most ${MAX_REFERENCES} references (images + videos); got ${all.length}.`);
  return all;
}

/** Build the create body. Media URLs pass through: DashScope fetches public and data: URLs itself. */
export function toCreateRequest(req: ResolvedVideoRequest): CreateTaskRequest {
  const model = req.upstream_model;
  const body: CreateTaskRequest = { model, input: {}, parameters: {} };
  const { input } = body;
  const parameters: WanParameters = body.parameters;
  if (req.prompt !== undefined && req.prompt !== '') input.prompt = req.prompt;
  if (req.negative_prompt) input.negative_prompt = req.negative_prompt;

  switch (req.operation) {
    case 'text-to-video':
      if (!input.prompt) throw invalid('text-to-video needs a prompt.');
      parameters.size = sizeFor(req);
      break;
    case 'image-to-video': {
      const image = firstFrameOf(req);
      if (!image) throw invalid('image-to-video needs a first frame: send image_url (or image, or image_urls[0]).');
      input.img_url = image;
      parameters.resolution = tierOf(req);
      break;
    }
    case 'start-end-to-video': {
      const first = req.start_image ?? req.image_url;
      if (!first || !req.end_image) throw invalid('start-end-to-video needs start_image and end_image.');
      input.first_frame_url = first;
      input.last_frame_url = req.end_image;
      parameters.resolution = tierOf(req);
      break;
    }
    case 'reference-to-video':
      if (!input.prompt) throw invalid('reference-to-video needs a prompt naming the references (character1, character2…).');
      input.reference_urls = referencesOf(req);
      parameters.size = sizeFor(req);
      break;
    default:
      throw invalid(`Operation '${req.operation}' is not supported by Wan on DashScope.`);
  }

  if (req.audio_url !== undefined) {
    if (!takesAudioUrl(model)) throw invalid(`${model} does not take audio_url; use a wan2.5 or wan2.6 model.`);
    if (!req.output_audio) throw invalid('audio_url makes the video follow that soundtrack, so output_audio=false cannot be honoured. Omit one of them.');
    input.audio_url = req.audio_url;
  }
  if (hasAudioSwitch(model)) parameters.audio = req.output_audio;
  parameters.duration = req.duration;
  if (req.watermark !== undefined) parameters.watermark = req.watermark;
  if (req.seed !== undefined) {
    if (!Number.isInteger(req.seed) || req.seed < 0 || req.seed > 2147483647) throw invalid('seed must be an integer from 0 to 2147483647 for Wan.');
    parameters.seed = req.seed;
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** DashScope's content-moderation codes (input or output). */
const POLICY_CODE = /^(DataInspectionFailed|DataInspection|IPInfringementSuspect|InappropriateContent)/i;

/** The kind DashScope's own code decides, where it speaks. */
function kindFromCode(code: string): UpstreamErrorKind | undefined {
  if (/^Throttling/i.test(code)) return 'rate_limited';
  if (/^Internal/i.test(code)) return 'unavailable';
  if (POLICY_CODE.test(code)) return 'content_policy';
  if (/^Arrearage/i.test(code)) return 'quota';
  if (/^(InvalidApiKey|AccessDenied)/i.test(code)) return 'auth';
  // "Model not exist": the region does not serve this model (any more).
  if (/^ModelNotFound$/i.test(code)) return 'model_retired';
  if (/NotFound$/i.test(code)) return 'not_found';
  return undefined;
}

/** What the operator can do about it, by kind. */
function hintFor(kind: UpstreamErrorKind, status: number, code: string): string {
  switch (kind) {
    case 'rate_limited':
      return 'DashScope rate or concurrency limit reached.';
    case 'unavailable':
      return 'DashScope had an internal error.';
    case 'content_policy':
      return 'DashScope content moderation refused the input. Change the prompt or the media.';
    case 'quota':
      return 'The Alibaba Cloud account is overdue. Settle the account, then create a new task.';
    case 'auth':
      return status === 403 || /^AccessDenied/i.test(code)
        ? "DashScope denied access. Activate the model for this key in Model Studio, in the key's region."
        : "DashScope refused the API key. Check DASHSCOPE_API_KEY, and that DASHSCOPE_BASE_URL is the key's region (intl, us or cn).";
    case 'model_retired':
    case 'not_found':
      return 'DashScope does not know this model or task in this region. Check the upstream model id and DASHSCOPE_BASE_URL.';
    case 'timeout':
      return 'DashScope timed out.';
    default:
      return 'DashScope rejected the request parameters.';
  }
}

/** DashScope's error vocabulary ({request_id, code, message}): its code decides where it speaks. */
export const DASHSCOPE_ERRORS: ErrorSpec = {
  label: 'DashScope',
  read(body, status) {
    const b = (body && typeof body === 'object' ? body : {}) as DashScopeErrorBody;
    const code = typeof b.code === 'string' ? b.code : '';
    const kind = kindFromCode(code) ?? kindForStatus(status);
    const detail = sanitizeMessage(typeof b.message === 'string' ? b.message : plainText(body), `HTTP ${status}`);
    return { kind, code: code || undefined, message: `${hintFor(kind, status, code)} (DashScope ${code || `HTTP ${status}`}: ${detail})` };
  },
};

/** Maps a non-2xx DashScope answer ({request_id, code, message}). Messages are redacted. */
export function mapHttpError(status: number, body: unknown, headers?: HeaderBag): UpstreamError {
  return classifyHttpError(DASHSCOPE_ERRORS, status, body, headers);
}

// ---------------------------------------------------------------------------------------------
// Create / task answers

export function taskIdFromCreate(body: unknown): string {
  const id = (body as { output?: { task_id?: unknown } } | null)?.output?.task_id;
  if (typeof id !== 'string' || !TASK_ID.test(id)) throw new UpstreamError('ambiguous', 'DashScope create answered without a usable output.task_id.');
  return id;
}

export function taskErrorFromFailed(output: NonNullable<TaskResponse['output']>): TaskError {
  const code = output.code ?? '';
  const detail = sanitizeMessage(output.message, 'no reason given');
  if (POLICY_CODE.test(code)) return { code: 'content_policy_violation', message: `DashScope content moderation blocked the video (${code}: ${detail}). Rephrase the prompt or change the media.` };
  if (/^InvalidParameter/i.test(code)) return { code: 'invalid_request', message: `DashScope rejected the request (${code}: ${detail}).` };
  if (/^Arrearage/i.test(code)) return { code: 'upstream_quota_exceeded', message: `The Alibaba Cloud account is overdue (${code}: ${detail}). Settle it, then create a new task.` };
  return { code: 'upstream_error', message: `Wan video generation failed (${code || 'no code'}: ${detail}). Create a new task to try again.` };
}

/**
 * GET /tasks/{id} → PollResult. UNKNOWN (HTTP 200) means the task does not exist or expired after
 * 24 h: that is "not found", never "still running". DashScope reports no progress percentage.
 */
export function fromTask(body: TaskResponse): PollResult {
  const output = body?.output;
  const status = output?.task_status;
  switch (status) {
    case 'PENDING':
      return { state: 'queued' };
    case 'SUCCEEDED': {
      const url = output?.video_url;
      if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
        return { state: 'failed', error: { code: 'no_output', message: 'DashScope reported SUCCEEDED without a video_url.' } };
      }
      return { state: 'succeeded', outputs: [{ kind: 'video', url, mimeType: 'video/mp4' }] };
    }
    case 'FAILED':
      return { state: 'failed', error: taskErrorFromFailed(output ?? {}) };
    case 'CANCELED':
      return { state: 'cancelled' };
    case 'UNKNOWN':
      throw new UpstreamError('not_found', 'DashScope no longer knows this task (UNKNOWN: it does not exist, belongs to another account, or expired after 24 h).', 200, undefined, 'UNKNOWN');
    default:
      return { state: 'running' };
  }
}
