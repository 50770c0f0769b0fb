import { invalidParameter, missingParameter, modelNotFound } from './errors.js';
import { findModel, type SeedanceModel } from './models.js';

export type ImageRole = 'first_frame' | 'last_frame' | 'reference_image';

/** A create request that passed validation, with defaults applied (media not fetched yet). */
export interface SeedanceCreateSpec {
  model: SeedanceModel;
  /** The prompt without legacy `--rs 720p`-style commands. */
  prompt: string;
  images: { url: string; role: ImageRole }[];
  videos: string[];
  audios: string[];
  draftTaskId?: string;
  /** May be 'adaptive': the server resolves it from the first image. */
  ratio: string;
  /** -1 = the model chooses. */
  duration: number;
  resolution: string;
  seed: number;
  watermark: boolean;
  generateAudio: boolean;
  cameraFixed: boolean;
  returnLastFrame: boolean;
  draft: boolean;
  serviceTier: 'default' | 'flex';
  executionExpiresAfter: number;
  priority?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const RATIOS = ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16', 'adaptive'];
const ROLES: ImageRole[] = ['first_frame', 'last_frame', 'reference_image'];
const MAX_SEED = 2 ** 32 - 1;
const LIMITS = { images: 9, videos: 3, audios: 3 };

/** Legacy text commands (§4.3), honoured on 1.x when the JSON field is absent. */
const COMMANDS: Record<string, string> = {
  resolution: 'resolution',
  rs: 'resolution',
  ratio: 'ratio',
  rt: 'ratio',
  duration: 'duration',
  dur: 'duration',
  seed: 'seed',
  watermark: 'watermark',
  wm: 'watermark',
  camerafixed: 'camera_fixed',
  cf: 'camera_fixed',
  framespersecond: 'fps',
  fps: 'fps',
};

function parseCommands(text: string): { prompt: string; values: Json } {
  const values: Json = {};
  const prompt = text
    .replace(/\s*--([a-z]+)\s+(\S+)/gi, (all, name: string, raw: string) => {
      const key = COMMANDS[name.toLowerCase()];
      if (!key) return all;
      values[key] = /^-?\d+$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
      return '';
    })
    .trim();
  return { prompt, values };
}

function bool(body: Json, key: string, fallback: boolean): boolean {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw invalidParameter(key, `expected a boolean, got ${JSON.stringify(v)}.`);
  return v;
}

function int(body: Json, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidParameter(key, `expected an integer, got ${JSON.stringify(v)}.`);
  return v;
}

function urlOf(item: Json, field: string): string {
  const inner = item[field];
  const url = isObject(inner) ? inner.url : undefined;
  if (typeof url !== 'string' || url.length === 0) throw missingParameter(`content.${field}.url`);
  return url;
}

const IMAGE_URL = /^(https?:\/\/|data:image\/[a-z0-9.+-]+;base64,|asset:\/\/)/;
const MEDIA_URL = /^https?:\/\//;

function parseContent(content: unknown, model: SeedanceModel) {
  if (!Array.isArray(content) || content.length === 0) throw missingParameter('content');
  let text: string | undefined;
  let draftTaskId: string | undefined;
  const images: { url: string; role?: ImageRole }[] = [];
  const videos: string[] = [];
  const audios: string[] = [];
  for (const item of content) {
    if (!isObject(item)) throw invalidParameter('content', 'every item must be an object with a type.');
    switch (item.type) {
      case 'text':
        if (typeof item.text !== 'string') throw invalidParameter('content.text', 'text must be a string.');
        if (text !== undefined) throw invalidParameter('content', 'at most one text item is allowed.');
        text = item.text;
        break;
      case 'image_url': {
        const url = urlOf(item, 'image_url');
        if (!IMAGE_URL.test(url)) throw invalidParameter('content.image_url.url', 'use an http(s) URL, asset:// URI or data:image/<format>;base64,<data>.');
        if (item.role !== undefined && !ROLES.includes(item.role as ImageRole)) {
          throw invalidParameter('content.role', `image role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(item.role)}.`);
        }
        images.push({ url, role: item.role as ImageRole | undefined });
        break;
      }
      case 'video_url':
      case 'audio_url': {
        const kind = item.type === 'video_url' ? 'video' : 'audio';
        const url = urlOf(item, item.type);
        // Reference audio may come inline (data:audio/<fmt>;base64,…); reference videos must be URLs.
        const inlineAudio = kind === 'audio' && /^data:audio\/[a-z0-9.+-]+;base64,/i.test(url);
        if (!MEDIA_URL.test(url) && !inlineAudio)
          throw invalidParameter(`content.${item.type}.url`, `reference ${kind}s must be http(s) URLs${kind === 'audio' ? ' or data:audio/<format>;base64,<data>' : '; base64 is not supported'}.`);
        if (item.role !== undefined && item.role !== `reference_${kind}`) throw invalidParameter('content.role', `${item.type} role must be reference_${kind}.`);
        (kind === 'video' ? videos : audios).push(url);
        break;
      }
      case 'draft_task': {
        const id = isObject(item.draft_task) ? item.draft_task.id : undefined;
        if (typeof id !== 'string' || id === '') throw missingParameter('content.draft_task.id');
        if (!model.draft) throw invalidParameter('content', `draft_task is not supported by ${model.id}.`);
        draftTaskId = id;
        break;
      }
      default:
        throw invalidParameter('content.type', `unknown content type ${JSON.stringify(item.type)}; use text, image_url, video_url, audio_url or draft_task.`);
    }
  }
  return { text, draftTaskId, images: resolveRoles(images, videos.length + audios.length, model), videos, audios };
}

/** The three image scenarios are mutually exclusive (§4.3): first frame; first + last; references. */
function resolveRoles(images: { url: string; role?: ImageRole }[], otherRefs: number, model: SeedanceModel): { url: string; role: ImageRole }[] {
  if (images.length === 1 && images[0].role === undefined) images = [{ ...images[0], role: otherRefs > 0 ? 'reference_image' : 'first_frame' }];
  if (images.some((i) => i.role === undefined)) throw invalidParameter('content.role', 'role is required on every image when more than one image is sent.');
  const typed = images as { url: string; role: ImageRole }[];
  const count = (r: ImageRole) => typed.filter((i) => i.role === r).length;
  const first = count('first_frame');
  const last = count('last_frame');
  const refs = count('reference_image') + otherRefs;
  if (first > 1 || last > 1) throw invalidParameter('content.role', 'at most one first_frame and one last_frame image are allowed.');
  if (last > 0 && first === 0) throw invalidParameter('content.role', 'a last_frame image needs a first_frame image.');
  if (refs > 0 && first + last > 0) {
    throw invalidParameter('content.role', 'first_frame/last_frame images cannot be mixed with reference_image, reference_video or reference_audio content.');
  }
  if (refs > 0 && !model.references) throw invalidParameter('content.role', `${model.id} does not support reference images, videos or audios.`);
  return typed;
}

function checkReferenceCounts(images: number, videos: number, audios: number): void {
  if (images > LIMITS.images) throw invalidParameter('content', `at most ${LIMITS.images} reference images are allowed, got ${images}.`);
  if (videos > LIMITS.videos) throw invalidParameter('content', `at most ${LIMITS.videos} reference videos are allowed, got ${videos}.`);
  if (audios > LIMITS.audios) throw invalidParameter('content', `at most ${LIMITS.audios} reference audios are allowed, got ${audios}.`);
  if (audios > 0 && images + videos === 0) throw invalidParameter('content', 'reference audio needs at least one reference image or video.');
}

/** Validate a create body the way Ark does; throws 400 InvalidParameter / MissingParameter, 404 for unknown models. */
export function parseCreateRequest(body: unknown, retired: (id: string) => boolean = () => false): SeedanceCreateSpec {
  if (!isObject(body)) throw invalidParameter('body', 'the request body must be a JSON object.');
  if (typeof body.model !== 'string' || body.model === '') throw missingParameter('model');
  const model = retired(body.model) ? undefined : findModel(body.model);
  if (!model) throw modelNotFound(body.model);
  const parsed = parseContent(body.content, model);
  const is1x = !model.id.includes('seedance-2');
  const { prompt, values } = is1x ? parseCommands(parsed.text ?? '') : { prompt: (parsed.text ?? '').trim(), values: {} };
  const merged: Json = { ...values, ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null)) };

  const refImages = parsed.images.filter((i) => i.role === 'reference_image').length;
  checkReferenceCounts(refImages, parsed.videos.length, parsed.audios.length);
  if (!prompt && parsed.images.length === 0 && parsed.videos.length === 0 && !parsed.draftTaskId) throw missingParameter('content.text');

  const ratio = merged.ratio ?? (parsed.images.length > 0 || !is1x ? 'adaptive' : '16:9');
  if (typeof ratio !== 'string' || !RATIOS.includes(ratio)) throw invalidParameter('ratio', `supported values are ${RATIOS.join(', ')}.`);

  const duration = int(merged, 'duration') ?? 5;
  const autoOk = model.autoDuration && duration === -1;
  if (!autoOk && (duration < model.minDuration || duration > model.maxDuration)) {
    throw invalidParameter('duration', `${model.id} supports ${model.minDuration}–${model.maxDuration} seconds${model.autoDuration ? ' or -1' : ''}, got ${duration}.`);
  }
  if (merged.frames !== undefined) throw invalidParameter('frames', `frames is not supported by ${model.id}; use duration.`);

  const resolution = typeof merged.resolution === 'string' ? merged.resolution.toLowerCase() : (merged.resolution ?? '720p');
  if (typeof resolution !== 'string' || !model.resolutions.includes(resolution)) {
    throw invalidParameter('resolution', `${model.id} supports ${model.resolutions.join(', ')}, got ${JSON.stringify(merged.resolution)}.`);
  }

  const seed = int(merged, 'seed') ?? -1;
  if (seed < -1 || seed > MAX_SEED) throw invalidParameter('seed', `seed must be in [-1, ${MAX_SEED}].`);

  if (merged.camera_fixed !== undefined && !model.cameraFixed) throw invalidParameter('camera_fixed', `camera_fixed is not supported by ${model.id}.`);
  if (merged.draft !== undefined && !model.draft) throw invalidParameter('draft', `draft is not supported by ${model.id}.`);
  if (merged.draft === true && resolution !== '480p') throw invalidParameter('resolution', `a draft renders 480p only, got ${resolution}.`);

  // 2.x models take no service tier or task timeout (BytePlus's own client strips both for them).
  for (const field of ['service_tier', 'execution_expires_after']) {
    if (merged[field] !== undefined && !model.flexTier) throw invalidParameter(field, `${field} is not supported by ${model.id}.`);
  }
  const serviceTier = merged.service_tier ?? 'default';
  if (serviceTier !== 'default' && serviceTier !== 'flex') throw invalidParameter('service_tier', 'supported values are default and flex.');
  if (serviceTier === 'flex' && !model.flexTier) throw invalidParameter('service_tier', `${model.id} supports service_tier default only.`);

  const executionExpiresAfter = int(merged, 'execution_expires_after') ?? 172_800;
  if (executionExpiresAfter < 3600 || executionExpiresAfter > 259_200) throw invalidParameter('execution_expires_after', 'must be in [3600, 259200] seconds.');

  const priority = int(merged, 'priority');
  if (priority !== undefined && (priority < 0 || priority > 9)) throw invalidParameter('priority', 'must be in [0, 9].');
  if (merged.safety_identifier !== undefined && (typeof merged.safety_identifier !== 'string' || merged.safety_identifier.length > 128)) {
    throw invalidParameter('safety_identifier', 'must be a string of at most 128 characters.');
  }
  if (merged.callback_url !== undefined && (typeof merged.callback_url !== 'string' || !MEDIA_URL.test(merged.callback_url))) {
    throw invalidParameter('callback_url', 'must be an http(s) URL.');
  }

  return {
    model,
    prompt,
    images: parsed.images,
    videos: parsed.videos,
    audios: parsed.audios,
    draftTaskId: parsed.draftTaskId,
    ratio,
    duration,
    resolution,
    seed,
    watermark: bool(merged, 'watermark', false),
    generateAudio: bool(merged, 'generate_audio', model.audioDefault),
    cameraFixed: bool(merged, 'camera_fixed', false),
    returnLastFrame: bool(merged, 'return_last_frame', false),
    draft: bool(merged, 'draft', false),
    serviceTier,
    executionExpiresAfter,
    priority,
  };
}
