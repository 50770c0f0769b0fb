/**
 * Pure mapping between Vidgate and Kling's open API (spec providers-2 §1). No I/O: the adapter
 * normalises media and performs HTTP; everything here is testable with the documented examples.
 */
import { firstFrameOf, referenceImagesOf } from '../../contract/media-inputs.js';
import type { KlingElement, ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, plainText, sanitizeMessage, type ErrorReading, type ErrorSpec, type HeaderBag } from '../http/index.js';
import { UpstreamError, type PollResult, type TaskError, type UpstreamErrorKind, type UpstreamOutput } from '../types.js';
import {
  KLING_KINDS,
  type CustomElementBody,
  type Image2VideoBody,
  type KlingCreateBody,
  type KlingKind,
  type KlingMode,
  type KlingTaskData,
  type MotionControlBody,
  type OmniImage,
  type OmniVideoBody,
  type OnOff,
  type Text2VideoBody,
} from './wire.js';

export const MAX_PROMPT_CHARS = 2500;
/**
 * The image types Kling takes inline (bare base64 of a PNG or JPEG), by registered name. The catalog
 * refuses others at create with the same list (catalog/family-rules.ts acceptedImageTypes).
 */
export const KLING_IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg'];
/** Custom elements: name ≤ 20 and description ≤ 100 characters; 1 frontal + 1–3 more images (§1.7). */
export const ELEMENT_NAME_MAX = 20;
export const ELEMENT_DESCRIPTION_MAX = 100;

function invalid(message: string): UpstreamError {
  return new UpstreamError('invalid_input', message);
}

/** Omni-video models (O1, 3.0 Omni) only exist on /v1/videos/omni-video. */
export function isOmniModel(upstreamModel: string): boolean {
  return upstreamModel.startsWith('kling-video-o1') || upstreamModel.endsWith('-omni');
}

/** `sound` exists from v2.6 on (§1.5); older models reject or ignore it, so it is never sent to them. */
export function hasSoundSwitch(upstreamModel: string): boolean {
  return upstreamModel === 'kling-v2-6' || upstreamModel.startsWith('kling-v3');
}

/** cfg_scale is not supported by kling-v2.x (§1.5) nor by the omni endpoint. */
function acceptsCfgScale(upstreamModel: string): boolean {
  return !upstreamModel.startsWith('kling-v2') && !isOmniModel(upstreamModel);
}

/**
 * Kling has no resolution field: std renders 720p, pro 1080p (§1.10). Master models have no mode
 * at all (capability map: "kling-v2-1 Master: mode –, 1080p"), so none is sent.
 */
export function modeFor(req: Pick<ResolvedVideoRequest, 'upstream_model' | 'resolution'>): KlingMode | undefined {
  if (req.upstream_model.endsWith('-master')) return undefined;
  if (req.resolution === '720p') return 'std';
  if (req.resolution === '1080p') return 'pro';
  throw invalid(`Kling renders 720p (std mode) or 1080p (pro mode), not '${req.resolution}'. Set resolution to 720p or 1080p.`);
}

/** Durations Kling takes for this model and flow (§1.4, §1.7): strings on the wire. */
export function allowedDurations(upstreamModel: string, referenceMode: boolean): number[] {
  const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  if (upstreamModel === 'kling-v3-omni') return span(3, 15);
  if (isOmniModel(upstreamModel)) return referenceMode ? span(3, 10) : [5, 10];
  if (upstreamModel.startsWith('kling-v3')) return span(3, 15);
  return [5, 10];
}

function durationFor(req: ResolvedVideoRequest, referenceMode = false): string {
  const allowed = allowedDurations(req.upstream_model, referenceMode);
  if (!allowed.includes(req.duration)) {
    throw invalid(`Kling model ${req.upstream_model} takes duration ${allowed.join(', ')} s here, not ${req.duration}. Pick one of those.`);
  }
  return String(req.duration);
}

function t2vRatio(ar: ResolvedVideoRequest['aspect_ratio']): '16:9' | '9:16' | '1:1' {
  if (ar === '16:9' || ar === '9:16' || ar === '1:1') return ar;
  throw invalid(`Kling text and reference videos come in 16:9, 9:16 or 1:1, not '${ar}'. Set aspect_ratio to one of those.`);
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** The media an operation needs, as the caller gave them (URLs or data: URLs). */
export interface KlingInputs {
  image?: string;
  imageTail?: string;
  references?: string[];
  video?: string;
  elements?: Array<{ name: string; description: string; images: string[] }>;
}

/** Which inputs this request sends; throws invalid_input when a required one is missing. */
export function inputsFor(req: ResolvedVideoRequest): KlingInputs {
  const inputs: KlingInputs = {};
  switch (req.operation) {
    case 'text-to-video':
      break;
    case 'image-to-video':
      inputs.image = firstFrameOf(req);
      if (!inputs.image) throw invalid('image-to-video needs a first frame: send image_url.');
      break;
    case 'start-end-to-video':
      inputs.image = req.start_image ?? firstFrameOf(req);
      inputs.imageTail = req.end_image;
      if (!inputs.image || !inputs.imageTail) throw invalid('start-end-to-video needs both start_image and end_image.');
      break;
    case 'reference-to-video':
      inputs.references = referenceImagesOf(req);
      if (inputs.references.length === 0) throw invalid('reference-to-video needs reference_images (1 to 7 images).');
      break;
    case 'video-to-video':
      inputs.video = req.video_url;
      if (!inputs.video) throw invalid('video-to-video needs video_url (the clip to edit).');
      break;
    case 'motion-control':
      inputs.image = firstFrameOf(req);
      inputs.video = req.video_url;
      if (!inputs.image || !inputs.video) throw invalid('motion-control needs image_url (the character) and video_url (the motion reference).');
      break;
    default:
      throw invalid(`Kling does not offer operation '${req.operation}'.`);
  }
  if (req.kling_elements?.length) inputs.elements = req.kling_elements.map(elementInput);
  return inputs;
}

function elementInput(e: KlingElement): { name: string; description: string; images: string[] } {
  return { name: e.name, description: e.description ?? '', images: [...(e.element_input_urls ?? [])] };
}

/** Kling fetches public URLs itself; only inline images are sent as bytes, and then as bare base64. */
export function isDataUrl(value: string): boolean {
  return /^data:/i.test(value);
}

/** Raw base64 of a data: URL, without the `data:...;base64,` prefix Kling refuses (§1.6, §1.10). */
export function stripDataUrlPrefix(value: string): string {
  const m = /^data:[^,]*;base64,(.*)$/is.exec(value);
  if (!m) throw invalid('An inline image must be a base64 data: URL (data:image/png;base64,...).');
  return m[1].replace(/\s+/g, '');
}

// ---------------------------------------------------------------------------------------------
// Custom elements (kling_elements)

function clip(text: string, max: number): string {
  const chars = [...text.trim()];
  return chars.length > max ? chars.slice(0, max).join('') : chars.join('');
}

/**
 * One kling_elements entry as POST /v1/general/custom-elements wants it: the first image is the
 * frontal view, the others (1–3) the extra references. Our name only ties prompt mentions to the
 * element, so it is clipped to Kling's 20 characters; an empty description falls back to the name.
 */
export function customElementBody(element: { name: string; description: string; images: string[] }): CustomElementBody {
  const [frontal, ...rest] = element.images;
  if (!frontal || rest.length < 1 || rest.length > 3) {
    throw invalid(`kling_elements '${element.name}' needs 2 to 4 images (a frontal view plus 1–3 more); got ${element.images.length}.`);
  }
  const name = clip(element.name, ELEMENT_NAME_MAX) || 'element';
  return {
    element_name: name,
    element_description: clip(element.description || element.name, ELEMENT_DESCRIPTION_MAX) || name,
    element_frontal_image: frontal,
    element_refer_list: rest.map((image_url) => ({ image_url })),
  };
}

/**
 * Element ids are Java longs (up to 19 digits), past JavaScript's safe integers: read them from the
 * raw reply text, never through JSON.parse.
 */
export function elementIdFromReply(text: string): string | undefined {
  return /"element_id"\s*:\s*"?(\d{1,20})"?/.exec(text)?.[1];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `@name` in the prompt becomes Kling's `<<<element_N>>>` template, numbered in element_list order. */
export function promptWithElementRefs(prompt: string | undefined, names: string[]): string | undefined {
  if (prompt === undefined) return undefined;
  const order = names.map((name, i) => ({ name, i })).sort((a, b) => b.name.length - a.name.length);
  let out = prompt;
  for (const { name, i } of order) {
    out = out.replace(new RegExp(`@${escapeRegExp(name)}(?![\\w-])`, 'g'), `<<<element_${i + 1}>>>`);
  }
  return out;
}

/** JSON text of a create body with element ids written as the integers Kling documents (`long`). */
export function serializeCreateBody(body: KlingCreateBody): string {
  return JSON.stringify(body).replace(/"element_id":"(\d{1,20})"/g, '"element_id":$1');
}

// ---------------------------------------------------------------------------------------------
// Create request

export interface KlingCreateRequest {
  kind: KlingKind;
  body: KlingCreateBody;
}

/**
 * The create call for a request whose media are already in Kling form (URL or bare base64) and
 * whose kling_elements were registered as `elementIds` (same order).
 */
export function toCreateRequest(req: ResolvedVideoRequest, taskId: string, inputs: KlingInputs, elementIds: string[] = []): KlingCreateRequest {
  const model = req.upstream_model;
  const mode = modeFor(req);
  const common = { model_name: model, ...(mode ? { mode } : {}), external_task_id: taskId };
  if (req.prompt !== undefined && [...req.prompt].length > MAX_PROMPT_CHARS) {
    throw invalid(`Kling accepts prompts of at most ${MAX_PROMPT_CHARS} characters. Shorten the prompt.`);
  }
  if (req.operation === 'motion-control') return { kind: 'motion-control', body: motionControlBody(req, inputs, mode, taskId) };
  if (isOmniModel(model)) return { kind: 'omni-video', body: omniBody(req, inputs, common) };

  const sound: OnOff | undefined = hasSoundSwitch(model) ? (req.output_audio ? 'on' : 'off') : undefined;
  if (!sound && req.output_audio) throw invalid(`Kling model ${model} makes silent videos only; omit output_audio.`);
  const extras = {
    ...(req.negative_prompt ? { negative_prompt: req.negative_prompt } : {}),
    ...(req.cfg_scale !== undefined && acceptsCfgScale(model) ? { cfg_scale: req.cfg_scale } : {}),
    ...(sound ? { sound } : {}),
  };

  if (req.operation === 'text-to-video') {
    if (!req.prompt) throw invalid('text-to-video needs a prompt.');
    const body: Text2VideoBody = { ...common, prompt: req.prompt, ...extras, aspect_ratio: t2vRatio(req.aspect_ratio), duration: durationFor(req) };
    return { kind: 'text2video', body };
  }
  if (req.operation === 'image-to-video' || req.operation === 'start-end-to-video') {
    if (!inputs.image) throw invalid(`${req.operation} needs a first frame.`);
    const names = inputs.elements?.map((e) => e.name) ?? [];
    if (names.length !== elementIds.length) throw invalid('Every kling_elements entry must be registered before the video is created.');
    const prompt = promptWithElementRefs(req.prompt, names);
    if (model.startsWith('kling-v3') && !prompt) throw invalid('Kling 3.0 image-to-video needs a prompt; describe the motion (and mention each element as @name).');
    const body: Image2VideoBody = {
      ...common,
      image: inputs.image,
      ...(req.operation === 'start-end-to-video' ? { image_tail: inputs.imageTail } : {}),
      ...(prompt !== undefined ? { prompt } : {}),
      ...extras,
      duration: durationFor(req),
      ...(elementIds.length ? { element_list: elementIds.map((element_id) => ({ element_id })) } : {}),
    };
    return { kind: 'image2video', body };
  }
  throw invalid(`Kling model ${model} does not offer ${req.operation}.`);
}

/**
 * Motion control: the output follows the reference video, so no duration or ratio. The character
 * keeps the reference video's orientation ('video' allows 3–30 s references; 'image' only ≤ 10 s).
 */
function motionControlBody(req: ResolvedVideoRequest, inputs: KlingInputs, mode: KlingMode | undefined, taskId: string): MotionControlBody {
  if (!inputs.image || !inputs.video) throw invalid('motion-control needs image_url and video_url.');
  return {
    model_name: req.upstream_model,
    image_url: inputs.image,
    video_url: inputs.video,
    character_orientation: 'video',
    mode: mode ?? 'std',
    ...(req.prompt ? { prompt: req.prompt } : {}),
    keep_original_sound: req.output_audio ? 'yes' : 'no',
    external_task_id: taskId,
  };
}

function omniBody(req: ResolvedVideoRequest, inputs: KlingInputs, common: { model_name: string; mode?: KlingMode; external_task_id: string }): OmniVideoBody {
  if (!req.prompt) throw invalid('Kling omni-video models need a prompt (refer to inputs as <<<image_1>>>, <<<video_1>>>).');
  if (inputs.elements?.length) throw invalid('kling_elements are only supported by kling-3.0-video.');
  const body: OmniVideoBody = { ...common, prompt: req.prompt };
  const v3 = req.upstream_model === 'kling-v3-omni';
  switch (req.operation) {
    case 'text-to-video':
      Object.assign(body, { aspect_ratio: t2vRatio(req.aspect_ratio), duration: durationFor(req) });
      break;
    case 'image-to-video':
      Object.assign(body, { image_list: [{ image_url: inputs.image!, type: 'first_frame' }] satisfies OmniImage[], duration: durationFor(req) });
      break;
    case 'start-end-to-video':
      Object.assign(body, {
        image_list: [
          { image_url: inputs.image!, type: 'first_frame' },
          { image_url: inputs.imageTail!, type: 'end_frame' },
        ] satisfies OmniImage[],
        duration: durationFor(req),
      });
      break;
    case 'reference-to-video': {
      const refs = inputs.references ?? [];
      if (refs.length > 7) throw invalid(`Kling omni-video takes at most 7 reference images; got ${refs.length}.`);
      Object.assign(body, { image_list: refs.map((image_url) => ({ image_url })), aspect_ratio: t2vRatio(req.aspect_ratio), duration: durationFor(req, true) });
      break;
    }
    case 'video-to-video':
      // refer_type base = edit this clip: duration and ratio follow it, and sound must stay off.
      Object.assign(body, { video_list: [{ video_url: inputs.video!, refer_type: 'base', keep_original_sound: req.output_audio ? 'yes' : 'no' }] });
      return body;
    default:
      throw invalid(`Kling omni-video does not offer ${req.operation}.`);
  }
  if (v3) body.sound = req.output_audio ? 'on' : 'off';
  else if (req.output_audio) throw invalid(`Kling model ${req.upstream_model} makes silent videos only; omit output_audio.`);
  return body;
}

/**
 * The create family (kind) a request goes to, without building the body: the lookup by
 * external_task_id must use the family the create used (§1.3). Mirrors toCreateRequest; undefined
 * when Kling would refuse the request before creating anything.
 */
export function createKindFor(req: Pick<ResolvedVideoRequest, 'operation' | 'upstream_model'>): KlingKind | undefined {
  if (req.operation === 'motion-control') return 'motion-control';
  if (isOmniModel(req.upstream_model)) return 'omni-video';
  if (req.operation === 'text-to-video') return 'text2video';
  if (req.operation === 'image-to-video' || req.operation === 'start-end-to-video') return 'image2video';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Upstream id: the task id only works under the kind that created it (§1.3)

const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeUpstreamId(kind: KlingKind, taskId: string): string {
  return `${kind}/${taskId}`;
}

export function decodeUpstreamId(upstreamId: string): { kind: KlingKind; taskId: string } | undefined {
  const slash = upstreamId.indexOf('/');
  if (slash < 0) return undefined;
  const kind = upstreamId.slice(0, slash) as KlingKind;
  const taskId = upstreamId.slice(slash + 1);
  if (!KLING_KINDS.includes(kind) || !TASK_ID.test(taskId)) return undefined;
  return { kind, taskId };
}

// ---------------------------------------------------------------------------------------------
// Task status → PollResult

/** Wording of Kling's risk-control refusals (task_status_msg has no code). */
const POLICY_WORDING = /risk|content secur|security polic|platform polic|sensitive|violat|prohibit|inappropriate|风控|敏感|违规|安全/i;

/** Our error for a task Kling reports `failed` (HTTP 200, code 0, reason in task_status_msg). */
export function taskErrorFromFailure(statusMsg: string | undefined): TaskError {
  if (POLICY_WORDING.test(statusMsg ?? '')) {
    return { code: 'content_policy_violation', message: sanitizeMessage(`Kling refused the content: ${statusMsg}. Change the prompt or the input images.`, 'Kling refused the content.') };
  }
  return { code: 'upstream_error', message: sanitizeMessage(statusMsg ? `Kling could not generate the video: ${statusMsg}` : undefined, 'Kling reported the task as failed without a reason. Try again.') };
}

/** Kling gives no progress figure, so none is invented. Unknown statuses count as still running. */
export function fromTaskData(data: KlingTaskData): PollResult {
  switch (data.task_status) {
    case 'submitted':
      return { state: 'queued' };
    case 'succeed': {
      const outputs: UpstreamOutput[] = (data.task_result?.videos ?? []).filter((v) => typeof v?.url === 'string' && v.url.length > 0).map((v) => ({ kind: 'video', url: v.url!, mimeType: 'video/mp4' }));
      if (outputs.length === 0) return { state: 'failed', error: { code: 'upstream_error', message: 'Kling reported success but returned no video URL. Try again.' } };
      return { state: 'succeeded', outputs };
    }
    case 'failed':
      return { state: 'failed', error: taskErrorFromFailure(data.task_status_msg) };
    default:
      return { state: 'running' };
  }
}

// ---------------------------------------------------------------------------------------------
// Errors → UpstreamError (§1.9)

/** What each documented code means for us; the hint tells the operator or caller what to do. */
const CODE_KINDS: Record<number, [UpstreamErrorKind, string]> = {
  1000: ['auth', 'Check KLING_API_KEY (or KLING_ACCESS_KEY / KLING_SECRET_KEY).'],
  1001: ['auth', 'The Authorization header was empty; check KLING_API_KEY (or KLING_ACCESS_KEY / KLING_SECRET_KEY).'],
  1002: ['auth', 'The key was rejected; check KLING_API_KEY (or KLING_ACCESS_KEY / KLING_SECRET_KEY) and that it belongs to the region of KLING_BASE_URL.'],
  1003: ['auth', 'The token is not valid yet; check the gateway clock.'],
  1004: ['auth', 'The token has expired; check the gateway clock.'],
  1100: ['quota', 'The Kling account has a problem; check it in the Kling console.'],
  1101: ['quota', 'The Kling account is in arrears; top it up.'],
  1102: ['quota', 'The Kling resource pack is used up or expired; buy more or renew it.'],
  1103: ['auth', 'This Kling account may not use this API or model.'],
  1200: ['invalid_input', 'Fix the request parameters.'],
  1201: ['invalid_input', 'Fix the parameter value named in the message.'],
  1202: ['invalid_input', 'The request method is not valid for this endpoint.'],
  1203: ['not_found', 'The model or task does not exist on this Kling account or region.'],
  1300: ['content_policy', 'Kling platform policy refused it; change the prompt or inputs.'],
  1301: ['content_policy', 'Kling content-security check refused it; change the prompt or inputs.'],
  1302: ['rate_limited', 'Too many requests (Kling rate limit).'],
  1303: ['rate_limited', 'Concurrent tasks over the resource pack limit.'],
  1304: ['auth', 'The Kling IP allow-list refused this gateway; add its address in the Kling console.'],
  5000: ['unavailable', 'Kling server error.'],
  5001: ['unavailable', 'Kling is temporarily unavailable.'],
  5002: ['unavailable', 'Kling timed out.'],
};

/** A code Kling did not document (yet): its range speaks unless the HTTP status already does. */
function kindForUnknownCode(code: number | undefined, httpStatus: number): UpstreamErrorKind | undefined {
  if ([401, 403, 404, 408, 429].includes(httpStatus) || httpStatus >= 500) return undefined;
  if (code !== undefined) {
    if (code >= 1000 && code < 1100) return 'auth';
    if (code >= 1100 && code < 1200) return 'quota';
    if (code >= 1200 && code < 1300) return 'invalid_input';
    if (code >= 1300 && code < 1400) return 'content_policy';
  }
  // A 2xx envelope with an unknown non-zero code: not a refusal we understand.
  return httpStatus < 400 ? 'unavailable' : undefined;
}

interface ErrorEnvelope {
  code?: unknown;
  message?: unknown;
  request_id?: unknown;
}

/**
 * On a create, Kling refusing our external_task_id as taken ("must be unique per account"): a job
 * with our reference exists — an earlier create of this task landed after all (its answer was lost
 * or late). Not a refusal of the request: ambiguous, so the engine looks the job up and continues it.
 */
const REFERENCE_TAKEN = /external_task_id.*(?:exist|duplicat|unique|already|used)/i;

/** On a create, a model Kling does not (or no longer) serve: 1203, or 1201 naming model_name. */
const MODEL_REFUSED = /model_name|model\b.*(?:not (?:exist|found|support)|invalid|offline|retired)/i;

/**
 * Kling's error vocabulary (§1.9) for a create or a query: a non-2xx reply, or an HTTP 200 whose
 * envelope code is not 0. On a create, a refused model is `model_retired`; on a query, 1203 is
 * "no such task".
 */
export function klingErrors(phase: 'create' | 'query'): ErrorSpec {
  return {
    label: 'Kling',
    read(body, httpStatus): ErrorReading {
      const env = body && typeof body === 'object' ? (body as ErrorEnvelope) : {};
      const code = typeof env.code === 'number' ? env.code : typeof env.code === 'string' && /^\d+$/.test(env.code) ? Number(env.code) : undefined;
      const known = code !== undefined ? CODE_KINDS[code] : undefined;
      const upstreamText = typeof env.message === 'string' ? env.message : plainText(body);
      let kind = known?.[0] ?? kindForUnknownCode(code, httpStatus);
      if (phase === 'create' && (code === 1203 || code === 1201) && MODEL_REFUSED.test(upstreamText)) kind = 'model_retired';
      if (phase === 'create' && kind === 'invalid_input' && REFERENCE_TAKEN.test(upstreamText)) kind = 'ambiguous';
      const requestId = typeof env.request_id === 'string' && /^[\w-]{1,80}$/.test(env.request_id) ? `, request_id ${env.request_id}` : '';
      const what = code !== undefined ? `code ${code}` : `HTTP ${httpStatus}`;
      const message = `Kling: ${upstreamText || 'error'} (${what}${requestId}). ${known?.[1] ?? ''}`.trim();
      return { kind, code: code !== undefined ? String(code) : undefined, message };
    },
  };
}

/** Maps a Kling error (a query's vocabulary). `body` is the parsed JSON (or the raw text of a proxy's HTML page). */
export function klingError(httpStatus: number, body: unknown, headers?: HeaderBag): UpstreamError {
  return classifyHttpError(klingErrors('query'), httpStatus, body, headers);
}
