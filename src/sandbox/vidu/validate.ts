import type { InputFetcher } from '../fetch-input.js';
import { imageSize } from '../image-size.js';
import { sniffImageType } from '../image-type.js';
import { badRequest, fieldInvalid, fieldLacking, fieldUnwanted, imageDownloadFailure, imageFormatInvalid, itemCount, ViduHttpError, pageSizeOutOfRange } from './errors.js';
import type { ViduEndpoint, ViduModel } from './models.js';

/** A create request that passed validation, with Vidu's defaults applied (what the task echoes). */
export interface ViduCreateSpec {
  endpoint: ViduEndpoint;
  prompt: string;
  /** images, or every subject's images in order (reference2video audio-video mode). */
  images: string[];
  subjects?: Array<{ id: string; images: string[]; voice_id?: string }>;
  duration: number;
  resolution: string;
  aspectRatio?: string;
  seed: number;
  audio?: boolean;
  bgm?: boolean;
  style?: string;
  movementAmplitude: string;
  payload: string;
  offPeak: boolean;
  watermark: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** §4.4: a URL, or base64 with its data-URL prefix (png/jpeg/jpg/webp). */
const DATA_IMAGE = /^data:image\/(png|jpeg|jpg|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
const RATIOS_ALL = ['16:9', '9:16', '1:1'];
const RATIOS_WIDE = ['4:3', '3:4'];

function str(body: Json, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fieldInvalid(key, 'must be a string');
  return v;
}

function bool(body: Json, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw fieldInvalid(key, 'must be true or false');
  return v;
}

function int(body: Json, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw fieldInvalid(key, 'must be an integer');
  return v;
}

function checkImageString(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0) throw fieldInvalid(field, 'must be a non-empty string');
  if (/^https?:\/\//i.test(v)) return v;
  if (v.startsWith('data:')) {
    if (!DATA_IMAGE.test(v)) throw new ViduHttpError(400, 'ImageFormatInvalid', `image format invalid: ${field} (data URL must be data:image/{png|jpeg|jpg|webp};base64,...)`);
    return v;
  }
  // Raw base64 without the prefix is refused: Vidu needs the content type (§4.8).
  throw new ViduHttpError(400, 'ImageFormatInvalid', `image format invalid: ${field} (send a URL or base64 with a prefix such as data:image/png;base64,)`);
}

function parseImages(body: Json, endpoint: ViduEndpoint, model: ViduModel): Pick<ViduCreateSpec, 'images' | 'subjects'> {
  const raw = body.images;
  const subjectsRaw = body.subjects;
  if (endpoint === 'text2video') {
    if (raw !== undefined) throw fieldUnwanted('images', 'text2video takes no images');
    if (subjectsRaw !== undefined) throw fieldUnwanted('subjects', 'text2video takes no subjects');
    return { images: [] };
  }
  if (subjectsRaw !== undefined) {
    if (endpoint !== 'reference2video') throw fieldUnwanted('subjects', 'only reference2video takes subjects');
    // viduq2-pro references work in the non-subject mode only.
    if (model.id === 'viduq2-pro') throw fieldUnwanted('subjects', 'viduq2-pro supports the non-subject reference mode only: send images');
    if (raw !== undefined) throw fieldUnwanted('images', 'send either images or subjects, not both');
    if (!Array.isArray(subjectsRaw) || subjectsRaw.length < 1 || subjectsRaw.length > 7) throw itemCount('subjects', '1 to 7 subjects');
    const subjects = subjectsRaw.map((s, i) => {
      if (!isObject(s)) throw fieldInvalid(`subjects[${i}]`, 'must be an object {id, images, voice_id?}');
      if (typeof s.id !== 'string' || s.id === '') throw fieldLacking(`subjects[${i}].id`);
      if (!Array.isArray(s.images) || s.images.length < 1 || s.images.length > 3) throw itemCount(`subjects[${i}].images`, '1 to 3 images per subject');
      const images = s.images.map((img, j) => checkImageString(img, `subjects[${i}].images[${j}]`));
      if (s.voice_id !== undefined && typeof s.voice_id !== 'string') throw fieldInvalid(`subjects[${i}].voice_id`);
      return { id: s.id, images, ...(typeof s.voice_id === 'string' ? { voice_id: s.voice_id } : {}) };
    });
    const total = subjects.reduce((n, s) => n + s.images.length, 0);
    if (total > 7) throw itemCount('subjects', '1 to 7 images across all subjects');
    return { images: subjects.flatMap((s) => s.images), subjects };
  }
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) throw fieldLacking('images');
  if (!Array.isArray(raw)) throw fieldInvalid('images', 'must be an array of strings');
  const want = endpoint === 'img2video' ? [1, 1] : endpoint === 'start-end2video' ? [2, 2] : [1, model.maxReferenceImages];
  if (raw.length < want[0] || raw.length > want[1]) {
    throw itemCount('images', want[0] === want[1] ? `exactly ${want[0]} image(s)` : `${want[0]} to ${want[1]} images`);
  }
  return { images: raw.map((v, i) => checkImageString(v, `images[${i}]`)) };
}

/** Validate a create body the way Vidu does; throws 400 with Vidu's error envelope. */
export function parseCreateRequest(body: unknown, endpoint: ViduEndpoint, model: ViduModel): ViduCreateSpec {
  if (!isObject(body)) throw badRequest('request body must be a JSON object');
  const rule = model.endpoints[endpoint];
  if (!rule) throw fieldInvalid('model', `${model.id} is not available on ${endpoint}`);

  const prompt = str(body, 'prompt') ?? '';
  if ((endpoint === 'text2video' || endpoint === 'reference2video') && prompt.trim() === '') throw fieldLacking('prompt');
  if ([...prompt].length > model.promptMax) throw fieldInvalid('prompt', `at most ${model.promptMax} characters`);

  const { images, subjects } = parseImages(body, endpoint, model);

  const duration = int(body, 'duration') ?? rule.defaultDuration;
  if (!rule.durations.includes(duration)) throw fieldInvalid('duration', `${model.id} on ${endpoint} accepts ${rule.durations.join(', ')}`);
  const resolution = str(body, 'resolution') ?? rule.defaultResolution(duration);
  if (!rule.resolutions(duration).includes(resolution)) {
    throw fieldInvalid('resolution', `${model.id} at ${duration} s accepts ${rule.resolutions(duration).join(', ')} (lower case)`);
  }

  let aspectRatio: string | undefined;
  const ar = str(body, 'aspect_ratio');
  if (endpoint === 'text2video' || endpoint === 'reference2video') {
    aspectRatio = ar ?? '16:9';
    const allowed = model.wideRatios ? [...RATIOS_ALL, ...RATIOS_WIDE] : RATIOS_ALL;
    if (!allowed.includes(aspectRatio)) throw fieldInvalid('aspect_ratio', `allowed: ${allowed.join(', ')}`);
  } else if (ar !== undefined) {
    throw fieldUnwanted('aspect_ratio', `${endpoint} follows the input image`);
  }

  const seedIn = int(body, 'seed');
  if (seedIn !== undefined && seedIn < 0) throw fieldInvalid('seed', 'must be ≥ 0');
  const seed = seedIn ? seedIn : Math.floor(Math.random() * 2 ** 31);

  // viduq2-pro's non-subject reference mode has no audio setting.
  const takesAudio = model.q3 || endpoint === 'img2video' || (endpoint === 'reference2video' && model.id !== 'viduq2-pro');
  const audioIn = bool(body, 'audio');
  if (audioIn !== undefined && !takesAudio) throw fieldUnwanted('audio', `${model.id} has no audio on ${endpoint}`);
  const audio = takesAudio ? (audioIn ?? model.q3) : undefined;
  const bgmIn = bool(body, 'bgm');
  if (bgmIn !== undefined && endpoint === 'img2video') throw fieldUnwanted('bgm', 'img2video takes no bgm');
  const bgm = endpoint === 'img2video' ? undefined : (bgmIn ?? false);
  const offPeak = bool(body, 'off_peak') ?? false;
  if (offPeak && audio && !model.q3) throw fieldInvalid('off_peak', 'audio-video generation cannot use off-peak mode');

  const style = str(body, 'style');
  if (style !== undefined && (endpoint !== 'text2video' || !['general', 'anime'].includes(style))) throw fieldInvalid('style', 'text2video only: general or anime');
  const movementAmplitude = str(body, 'movement_amplitude') ?? 'auto';
  if (!['auto', 'small', 'medium', 'large'].includes(movementAmplitude)) throw fieldInvalid('movement_amplitude', 'auto, small, medium or large');
  const payload = str(body, 'payload') ?? '';
  if (payload.length > 1_048_576) throw fieldInvalid('payload', 'at most 1048576 characters');
  for (const key of ['is_rec', 'watermark']) bool(body, key);
  for (const key of ['voice_id', 'wm_url', 'meta_data', 'callback_url']) str(body, key);
  const wm = int(body, 'wm_position');
  if (wm !== undefined && ![1, 2, 3, 4].includes(wm)) throw fieldInvalid('wm_position', '1, 2, 3 or 4');

  return {
    endpoint,
    prompt,
    images,
    subjects,
    duration,
    resolution,
    aspectRatio,
    seed,
    audio,
    bgm,
    style: endpoint === 'text2video' ? (style ?? 'general') : undefined,
    movementAmplitude,
    payload,
    offPeak,
    watermark: bool(body, 'watermark') ?? false,
  };
}

export interface LoadedImage {
  bytes: Buffer;
  width: number;
  height: number;
}

/**
 * Fetch and check every image as Vidu does at create: readable, png/jpeg/webp, ratio within
 * 1:4..4:1, references ≥ 128×128, start and end frames of similar shape (0.8–1.25).
 */
export async function loadImages(spec: ViduCreateSpec, fetchInput: InputFetcher): Promise<LoadedImage[]> {
  const loaded = await Promise.all(
    spec.images.map(async (src, i) => {
      let bytes: Buffer;
      try {
        bytes = (await fetchInput(src, 'image')).bytes;
      } catch {
        throw imageDownloadFailure(i);
      }
      const type = sniffImageType(bytes);
      if (type !== 'png' && type !== 'jpeg' && type !== 'webp') throw imageFormatInvalid(i, 'png, jpeg, jpg or webp only');
      if (bytes.length > 50 * 1024 * 1024) throw pageSizeOutOfRange(i, 'larger than 50 MB');
      const size = imageSize(bytes);
      // A zero-sized header is as unreadable as a broken one.
      if (!size || !(size.width > 0 && size.height > 0)) throw imageFormatInvalid(i, 'unreadable image header');
      const ratio = size.width / size.height;
      if (ratio > 4 || ratio < 0.25) throw pageSizeOutOfRange(i, 'aspect ratio must be between 1:4 and 4:1');
      if (spec.endpoint === 'reference2video' && (size.width < 128 || size.height < 128)) throw pageSizeOutOfRange(i, 'at least 128x128 pixels');
      return { bytes, ...size };
    }),
  );
  if (spec.endpoint === 'start-end2video') {
    const [a, b] = loaded;
    const r = (a.width * a.height) / (b.width * b.height);
    if (r < 0.8 || r > 1.25) throw fieldInvalid('images', 'start and end frames must have similar resolutions (ratio 0.8 to 1.25)');
  }
  return loaded;
}
