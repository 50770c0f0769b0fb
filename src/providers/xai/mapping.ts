/**
 * Pure mapping between Vidgate and xAI's Grok Imagine video API (spec providers-1 §3).
 * No I/O: xAI fetches public URLs itself and accepts data: URIs for images, so inputs pass through.
 */
import { firstFrameOf, referenceImagesOf } from '../../contract/media-inputs.js';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, plainText, sanitizeMessage, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type PollResult, type TaskError } from '../types.js';
import type { XaiEditRequest, XaiEndpoint, XaiGenerationRequest, XaiVideoStatus } from './wire.js';

export const MAX_REFERENCE_IMAGES = 7;
export const MAX_REFERENCE_DURATION = 10;
export const GENERATION_DURATIONS = { min: 1, max: 15 } as const;
export const XAI_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'] as const;
/** Public models whose video-to-video is an upscale (spec: no dedicated upscale endpoint or model). */
export const UPSCALE_MODELS = new Set(['grok-imagine-upscale']);

/** xAI wants a prompt on every call; these stand in when the caller sent none (our choice, see SOURCES.md). */
export const DEFAULT_PROMPTS = {
  image: 'Animate this image with natural, subtle motion.',
  reference: 'A short video featuring the subjects of the reference images.',
  edit: 'Re-render this video faithfully, keeping its content, framing and motion.',
  upscale: 'Upscale this video to 720p: sharpen detail and clean up noise while keeping content, framing and motion unchanged.',
} as const;

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

export interface XaiCall {
  endpoint: XaiEndpoint;
  body: XaiGenerationRequest | XaiEditRequest;
}

function promptOr(req: ResolvedVideoRequest, fallback: string): string {
  const p = req.prompt?.trim();
  return p ? req.prompt! : fallback;
}

function wireAspectRatio(ar: ResolvedVideoRequest['aspect_ratio']): string | undefined {
  if (ar === 'adaptive') return undefined; // upstream default (16:9)
  if ((XAI_ASPECT_RATIOS as readonly string[]).includes(ar)) return ar;
  throw invalid(`Grok Imagine supports aspect_ratio ${XAI_ASPECT_RATIOS.join(', ')}, not '${ar}'.`);
}

function wireResolution(res: ResolvedVideoRequest['resolution']): '480p' | '720p' {
  if (res === '480p' || res === '720p') return res;
  throw invalid(`Grok Imagine renders 480p or 720p, not '${res}'.`);
}

function wireDuration(duration: number, max: number): number {
  if (!Number.isInteger(duration) || duration < GENERATION_DURATIONS.min || duration > max) {
    throw invalid(`Grok Imagine takes a whole number of seconds from ${GENERATION_DURATIONS.min} to ${max}; got ${duration}.`);
  }
  return duration;
}

/**
 * The endpoint and body for one request. Generation (text, image, reference) goes to
 * /videos/generations; video-to-video (edit, and grok-imagine-upscale) to /videos/edits, which
 * takes no duration, aspect ratio or resolution: the output follows the source (≤ 720p).
 */
export function toXaiCall(req: ResolvedVideoRequest): XaiCall {
  const model = req.upstream_model;
  switch (req.operation) {
    case 'text-to-video': {
      if (!req.prompt?.trim()) throw invalid('text-to-video needs a prompt.');
      return { endpoint: 'generations', body: generation(req, req.prompt, GENERATION_DURATIONS.max) };
    }
    case 'image-to-video': {
      const image = firstFrameOf(req);
      if (!image) throw invalid('image-to-video needs a first frame: send image_url (or image, or image_urls[0]).');
      return { endpoint: 'generations', body: { ...generation(req, promptOr(req, DEFAULT_PROMPTS.image), GENERATION_DURATIONS.max), image: { url: image } } };
    }
    case 'reference-to-video': {
      const refs = referenceImagesOf(req);
      if (refs.length === 0) throw invalid(`reference-to-video needs reference_images (1 to ${MAX_REFERENCE_IMAGES} images).`);
      if (refs.length > MAX_REFERENCE_IMAGES) throw invalid(`Grok Imagine accepts at most ${MAX_REFERENCE_IMAGES} reference images; got ${refs.length}.`);
      if (req.image_url ?? req.image) throw invalid('Grok Imagine cannot combine reference images with a first frame (image_url / image).');
      const body = generation(req, promptOr(req, DEFAULT_PROMPTS.reference), MAX_REFERENCE_DURATION);
      return { endpoint: 'generations', body: { ...body, reference_images: refs.map((url) => ({ url })) } };
    }
    case 'video-to-video': {
      if (!req.video_url) throw invalid('video-to-video needs video_url (a public https .mp4).');
      const fallback = UPSCALE_MODELS.has(req.model) ? DEFAULT_PROMPTS.upscale : DEFAULT_PROMPTS.edit;
      return { endpoint: 'edits', body: { model, prompt: promptOr(req, fallback), video: { url: req.video_url } } };
    }
    default:
      throw invalid(`Operation '${req.operation}' is not supported by Grok Imagine.`);
  }
}

function generation(req: ResolvedVideoRequest, prompt: string, maxDuration: number): XaiGenerationRequest {
  const body: XaiGenerationRequest = {
    model: req.upstream_model,
    prompt,
    duration: wireDuration(req.duration, maxDuration),
    resolution: wireResolution(req.resolution),
  };
  const ar = wireAspectRatio(req.aspect_ratio);
  if (ar) body.aspect_ratio = ar;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Status → PollResult

/** Wording xAI uses when moderation stops a request (no stable code exists for it). */
const MODERATION_WORDING = /moderat|content polic|safety|prohibited|not allowed to generate|violat|inappropriate|nsfw/i;

const BLOCKED: TaskError = {
  code: 'content_policy_violation',
  message: "The video was blocked by xAI's content moderation. Rephrase the prompt or change the input media.",
};

/** Our task error for a job xAI reports as failed. */
export function taskErrorFromFailedJob(error: XaiVideoStatus['error']): TaskError {
  const message = sanitizeMessage(error?.message, 'Grok Imagine failed to generate the video. Try again, or change the prompt or inputs.');
  if (MODERATION_WORDING.test(`${error?.code ?? ''} ${error?.message ?? ''}`)) return { code: 'content_policy_violation', message };
  if (/invalid|argument/i.test(error?.code ?? '')) return { code: 'invalid_request', message };
  return { code: 'upstream_error', message };
}

/** Maps one poll answer. `pending` carries xAI's own progress (0–100) when present. */
export function fromVideoStatus(s: XaiVideoStatus): PollResult {
  const url = s.video?.url ?? undefined;
  // Older answers may omit status and only carry the video (the Vercel SDK treats that as done).
  const status = s.status ?? (url ? 'done' : 'pending');
  switch (status) {
    case 'done':
      if (s.video?.respect_moderation === false) return { state: 'failed', error: BLOCKED };
      if (!url) return { state: 'failed', error: { code: 'upstream_error', message: 'Grok Imagine reported the video done but returned no URL. Try again.' } };
      return { state: 'succeeded', outputs: [{ kind: 'video', url, mimeType: 'video/mp4' }] };
    case 'expired':
      return {
        state: 'failed',
        error: { code: 'upstream_expired', message: 'The Grok Imagine request expired before it produced a video. Submit it again.' },
      };
    case 'failed':
      return { state: 'failed', error: taskErrorFromFailedJob(s.error) };
    default: {
      const p = typeof s.progress === 'number' && Number.isFinite(s.progress) ? Math.min(100, Math.max(0, Math.round(s.progress))) : undefined;
      return p === undefined ? { state: 'running' } : { state: 'running', progress: p };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP error → UpstreamError

/** Reads both shapes: native `{code, error}` and OpenAI-style `{error:{message, code}}`. */
export function errorFieldsOf(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== 'object') {
    return typeof body === 'string' ? { message: plainText(body) } : {};
  }
  const b = body as Record<string, unknown>;
  if (typeof b.error === 'string') return { code: typeof b.code === 'string' ? b.code : undefined, message: b.error };
  if (b.error && typeof b.error === 'object') {
    const e = b.error as Record<string, unknown>;
    const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : undefined;
    return { code, message: typeof e.message === 'string' ? e.message : undefined };
  }
  return { code: typeof b.code === 'string' ? b.code : undefined };
}

/** Credits or spending limit used up: a 429 that waiting a few seconds will not fix. */
const OUT_OF_CREDITS = /credits|spending limit|billing|insufficient (?:funds|balance)/i;
const BAD_KEY = /api key|authenticat|unauthori[sz]ed|bearer/i;

/** A model xAI does not serve: "The model X does not exist or your team does not have access to it." */
const MODEL_MISSING = /model\b.*\b(?:does not exist|not found|no access|not have access)/i;

/** xAI's error vocabulary: wording decides credits, moderation, bad keys and unknown models. */
export const XAI_ERRORS: ErrorSpec = {
  label: 'xAI API',
  read(body, status) {
    const { code, message: raw = '' } = errorFieldsOf(body);
    const reading = { code, message: code && raw ? `${raw} (${code})` : raw || code };
    if (status === 429 || /resource has been exhausted/i.test(code ?? '')) return { ...reading, kind: OUT_OF_CREDITS.test(raw) ? 'quota' : 'rate_limited' };
    if (status >= 500) return reading;
    if ((status === 400 || status === 403 || status === 422) && MODERATION_WORDING.test(raw)) return { ...reading, kind: 'content_policy' };
    // xAI answers a wrong key with 400 "Incorrect API key provided".
    if (status === 400 && BAD_KEY.test(raw)) return { ...reading, kind: 'auth' };
    if (status === 403 && OUT_OF_CREDITS.test(raw)) return { ...reading, kind: 'quota' };
    if ((status === 404 || status === 400) && MODEL_MISSING.test(raw)) return { ...reading, kind: 'model_retired' };
    return reading;
  },
};

/** Maps a non-2xx xAI response. Messages are redacted and truncated. */
export function mapHttpError(status: number, body: unknown, headers?: HeaderBag): UpstreamError {
  return classifyHttpError(XAI_ERRORS, status, body, headers);
}
