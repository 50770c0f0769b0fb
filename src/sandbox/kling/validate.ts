/**
 * Request validation for the simulated create endpoints, following spec providers-2 §1.5–§1.7.
 * Refusals are 400 {code: 1201} (bad value) or 1200 (unusable body), naming the field like Kling.
 */
import { dimensionsFor } from '../render.js';
import { invalidRequest, invalidValue } from './errors.js';
import { findModel, type KlingSimModel, type SimKind } from './models.js';

export interface LoadedImage {
  bytes: Buffer;
  width: number;
  height: number;
}

export interface LoadedVideo {
  path: string;
  durationSeconds: number;
  width: number;
  height: number;
  hasAudio: boolean;
}

/** How the validator reads media and elements (the server fetches, decodes and probes). */
export interface InputLoader {
  image(value: string, field: string): Promise<LoadedImage>;
  video(value: string, field: string): Promise<LoadedVideo>;
  element(id: string): { frontal: Buffer } | undefined;
}

/** What to render for an accepted task. */
export interface KlingJobSpec {
  kind: SimKind;
  model: KlingSimModel;
  prompt: string;
  externalTaskId?: string;
  durationSeconds: number;
  width: number;
  height: number;
  audio: boolean;
  firstFrame?: Buffer;
  lastFrame?: Buffer;
  referenceImages: Buffer[];
  sourceVideo?: string;
}

const MAX_PROMPT = 2500;
const RATIOS = ['16:9', '9:16', '1:1'];
type Body = Record<string, unknown>;

function optionalString(body: Body, field: string, max = MAX_PROMPT): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidValue(`${field} must be a string`);
  if ([...v].length > max) throw invalidValue(`${field} cannot exceed ${max} characters`);
  return v;
}

function oneOf<T extends string>(body: Body, field: string, allowed: readonly T[], fallback?: T): T | undefined {
  const v = body[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw invalidValue(`${field} must be one of: ${allowed.join(', ')}`);
  return v as T;
}

/** `duration` is a string enum on Kling; the integer 5 is refused (§1.10). */
function duration(body: Body, allowed: number[], fallback = 5): number {
  const v = body.duration;
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw invalidValue('duration must be a string, e.g. "5"');
  if (!/^\d+$/.test(v) || !allowed.includes(Number(v))) throw invalidValue(`duration must be one of: ${allowed.join(', ')}`);
  return Number(v);
}

function model(body: Body, kind: SimKind): KlingSimModel {
  if (body.model_name !== undefined && typeof body.model_name !== 'string') throw invalidValue('model_name must be a string');
  const m = findModel(body.model_name, kind);
  if (!m) throw invalidValue(`model_name is invalid: ${String(body.model_name)}`);
  if (!m.kinds.includes(kind)) throw invalidValue(`model_name ${m.name} is not supported by ${kind}`);
  return m;
}

function modeOf(body: Body, m: KlingSimModel, fallback: 'std' | 'pro' = 'std'): 'std' | 'pro' {
  const mode = oneOf(body, 'mode', ['std', 'pro'] as const, fallback)!;
  return m.hasModes ? mode : 'pro';
}

function resolutionOf(m: KlingSimModel, mode: 'std' | 'pro'): string {
  if (!m.hasModes) return m.proResolution;
  return mode === 'pro' ? m.proResolution : '720p';
}

/** Output size: the ratio of an input (image/video), or a documented aspect ratio, at the mode's resolution. */
function sizeFrom(ratio: { width: number; height: number } | string, resolution: string): { width: number; height: number } {
  return dimensionsFor(typeof ratio === 'string' ? ratio : `${ratio.width}:${ratio.height}`, resolution);
}

function soundOf(body: Body, m: KlingSimModel, mode: 'std' | 'pro'): boolean {
  const sound = oneOf(body, 'sound', ['on', 'off'] as const, 'off');
  if (sound !== 'on') return false;
  if (m.sound === 'none') throw invalidValue(`sound is not supported by model ${m.name}`);
  if (m.sound === 'pro' && mode !== 'pro') throw invalidValue(`sound on requires mode pro for model ${m.name}`);
  return true;
}

function cfgScale(body: Body, m: KlingSimModel): void {
  const v = body.cfg_scale;
  if (v === undefined || v === null) return;
  if (!m.cfgScale) throw invalidValue(`cfg_scale is not supported by model ${m.name}`);
  if (typeof v !== 'number' || v < 0 || v > 1) throw invalidValue('cfg_scale must be a number in [0, 1]');
}

function array(body: Body, field: string, max: number): Body[] {
  const v = body[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => !x || typeof x !== 'object')) throw invalidValue(`${field} must be an array of objects`);
  if (v.length > max) throw invalidValue(`${field} supports at most ${max} items`);
  return v as Body[];
}

function elementFrontals(body: Body, loader: InputLoader, max: number): Buffer[] {
  return array(body, 'element_list', max).map((e, i) => {
    const id = typeof e.element_id === 'string' || typeof e.element_id === 'number' ? String(e.element_id) : '';
    if (!/^\d+$/.test(id)) throw invalidValue(`element_list[${i}].element_id must be an element id`);
    const el = loader.element(id);
    if (!el) throw invalidValue(`element_id ${id} does not exist`);
    return el.frontal;
  });
}

/** <<<image_N>>>, <<<element_N>>>, <<<video_N>>> must name an input that was sent. */
function checkTemplates(prompt: string, counts: { image: number; element: number; video: number }): void {
  for (const m of prompt.matchAll(/<<<(image|element|video)_(\d+)>>>/g)) {
    const kind = m[1] as keyof typeof counts;
    const n = Number(m[2]);
    if (n < 1 || n > counts[kind]) throw invalidValue(`prompt refers to <<<${kind}_${n}>>> but only ${counts[kind]} ${kind}(s) were sent`);
  }
}

function requireString(body: Body, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v.trim() === '') throw invalidValue(`${field} is required`);
  return v;
}

export async function parseCreate(kind: SimKind, raw: unknown, loader: InputLoader): Promise<KlingJobSpec> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalidRequest('Request body must be a JSON object');
  const body = raw as Body;
  const externalTaskId = optionalString(body, 'external_task_id', 64);
  optionalString(body, 'negative_prompt');
  switch (kind) {
    case 'text2video':
      return { ...(await text2video(body)), externalTaskId };
    case 'image2video':
      return { ...(await image2video(body, loader)), externalTaskId };
    case 'motion-control':
      return { ...(await motionControl(body, loader)), externalTaskId };
    case 'omni-video':
      return { ...(await omniVideo(body, loader)), externalTaskId };
  }
}

async function text2video(body: Body): Promise<KlingJobSpec> {
  const m = model(body, 'text2video');
  const prompt = optionalString(body, 'prompt');
  if (!prompt) throw invalidValue('prompt is required');
  const mode = modeOf(body, m);
  cfgScale(body, m);
  const audio = soundOf(body, m, mode);
  const ratio = oneOf(body, 'aspect_ratio', RATIOS, '16:9')!;
  return { kind: 'text2video', model: m, prompt, durationSeconds: duration(body, m.durations), ...sizeFrom(ratio, resolutionOf(m, mode)), audio, referenceImages: [] };
}

async function image2video(body: Body, loader: InputLoader): Promise<KlingJobSpec> {
  const m = model(body, 'image2video');
  const mode = modeOf(body, m);
  const prompt = optionalString(body, 'prompt') ?? '';
  if (m.name === 'kling-v3' && !prompt) throw invalidValue('prompt is required');
  cfgScale(body, m);
  if (body.aspect_ratio !== undefined) throw invalidValue('aspect_ratio is not supported by image2video; the output follows the input image');
  const hasTail = body.image_tail !== undefined && body.image_tail !== null && body.image_tail !== '';
  if (hasTail && m.tail === 'none') throw invalidValue(`image_tail is not supported by model ${m.name}`);
  if (hasTail && m.tail === 'pro' && mode !== 'pro') throw invalidValue(`image_tail requires mode pro for model ${m.name}`);
  if (hasTail && (body.camera_control || body.static_mask || body.dynamic_masks)) throw invalidValue('image_tail, motion brush and camera_control cannot be used together');
  const audio = soundOf(body, m, mode);
  if (audio && hasTail && m.name === 'kling-v2-6') throw invalidValue('sound is not supported with image_tail for model kling-v2-6');
  if (body.element_list !== undefined && !m.elements) throw invalidValue(`element_list is not supported by model ${m.name}`);
  if (body.element_list !== undefined && body.voice_list !== undefined) throw invalidValue('element_list and voice_list cannot be used together');
  const elements = elementFrontals(body, loader, 3);
  checkTemplates(prompt, { image: 0, element: elements.length, video: 0 });
  const first = body.image === undefined || body.image === null || body.image === '' ? undefined : await loader.image(requireString(body, 'image'), 'image');
  const last = hasTail ? await loader.image(requireString(body, 'image_tail'), 'image_tail') : undefined;
  const shape = first ?? last;
  if (!shape) throw invalidValue('image is required');
  return {
    kind: 'image2video',
    model: m,
    prompt,
    durationSeconds: duration(body, m.durations),
    ...sizeFrom(shape, resolutionOf(m, mode)),
    audio,
    firstFrame: first?.bytes,
    lastFrame: last?.bytes,
    referenceImages: elements,
  };
}

async function motionControl(body: Body, loader: InputLoader): Promise<KlingJobSpec> {
  const m = model(body, 'motion-control');
  const orientation = oneOf(body, 'character_orientation', ['image', 'video'] as const);
  if (!orientation) throw invalidValue('character_orientation is required');
  if (body.mode === undefined) throw invalidValue('mode is required');
  const mode = modeOf(body, m);
  const prompt = optionalString(body, 'prompt') ?? '';
  const keepSound = oneOf(body, 'keep_original_sound', ['yes', 'no'] as const, 'yes') === 'yes';
  if (body.element_list !== undefined && !m.elements) throw invalidValue(`element_list is not supported by model ${m.name}`);
  const elements = elementFrontals(body, loader, 1);
  const image = await loader.image(requireString(body, 'image_url'), 'image_url');
  const video = await loader.video(requireString(body, 'video_url'), 'video_url');
  const maxSeconds = orientation === 'image' ? 10 : 30;
  if (video.durationSeconds < 2.95 || video.durationSeconds > maxSeconds + 0.05) {
    throw invalidValue(`video_url duration must be between 3 and ${maxSeconds} seconds when character_orientation is ${orientation}`);
  }
  return {
    kind: 'motion-control',
    model: m,
    prompt,
    durationSeconds: Math.round(video.durationSeconds * 1000) / 1000,
    ...sizeFrom(video, resolutionOf(m, mode)),
    audio: keepSound && video.hasAudio,
    firstFrame: image.bytes,
    referenceImages: elements,
    sourceVideo: video.path,
  };
}

async function omniVideo(body: Body, loader: InputLoader): Promise<KlingJobSpec> {
  const m = model(body, 'omni-video');
  const prompt = optionalString(body, 'prompt');
  if (!prompt) throw invalidValue('prompt is required');
  const mode = modeOf(body, m, 'pro');
  const videos = array(body, 'video_list', 1);
  const elements = elementFrontals(body, loader, 7);
  const images = array(body, 'image_list', videos.length ? 4 : 7);
  if (images.length + elements.length > (videos.length ? 4 : 7)) throw invalidValue(`image_list plus element_list supports at most ${videos.length ? 4 : 7} items`);
  const typed = images.map((img, i) => ({ img, i, type: oneOf(img, 'type', ['first_frame', 'end_frame'] as const) }));
  const firstAt = typed.find((t) => t.type === 'first_frame');
  const endAt = typed.find((t) => t.type === 'end_frame');
  if (endAt && !firstAt) throw invalidValue('image_list: an end_frame needs a first_frame');
  if (endAt && images.length > 2) throw invalidValue('image_list: an end_frame is not supported with more than 2 images');
  const video = videos[0];
  const referType = video ? oneOf(video, 'refer_type', ['feature', 'base'] as const, 'base') : undefined;
  if (video) oneOf(video, 'keep_original_sound', ['yes', 'no'] as const);
  const sound = oneOf(body, 'sound', ['on', 'off'] as const, 'off') === 'on';
  if (sound && m.sound === 'none') throw invalidValue(`sound is not supported by model ${m.name}`);
  if (sound && video) throw invalidValue('sound must be off when video_list is used');
  checkTemplates(prompt, { image: images.length, element: elements.length, video: videos.length });

  const ratio = oneOf(body, 'aspect_ratio', RATIOS);
  if (!ratio && !firstAt && referType !== 'base') throw invalidValue('aspect_ratio is required unless a first_frame image or a base video is given');
  const loaded = await Promise.all(images.map((img, i) => loader.image(requireString(img, 'image_url'), `image_list[${i}].image_url`)));
  const source = video ? await loader.video(requireString(video, 'video_url'), 'video_list[0].video_url') : undefined;
  if (source && (source.durationSeconds < 2.95 || source.durationSeconds > 10.05)) throw invalidValue('video_list[0].video_url duration must be between 3 and 10 seconds');

  let seconds: number;
  if (referType === 'base') seconds = Math.round(source!.durationSeconds * 1000) / 1000;
  else {
    const plain = images.length === 0 && elements.length === 0 && !video;
    const fixedSet = m.name === 'kling-video-o1' && (plain || firstAt !== undefined);
    const allowed = fixedSet ? [5, 10] : m.durations.filter((d) => !video || d <= 10);
    seconds = duration(body, allowed);
  }
  const resolution = resolutionOf(m, mode);
  const shape = firstAt ? sizeFrom(loaded[firstAt.i], resolution) : referType === 'base' ? sizeFrom(source!, resolution) : sizeFrom(ratio ?? '16:9', resolution);
  const keepSound = video ? video.keep_original_sound !== 'no' : false;
  const plainRefs = typed.filter((t) => !t.type).map((t) => loaded[t.i].bytes);
  return {
    kind: 'omni-video',
    model: m,
    prompt,
    durationSeconds: seconds,
    ...shape,
    audio: sound || (referType === 'base' && keepSound && source!.hasAudio),
    firstFrame: firstAt ? loaded[firstAt.i].bytes : undefined,
    lastFrame: endAt ? loaded[endAt.i].bytes : undefined,
    referenceImages: [...plainRefs, ...elements],
    sourceVideo: referType === 'base' ? source!.path : undefined,
  };
}
