/**
 * Request validation for the Grok Imagine endpoints (spec providers-1 §3.4), answering 400 with
 * xAI's `{code, error}` body. Shape checks are synchronous; media is then fetched and checked.
 */
import { sniffImageType } from '../image-type.js';
import type { InputFetcher } from '../fetch-input.js';
import { invalidArgument, notFound } from './errors.js';
import { findModel, type GrokModel } from './models.js';

export type JobKind = 'generation' | 'edit' | 'extension';

export const ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'] as const;
export const RESOLUTIONS = ['480p', '720p'] as const;
export const MAX_PROMPT_CHARS = 4096;
export const MAX_REFERENCE_IMAGES = 7;
/** Edits take sources up to 8.7 s; extensions 2–15 s (docs.x.ai editing/extension pages). */
export const MAX_EDIT_SOURCE_SECONDS = 8.7;
export const EXTENSION_SOURCE_SECONDS = { min: 2, max: 15 } as const;

/** A create request that passed the shape checks; media still as URLs. */
export interface ParsedCreate {
  kind: JobKind;
  model: GrokModel;
  prompt: string;
  /** Generation: output length. Extension: the added part. Edit: undefined (source decides). */
  duration?: number;
  aspectRatio: string;
  resolution: '480p' | '720p';
  imageUrl?: string;
  referenceUrls: string[];
  videoUrl?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function mediaUrl(value: unknown, field: string, allowData: boolean): string {
  if (!isObject(value) || typeof value.url !== 'string' || value.url.trim() === '') {
    throw invalidArgument(`${field} must be an object like {"url": "https://…"}${allowData ? ' (a data:image/…;base64 URI also works)' : ''}.`);
  }
  if (value.type !== undefined && value.type !== 'image_url') throw invalidArgument(`${field}.type must be "image_url" when present.`);
  const url = value.url.trim();
  if (/^data:/i.test(url)) {
    if (!allowData) throw invalidArgument(`${field}.url must be a publicly accessible http(s) URL; data URIs are not accepted for videos.`);
    if (!/^data:image\/[a-z0-9.+-]+;base64,/i.test(url)) throw invalidArgument(`${field}.url must be a base64 image data URI (data:image/<format>;base64,…).`);
    return url;
  }
  if (!/^https?:\/\//i.test(url)) throw invalidArgument(`${field}.url must be an http(s) URL${allowData ? ' or a data:image/… URI' : ''}.`);
  return url;
}

function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${field} must be an integer between ${min} and ${max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(`Invalid ${field} ${JSON.stringify(value)}. Supported values: ${allowed.join(', ')}.`);
  }
  return value as T;
}

function rejectFields(body: Json, fields: string[], why: string): void {
  for (const f of fields) if (body[f] !== undefined) throw invalidArgument(`${f} is not supported ${why}.`);
}

/** Validate a create body for one endpoint. Throws XaiHttpError (400/404). */
export function parseCreate(kind: JobKind, body: unknown, retired: (id: string) => boolean = () => false): ParsedCreate {
  if (!isObject(body)) throw invalidArgument('The request body must be a JSON object.');
  if (typeof body.model !== 'string' || body.model === '') throw invalidArgument('model is required (e.g. "grok-imagine-video").');
  // A retired model is refused like one that never existed.
  const model = typeof body.model === 'string' && retired(body.model) ? undefined : findModel(body.model);
  if (!model) throw notFound(`The model ${body.model} does not exist or your team does not have access to it.`);
  if (typeof body.prompt !== 'string' || body.prompt.trim() === '') throw invalidArgument('prompt is required and must be a non-empty string.');
  if ([...body.prompt].length > MAX_PROMPT_CHARS) throw invalidArgument(`prompt is too long: at most ${MAX_PROMPT_CHARS} characters.`);
  const prompt = body.prompt;

  if (kind !== 'generation') {
    if (!model.edits) throw invalidArgument(`Video ${kind === 'edit' ? 'editing' : 'extension'} is not supported by ${model.id}; use grok-imagine-video.`);
    const why = `for video ${kind === 'edit' ? 'editing' : 'extension'}`;
    rejectFields(body, kind === 'edit' ? ['duration', 'aspect_ratio', 'resolution', 'image', 'reference_images'] : ['aspect_ratio', 'resolution', 'image', 'reference_images'], why);
    if (body.video === undefined) throw invalidArgument(`video is required ${why}: {"url": "https://…/source.mp4"}.`);
    const videoUrl = mediaUrl(body.video, 'video', false);
    const duration = kind === 'extension' ? (body.duration === undefined ? 6 : integerIn(body.duration, 'duration', 2, 10)) : undefined;
    return { kind, model, prompt, duration, aspectRatio: 'source', resolution: '720p', videoUrl, referenceUrls: [] };
  }

  if (body.video !== undefined) throw invalidArgument('video is not accepted by /v1/videos/generations; use /v1/videos/edits or /v1/videos/extensions.');
  const imageUrl = body.image === undefined || body.image === null ? undefined : mediaUrl(body.image, 'image', true);
  let referenceUrls: string[] = [];
  if (body.reference_images !== undefined && body.reference_images !== null) {
    if (!Array.isArray(body.reference_images) || body.reference_images.length === 0 || body.reference_images.length > MAX_REFERENCE_IMAGES) {
      throw invalidArgument(`reference_images must be an array of 1 to ${MAX_REFERENCE_IMAGES} objects like {"url": "https://…"}.`);
    }
    if (!model.referenceImages) throw invalidArgument(`reference_images is not supported by ${model.id}; use grok-imagine-video.`);
    if (imageUrl) throw invalidArgument('image and reference_images cannot be combined: send a first frame or reference images, not both.');
    referenceUrls = body.reference_images.map((r, i) => mediaUrl(r, `reference_images[${i}]`, true));
  }
  if (!model.textToVideo && !imageUrl) throw invalidArgument(`${model.id} only supports image-to-video: send image {"url": …}.`);
  const maxDuration = referenceUrls.length > 0 ? 10 : 15;
  const duration = body.duration === undefined ? 8 : integerIn(body.duration, 'duration', 1, maxDuration);
  const aspectRatio = body.aspect_ratio === undefined ? '16:9' : oneOf(body.aspect_ratio, 'aspect_ratio', ASPECT_RATIOS);
  const resolution = body.resolution === undefined ? '480p' : oneOf(body.resolution, 'resolution', RESOLUTIONS);
  return { kind, model, prompt, duration, aspectRatio, resolution, imageUrl, referenceUrls };
}

/** Fetch an image input as xAI would; unreachable or non-image input is a 400. */
export async function loadImage(url: string, field: string, fetchInput: InputFetcher): Promise<Buffer> {
  let bytes: Buffer;
  try {
    ({ bytes } = await fetchInput(url, 'image'));
  } catch (err) {
    throw invalidArgument(`Failed to fetch ${field} from the given URL: ${(err as Error).message}. Make sure it is publicly accessible.`);
  }
  if (!sniffImageType(bytes)) throw invalidArgument(`${field} is not a supported image (PNG, JPEG, WebP, GIF or BMP).`);
  return bytes;
}

/** Fetch a source video; its bytes are probed by the caller. */
export async function loadVideo(url: string, fetchInput: InputFetcher): Promise<Buffer> {
  try {
    return (await fetchInput(url, 'video')).bytes;
  } catch (err) {
    throw invalidArgument(`Failed to fetch video from the given URL: ${(err as Error).message}. Make sure it is publicly accessible.`);
  }
}
