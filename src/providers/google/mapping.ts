/**
 * Pure mapping between Vidgate and the Gemini API's Veo endpoints (spec providers-1 §2).
 * No I/O: the adapter loads media and performs HTTP; everything here is testable with fixtures.
 */
import { firstFrameOf, referenceImagesOf } from '../../contract/media-inputs.js';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, headerValue, parseRetryAfter, plainText, sanitizeMessage, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type MediaBytes, type PollResult, type TaskError, type UpstreamOutput } from '../types.js';
import type { Operation, PredictRequest, RpcStatus, WireImage, WireInstance, WireParameters } from './wire.js';

export const MAX_REFERENCE_IMAGES = 3;

/** The media URLs (http(s) or data:) an operation needs loaded before the request can be built. */
export interface GoogleMediaInputs {
  image?: string;
  lastFrame?: string;
  references?: string[];
}

export interface GoogleMedia {
  image?: MediaBytes;
  lastFrame?: MediaBytes;
  references?: MediaBytes[];
}

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

/**
 * Which inputs to fetch for this operation. Throws invalid_input when a required input is missing
 * or the operation is not one Veo on the Gemini API can do.
 */
export function mediaInputsFor(req: ResolvedVideoRequest): GoogleMediaInputs {
  switch (req.operation) {
    case 'text-to-video':
      return {};
    case 'image-to-video': {
      const image = firstFrameOf(req);
      if (!image) throw invalid('image-to-video needs a first frame: send image_url (or image, or image_urls[0]).');
      return { image };
    }
    case 'start-end-to-video': {
      const image = req.start_image ?? firstFrameOf(req);
      if (!image) throw invalid('start-end-to-video needs start_image (the first frame).');
      if (!req.end_image) throw invalid('start-end-to-video needs end_image (the last frame).');
      return { image, lastFrame: req.end_image };
    }
    case 'reference-to-video': {
      const references = referenceImagesOf(req);
      if (references.length === 0) throw invalid('reference-to-video needs reference_images (1 to 3 images).');
      if (references.length > MAX_REFERENCE_IMAGES) {
        throw invalid(`Veo accepts at most ${MAX_REFERENCE_IMAGES} reference images; got ${references.length}.`);
      }
      if (req.reference_image_type === 'style') {
        throw invalid("Veo on the Gemini API only supports reference_image_type 'asset'.");
      }
      return { references };
    }
    default:
      throw invalid(`Operation '${req.operation}' is not supported by Veo on the Gemini API.`);
  }
}

type VeoFamily = 'veo-2' | 'veo-3.0' | 'veo-3.x';

function familyOf(upstreamModel: string): VeoFamily {
  if (upstreamModel.startsWith('veo-2')) return 'veo-2';
  if (upstreamModel.startsWith('veo-3.0')) return 'veo-3.0';
  return 'veo-3.x';
}

/** Veo 3.x renders sound with every video; Veo 2 is silent. */
export function rendersAudio(upstreamModel: string): boolean {
  return familyOf(upstreamModel) !== 'veo-2';
}

/**
 * durationSeconds each model accepts (SOURCES.md): Veo 2 → 5/6/8; Veo 3.0 → 8 only (Google's Veo
 * cookbook: "always 8s for Veo 3"); Veo 3.1 → 4/6/8.
 */
export function allowedDurations(upstreamModel: string): number[] {
  switch (familyOf(upstreamModel)) {
    case 'veo-2':
      return [5, 6, 8];
    case 'veo-3.0':
      return [8];
    default:
      return [4, 6, 8];
  }
}

/**
 * The durationSeconds to send: the request's duration, when the model renders that length. A
 * duration the catalog renders at another length (Veo 3.1's 5 → 6, TokenLab's examples send 5)
 * arrives here already as that length: the engine sends what the catalog reserves and bills.
 * Anything the model does not render is refused, never silently rounded to a length the caller
 * did not ask for (and would not be billed for). `mustBeEight`: reference images, 1080p and 4k
 * render 8 s only.
 */
export function upstreamDuration(requested: number, upstreamModel: string, mustBeEight: boolean): number {
  const allowed = mustBeEight ? [8] : allowedDurations(upstreamModel);
  if (allowed.includes(requested)) return requested;
  const list = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}` : `${allowed[0]}`;
  const why = mustBeEight ? ' with reference images, 1080p or 4k' : '';
  // Not the upstream model id: task errors are public, upstream ids are not (design.md).
  throw invalid(`This Veo model renders ${list} second videos only${why}, not ${requested} s. Set duration to ${list}.`);
}

export function toWireImage(media: MediaBytes): WireImage {
  return { bytesBase64Encoded: media.bytes.toString('base64'), mimeType: media.mimeType };
}

/** Build the predictLongRunning body. Never sends `generateAudio` or `seed` (rejected on the Gemini API, §2.3). */
export function toPredictRequest(req: ResolvedVideoRequest, media: GoogleMedia): PredictRequest {
  const instance: WireInstance = {};
  if (req.prompt !== undefined) instance.prompt = req.prompt;
  if (media.image) instance.image = toWireImage(media.image);
  if (media.lastFrame) {
    if (!media.image) throw invalid('A last frame (end_image) must be sent together with a first frame (start_image).');
    instance.lastFrame = toWireImage(media.lastFrame);
  }
  const references = media.references ?? [];
  if (references.length > MAX_REFERENCE_IMAGES) {
    throw invalid(`Veo accepts at most ${MAX_REFERENCE_IMAGES} reference images; got ${references.length}.`);
  }
  if (references.length > 0) {
    instance.referenceImages = references.map((r) => ({ image: toWireImage(r), referenceType: 'asset' as const }));
  }

  const family = familyOf(req.upstream_model);
  const resolution = wireResolution(req.resolution, family);
  const mustBeEight = references.length > 0 || resolution === '1080p' || resolution === '4k';
  const parameters: WireParameters = {
    durationSeconds: upstreamDuration(req.duration, req.upstream_model, mustBeEight),
    sampleCount: 1,
  };
  const aspectRatio = wireAspectRatio(req.aspect_ratio);
  if (aspectRatio) parameters.aspectRatio = aspectRatio;
  if (resolution) parameters.resolution = resolution;
  if (req.negative_prompt) parameters.negativePrompt = req.negative_prompt;
  const person = fixedPersonGeneration(req.upstream_model, family, instance);
  if (person) parameters.personGeneration = person;
  return { instances: [instance], parameters };
}

/** Only 16:9 and 9:16 exist upstream; 'adaptive' lets the upstream pick (its default is 16:9). */
function wireAspectRatio(ar: ResolvedVideoRequest['aspect_ratio']): WireParameters['aspectRatio'] {
  if (ar === '16:9' || ar === '9:16') return ar;
  if (ar === 'adaptive') return undefined;
  throw invalid(`Veo supports aspect_ratio '16:9' or '9:16', not '${ar}'.`);
}

/** Veo 2 has no resolution parameter (§2.3), so it is omitted there rather than rejected; 4k arrived with Veo 3.1. */
function wireResolution(res: ResolvedVideoRequest['resolution'], family: VeoFamily): WireParameters['resolution'] {
  if (family === 'veo-2') return undefined;
  if (res === '4k' && family === 'veo-3.0') throw invalid('Veo 3.0 renders 720p or 1080p; 4k needs Veo 3.1.');
  if (res === '720p' || res === '1080p' || res === '4k') return res;
  throw invalid(`Veo supports resolution '720p', '1080p' or '4k', not '${res}'.`);
}

/**
 * personGeneration is sent only where the documented rules fix its value in every region: on Veo
 * 3.x, image inputs (interpolation, references; a first frame on 3.0) allow only 'allow_adult'.
 * Text-to-video's 'allow_all' is refused in EU/UK/CH/MENA, and Google's own samples never send it
 * for a first frame on 3.1 (where allow_adult is reported refused), so there the upstream default
 * applies. A 400 that names personGeneration anyway is answered by resubmitting once without it.
 */
function fixedPersonGeneration(upstreamModel: string, family: VeoFamily, instance: WireInstance): WireParameters['personGeneration'] {
  if (family === 'veo-2') return undefined;
  const firstFrameOnly = instance.image && !instance.lastFrame && !instance.referenceImages;
  if (firstFrameOnly && upstreamModel.startsWith('veo-3.1')) return undefined;
  return instance.image || instance.referenceImages ? 'allow_adult' : undefined;
}

/** A 400 that refuses the personGeneration value: the same request without it may well be accepted. */
export function refusesPersonGeneration(err: unknown): boolean {
  return err instanceof UpstreamError && err.httpStatus === 400 && /personGeneration/i.test(err.message);
}

// ---------------------------------------------------------------------------------------------
// Operation → PollResult

/** Wording Google uses when safety/RAI filters stop a request (no stable code exists for it). */
const SAFETY_WORDING = /safety|responsible ai|\brai\b|content[ _-]?polic|usage (?:guidelines|polic)|prohibited|sensitive (?:content|words)|harmful|celebrit|\bfiltered\b|policy violation|violates/i;

/** Our task error for a google.rpc.Status carried by a finished operation. */
export function taskErrorFromRpcStatus(error: RpcStatus): TaskError {
  const status = error.status ?? grpcCodeName(error.code);
  const message = sanitizeMessage(error.message, `Veo generation failed (${status ?? 'unknown error'}).`);
  if (SAFETY_WORDING.test(error.message ?? '')) return { code: 'content_policy_violation', message };
  if (status === 'INVALID_ARGUMENT' || status === 'FAILED_PRECONDITION' || status === 'OUT_OF_RANGE') {
    return { code: 'invalid_request', message };
  }
  if (status === 'RESOURCE_EXHAUSTED') return { code: 'upstream_rate_limited', message };
  return { code: 'upstream_error', message };
}

const GRPC_CODES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

function grpcCodeName(code: number | undefined): string | undefined {
  return code === undefined ? undefined : GRPC_CODES[code];
}

/** Gemini reports no progress, so a running operation carries none (we do not invent one). */
export function fromOperation(op: Operation): PollResult {
  if (!op.done) return { state: 'running' };
  if (op.error) return { state: 'failed', error: taskErrorFromRpcStatus(op.error) };

  const response = op.response?.generateVideoResponse;
  const outputs: UpstreamOutput[] = [];
  for (const sample of response?.generatedSamples ?? []) {
    const video = sample.video;
    if (video?.uri) outputs.push({ kind: 'video', url: video.uri, mimeType: video.encoding ?? 'video/mp4' });
    else if (video?.encodedVideo) outputs.push({ kind: 'video', base64: video.encodedVideo, mimeType: video.encoding ?? 'video/mp4' });
  }
  if (outputs.length > 0) return { state: 'succeeded', outputs };

  return finishedWithoutVideo(response);
}

/** A done operation with no video: blocked by the RAI filters when it says so (not billed), else an upstream error. Gemini and Vertex alike. */
export function finishedWithoutVideo(response: { raiMediaFilteredCount?: number; raiMediaFilteredReasons?: string[] } | undefined): PollResult {
  if ((response?.raiMediaFilteredCount ?? 0) > 0 || (response?.raiMediaFilteredReasons?.length ?? 0) > 0) {
    const reasons = (response?.raiMediaFilteredReasons ?? []).join(' ');
    return {
      state: 'failed',
      error: {
        code: 'content_policy_violation',
        message: sanitizeMessage(
          reasons ? `The video was blocked by the provider's safety filters: ${reasons}` : undefined,
          "The video was blocked by the provider's safety filters. Rephrase the prompt or change the input images.",
        ),
      },
    };
  }
  return { state: 'failed', error: { code: 'upstream_error', message: 'Veo finished without returning a video.' } };
}

// ---------------------------------------------------------------------------------------------
// HTTP error → UpstreamError

interface GoogleErrorBody {
  error?: RpcStatus;
}

function rpcStatusOf(body: unknown): RpcStatus | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as GoogleErrorBody).error;
    if (e && typeof e === 'object') return e;
  }
  return undefined;
}

/** google.rpc.RetryInfo.retryDelay is a Duration in JSON form: "30s", "1.5s". */
export function retryDelayFromDetails(details: RpcStatus['details']): number | undefined {
  for (const d of details ?? []) {
    const type = typeof d['@type'] === 'string' ? (d['@type'] as string) : '';
    const delay = d.retryDelay;
    if (type.endsWith('google.rpc.RetryInfo') && typeof delay === 'string') {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (m) return Math.ceil(Number(m[1]));
    }
  }
  return undefined;
}

function isApiKeyProblem(rpc: RpcStatus | undefined): boolean {
  const reasonIsKey = (rpc?.details ?? []).some((d) => typeof d.reason === 'string' && /^API_KEY_/.test(d.reason as string));
  return reasonIsKey || /api key (?:not valid|expired|invalid)/i.test(rpc?.message ?? '');
}

/** A model the Gemini API does not serve (unknown, or shut down): "models/x is not found for API version v1beta". */
/** "models/X is not found for API version…" (never existed) or "…is no longer available…" (shut down). */
const MODEL_NOT_FOUND = /^models\/\S+ is (not found|no longer available)/i;

/** Google's error vocabulary: google.rpc.Status codes and details decide where they speak. */
export const GOOGLE_ERRORS: ErrorSpec = {
  label: 'Gemini API',
  read(body, status, headers) {
    const rpc = rpcStatusOf(body);
    const grpc = rpc?.status;
    const message = rpc?.message ?? plainText(body);
    const reading = { code: grpc, message };
    if (status === 429 || grpc === 'RESOURCE_EXHAUSTED') {
      return { ...reading, kind: 'rate_limited', retryAfterSeconds: parseRetryAfter(headerValue(headers, 'retry-after')) ?? retryDelayFromDetails(rpc?.details) };
    }
    if (status >= 500 || grpc === 'UNAVAILABLE' || grpc === 'INTERNAL') return { ...reading, kind: 'unavailable' };
    if ((status === 400 || status === 403) && SAFETY_WORDING.test(message)) return { ...reading, kind: 'content_policy' };
    // A bad key is a 400 INVALID_ARGUMENT on Google APIs, with ErrorInfo.reason API_KEY_INVALID.
    if (grpc === 'PERMISSION_DENIED' || grpc === 'UNAUTHENTICATED' || isApiKeyProblem(rpc)) return { ...reading, kind: 'auth' };
    if ((status === 404 || grpc === 'NOT_FOUND') && MODEL_NOT_FOUND.test(message)) return { ...reading, kind: 'model_retired' };
    if (grpc === 'NOT_FOUND') return { ...reading, kind: 'not_found' };
    return reading;
  },
};

/** Maps a non-2xx Gemini response. Messages are redacted: never the key, never a `?key=` URL. */
export function mapHttpError(status: number, body: unknown, headers?: HeaderBag): UpstreamError {
  return classifyHttpError(GOOGLE_ERRORS, status, body, headers);
}
