/**
 * Pure mapping between Vidgate and MiniMax Hailuo video v1 (spec providers-2 §2).
 * No I/O: the adapter performs HTTP; everything here is testable with the spec's example bodies.
 */
import { firstFrameOf } from '../../contract/media-inputs.js';
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, headerValue, parseRetryAfter, sanitizeMessage, type ErrorReading, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type PollResult, type TaskError, type UpstreamErrorKind } from '../types.js';
import type { BaseResp, CreateVideoRequest, QueryVideoResponse, RetrieveFileResponse } from './wire.js';

/** Our public resolution → MiniMax's tier (public 720p is MiniMax 768P, catalog DECISIONS.md). */
const RESOLUTION: Partial<Record<ResolvedVideoRequest['resolution'], CreateVideoRequest['resolution']>> = {
  '720p': '768P',
  '1080p': '1080P',
};

/** MiniMax file ids are int64 numbers (sent unquoted); nothing else may reach a query string. */
export const FILE_ID = /^\d{1,20}$/;
/** Task ids are numeric strings too. */
export const TASK_ID = /^[0-9A-Za-z_-]{1,64}$/;

/** The finished video is referenced by file id; openOutput asks files/retrieve for a fresh URL each time. */
const FILE_OUTPUT_PREFIX = 'minimax-file:';

export function fileOutputUrl(fileId: string): string {
  return `${FILE_OUTPUT_PREFIX}${fileId}`;
}

export function fileIdFromOutputUrl(url: string | undefined): string | undefined {
  if (!url?.startsWith(FILE_OUTPUT_PREFIX)) return undefined;
  const id = url.slice(FILE_OUTPUT_PREFIX.length);
  return FILE_ID.test(id) ? id : undefined;
}

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

const isFast = (model: string) => /2\.3-fast/i.test(model);
const isHailuo02 = (model: string) => /hailuo-02/i.test(model);
/**
 * The 01 series ("Other models" in the t2v/i2v API reference): 720P only, 6 s only; T2V-01* make
 * text-to-video only, I2V-01* image-to-video only. Reachable through an operator's upstream_model.
 */
const series01 = (model: string): 't2v' | 'i2v' | undefined => (/^t2v-01/i.test(model) ? 't2v' : /^i2v-01/i.test(model) ? 'i2v' : undefined);

/**
 * Build the POST /v1/video_generation body. Image inputs are passed as given (public URL or
 * data: URL): MiniMax fetches URLs itself. Throws invalid_input for combinations MiniMax refuses.
 */
export function toCreateRequest(req: ResolvedVideoRequest): CreateVideoRequest {
  const model = req.upstream_model;
  const body: CreateVideoRequest = { model };
  if (req.prompt !== undefined && req.prompt !== '') body.prompt = req.prompt;

  const series = series01(model);
  if (series === 'i2v' && req.operation !== 'image-to-video') throw invalid(`${model} is image-to-video only: send image_url.`);
  if (series === 't2v' && req.operation !== 'text-to-video') throw invalid(`${model} is text-to-video only: send a prompt without images.`);

  switch (req.operation) {
    case 'text-to-video':
      if (isFast(model)) throw invalid(`${model} is image-to-video only: send image_url, or use a Hailuo 2.3 model for text-to-video.`);
      if (!body.prompt) throw invalid('text-to-video needs a prompt.');
      break;
    case 'image-to-video': {
      const image = firstFrameOf(req);
      if (!image) throw invalid('image-to-video needs a first frame: send image_url (or image, or image_urls[0]).');
      body.first_frame_image = image;
      break;
    }
    case 'start-end-to-video': {
      if (!isHailuo02(model)) throw invalid(`First+last frame generation needs MiniMax-Hailuo-02, not ${model}.`);
      const first = req.start_image ?? firstFrameOf(req);
      if (!first || !req.end_image) throw invalid('start-end-to-video needs start_image and end_image.');
      body.first_frame_image = first;
      body.last_frame_image = req.end_image;
      break;
    }
    default:
      throw invalid(`Operation '${req.operation}' is not supported by MiniMax Hailuo.`);
  }

  if (series) {
    if (req.resolution !== '720p') throw invalid(`${model} renders 720p only, not '${req.resolution}'.`);
    if (req.duration !== 6) throw invalid(`${model} renders 6 second videos only, not ${req.duration}.`);
    body.duration = 6;
    body.resolution = '720P';
    return body;
  }
  const resolution = RESOLUTION[req.resolution];
  if (!resolution) throw invalid(`MiniMax Hailuo renders 720p (768P) or 1080p, not '${req.resolution}'.`);
  if (req.duration !== 6 && req.duration !== 10) throw invalid(`MiniMax Hailuo renders 6 or 10 second videos, not ${req.duration}.`);
  if (req.duration === 10 && resolution === '1080P') throw invalid('MiniMax Hailuo renders 1080p only at 6 seconds. Use duration 6, or resolution 720p for 10 s.');
  body.duration = req.duration;
  body.resolution = resolution;
  return body;
}

// ---------------------------------------------------------------------------------------------
// base_resp / HTTP errors → UpstreamError

export type Phase = 'create' | 'query' | 'retrieve';

/** A create's invalid-params answer that is about the model itself (it is not, or no longer, served). */
const MODEL_REFUSED = /\bmodel\b.*\b(not support|unsupported|invalid|not exist|not found|offline|deprecated)/i;

/** The official error-code table (§2.5): what each code means for us, and what to tell the user. */
function classify(code: number, phase: Phase, message = ''): { kind: UpstreamErrorKind; hint: string } {
  if (code === 2013 && phase === 'create' && MODEL_REFUSED.test(message)) return { kind: 'model_retired', hint: 'MiniMax no longer serves this model.' };
  switch (code) {
    case 1002:
    case 1039:
    case 1041:
      return { kind: 'rate_limited', hint: 'MiniMax rate limit reached (video RPM is 5 free / 20 paid).' };
    case 2045:
      // "rate growth limit": requests rose too fast; the official table says to smooth them out and retry.
      return { kind: 'rate_limited', hint: 'MiniMax limits how fast the request rate may grow; retrying later.' };
    case 1000:
    case 1001:
    case 1024:
    case 1033:
      return { kind: 'unavailable', hint: 'MiniMax had a temporary internal error.' };
    case 1004:
    case 2049:
      return { kind: 'auth', hint: 'MiniMax refused the API key. Check MINIMAX_API_KEY, and that its region matches MINIMAX_BASE_URL (api.minimax.io vs api.minimaxi.com).' };
    case 1008:
      return { kind: 'quota', hint: 'The MiniMax account balance is insufficient. Top up the account, then create a new task.' };
    case 1028:
    case 1030:
    case 2056:
      // Quota or balance used up (2056: "usage limit exceeded", freed in the next 5-hour window):
      // waiting a few seconds does not help, unlike a rate limit.
      return { kind: 'quota', hint: 'The MiniMax account has used up its quota, balance or usage window for this. Top up, raise the quota or wait for the next usage window, then create a new task.' };
    case 1026:
      return { kind: 'content_policy', hint: 'MiniMax flagged the input (prompt or image) as sensitive. Change the prompt or image.' };
    case 1027:
      return { kind: 'content_policy', hint: 'MiniMax flagged the generated video as sensitive. Rephrase the prompt or change the image.' };
    case 1042:
      return { kind: 'invalid_input', hint: 'MiniMax found illegal characters in the request. Remove unusual characters from the prompt.' };
    case 2013:
      // On a query or retrieve the only parameter is the id: MiniMax does not know it.
      if (phase !== 'create') return { kind: 'not_found', hint: 'MiniMax does not know this task or file (it may belong to another account or region).' };
      return { kind: 'invalid_input', hint: 'MiniMax rejected the request parameters.' };
    default:
      return code >= 2000 ? { kind: 'invalid_input', hint: 'MiniMax rejected the request.' } : { kind: 'unavailable', hint: 'MiniMax answered with an unexpected error.' };
  }
}

export function errorFromBaseResp(base: BaseResp, phase: Phase, httpStatus?: number, retryAfterSeconds?: number): UpstreamError {
  const { kind, hint } = classify(base.status_code, phase, base.status_msg);
  const upstream = sanitizeMessage(base.status_msg, 'no message');
  return new UpstreamError(kind, `${hint} (MiniMax ${base.status_code}: ${upstream})`, httpStatus, retryAfterSeconds, String(base.status_code));
}

function baseRespOf(body: unknown): BaseResp | undefined {
  const b = (body as { base_resp?: unknown } | null)?.base_resp;
  if (b && typeof b === 'object' && typeof (b as BaseResp).status_code === 'number') return b as BaseResp;
  return undefined;
}

/** Throws when a 200 answer carries a non-zero base_resp (MiniMax reports most errors that way). */
export function checkBaseResp(body: unknown, phase: Phase, headers?: HeaderBag): void {
  const base = baseRespOf(body);
  if (!base) throw new UpstreamError('unavailable', `MiniMax ${phase} answered without base_resp.`);
  if (base.status_code !== 0) throw errorFromBaseResp(base, phase, 200, parseRetryAfter(headerValue(headers, 'retry-after')));
}

/** MiniMax's error vocabulary for one phase (a 2013 on a query means "no such task", on a create a bad parameter). */
export function minimaxErrors(phase: Phase): ErrorSpec {
  return {
    label: 'MiniMax',
    read(body, status): ErrorReading {
      const base = baseRespOf(body);
      const code = base ? String(base.status_code) : undefined;
      if (status === 429) return { code, kind: 'rate_limited', message: `MiniMax rate limit reached (HTTP 429: ${sanitizeMessage(base?.status_msg, 'rate limit')}).` };
      if (base && base.status_code !== 0 && status < 500) {
        const { kind, hint } = classify(base.status_code, phase, base.status_msg);
        return { code, kind, message: `${hint} (MiniMax ${base.status_code}: ${sanitizeMessage(base.status_msg, 'no message')})` };
      }
      if (status >= 500) return { code, message: `MiniMax is unavailable (HTTP ${status}).` };
      if (status === 401 || status === 403) return { message: `MiniMax refused the API key (HTTP ${status}). Check MINIMAX_API_KEY and its region.` };
      if (status === 404) return { message: `MiniMax ${phase}: not found (HTTP 404). Check MINIMAX_BASE_URL.` };
      if (status === 408) return { message: `MiniMax ${phase} timed out (HTTP 408).` };
      return { message: `MiniMax rejected the ${phase} call (HTTP ${status}).` };
    },
  };
}

/** Maps a non-2xx answer (the edge in front of MiniMax: 401/429/5xx, with or without base_resp). */
export function mapHttpError(status: number, body: unknown, headers: HeaderBag | undefined, phase: Phase): UpstreamError {
  return classifyHttpError(minimaxErrors(phase), status, body, headers);
}

// ---------------------------------------------------------------------------------------------
// Create / query / retrieve answers

export function taskIdFromCreate(body: unknown, headers?: HeaderBag): string {
  checkBaseResp(body, 'create', headers);
  const id = (body as { task_id?: unknown }).task_id;
  if (typeof id !== 'string' || !TASK_ID.test(id)) throw new UpstreamError('ambiguous', 'MiniMax create answered success without a usable task_id.');
  return id;
}

/** Balance, quota or usage window used up (1008, 1028, 1030, 2056). */
const QUOTA_CODES = new Set([1008, 1028, 1030, 2056]);

/** Our task error for a job that ended in status Fail. */
export function taskErrorFromFail(body: QueryVideoResponse): TaskError {
  const code = body.base_resp?.status_code;
  const detail = sanitizeMessage(body.error_message || body.base_resp?.status_msg, 'no reason given');
  if (code === 1026 || code === 1027) {
    const what = code === 1026 ? 'the input (prompt or image)' : 'the generated video';
    return { code: 'content_policy_violation', message: `MiniMax flagged ${what} as sensitive (${code}: ${detail}). Rephrase the prompt or change the image.` };
  }
  if (code === 2013 || code === 1042) return { code: 'invalid_request', message: `MiniMax rejected the request (${code}: ${detail}).` };
  if (QUOTA_CODES.has(code ?? 0)) return { code: 'upstream_quota_exceeded', message: `The MiniMax account has used up its quota or balance (${code}: ${detail}). Top up, then create a new task.` };
  return { code: 'upstream_error', message: `MiniMax video generation failed (${code ?? 'no code'}: ${detail}). Create a new task to try again.` };
}

/**
 * Query answer → PollResult. Capitalised statuses per the official enum; anything unknown is still
 * running. MiniMax reports no progress percentage, so none is invented.
 */
export function fromQuery(body: QueryVideoResponse, headers?: HeaderBag): PollResult {
  // The failed status is spelled Fail in the docs and Failed in some answers: both end the job.
  if (body?.status === 'Fail' || body?.status === 'Failed') return { state: 'failed', error: taskErrorFromFail(body) };
  checkBaseResp(body, 'query', headers);
  switch (body.status) {
    case 'Preparing':
    case 'Queueing':
      return { state: 'queued' };
    case 'Success': {
      const fileId = typeof body.file_id === 'number' ? String(body.file_id) : body.file_id;
      if (typeof fileId !== 'string' || !FILE_ID.test(fileId)) {
        return { state: 'failed', error: { code: 'no_output', message: 'MiniMax reported Success without a usable file_id.' } };
      }
      return { state: 'succeeded', outputs: [{ kind: 'video', url: fileOutputUrl(fileId), mimeType: 'video/mp4' }] };
    }
    default:
      return { state: 'running' };
  }
}

/** files/retrieve answer → the signed download URL (it expires; fetched again for every download). */
export function downloadUrlFromRetrieve(body: RetrieveFileResponse, headers?: HeaderBag): string {
  checkBaseResp(body, 'retrieve', headers);
  const url = body.file?.download_url;
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
    throw new UpstreamError('unavailable', 'MiniMax files/retrieve answered without a download_url.');
  }
  return url;
}
