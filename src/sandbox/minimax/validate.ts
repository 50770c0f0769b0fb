import { followShape } from '../dimensions.js';
import type { InputFetcher } from '../fetch-input.js';
import { imageSize } from '../image-size.js';
import { sniffImageType } from '../image-type.js';
import { invalidParams } from './errors.js';
import { findModel, SHORT_SIDE, type HailuoModel, type Tier } from './models.js';

/** A create request that passed validation, with MiniMax's defaults applied. */
export interface HailuoSpec {
  model: HailuoModel;
  prompt: string;
  firstFrame?: Buffer;
  lastFrame?: Buffer;
  duration: 6 | 10;
  resolution: Tier;
  width: number;
  height: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const MAX_PROMPT = 2000;
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** JPG/PNG/WebP under 20 MB, short side > 300 px, aspect ratio between 2:5 and 5:2 (§2.2). */
async function loadImage(value: unknown, field: string, fetchInput: InputFetcher): Promise<{ bytes: Buffer; width: number; height: number }> {
  if (typeof value !== 'string' || !/^(https?:\/\/|data:image\/)/i.test(value)) {
    throw invalidParams(`${field} must be a public image URL or a data:image/...;base64 URL`);
  }
  let bytes: Buffer;
  try {
    bytes = (await fetchInput(value, 'image')).bytes;
  } catch {
    throw invalidParams(`${field} could not be downloaded`);
  }
  if (bytes.length > MAX_IMAGE_BYTES) throw invalidParams(`${field} is larger than 20MB`);
  const type = sniffImageType(bytes);
  const size = imageSize(bytes);
  if (!size || (type !== 'png' && type !== 'jpeg' && type !== 'webp')) throw invalidParams(`${field} must be a JPG, JPEG, PNG or WebP image`);
  if (Math.min(size.width, size.height) <= 300) throw invalidParams(`${field} short side must be more than 300 pixels`);
  const ratio = size.width / size.height;
  if (ratio < 2 / 5 || ratio > 5 / 2) throw invalidParams(`${field} aspect ratio must be between 2:5 and 5:2`);
  return { bytes, ...size };
}

/** Validate a POST /v1/video_generation body as MiniMax does; throws base_resp 2013. */
export async function parseCreateRequest(body: unknown, fetchInput: InputFetcher, retired: (id: string) => boolean = () => false): Promise<HailuoSpec> {
  if (!isObject(body)) throw invalidParams('request body must be a JSON object');
  const model = typeof body.model === 'string' && !retired(body.model) ? findModel(body.model) : undefined;
  if (!model) throw invalidParams(`model ${JSON.stringify(body.model ?? null)} is not supported for video generation`);

  const prompt = body.prompt ?? '';
  if (typeof prompt !== 'string') throw invalidParams('prompt must be a string');
  if ([...prompt].length > MAX_PROMPT) throw invalidParams(`prompt is longer than ${MAX_PROMPT} characters`);
  const hasFirst = body.first_frame_image !== undefined && body.first_frame_image !== '';
  const hasLast = body.last_frame_image !== undefined;
  if (hasFirst && !model.imageToVideo) throw invalidParams(`first_frame_image is not supported by ${model.id}`);
  if (hasLast && !model.lastFrame) throw invalidParams(`last_frame_image is not supported by ${model.id}`);
  // The FL2V schema requires only model and last_frame_image: a last frame alone is a valid request.
  if (!hasFirst && !hasLast && !model.textToVideo) throw invalidParams(`${model.id} only supports image-to-video, first_frame_image is required`);
  if (!hasFirst && !hasLast && prompt.trim() === '') throw invalidParams('prompt is required for text-to-video');

  const duration = body.duration ?? 6;
  if (duration !== 6 && duration !== 10) throw invalidParams(`duration ${JSON.stringify(duration)} is not supported, use 6 or 10`);
  if (duration === 10 && !model.tenSeconds) throw invalidParams(`duration 10 is not supported by ${model.id}, use 6`);
  const resolution = body.resolution ?? model.defaultResolution;
  if (typeof resolution !== 'string' || !(model.resolutions as readonly string[]).includes(resolution)) {
    throw invalidParams(`resolution ${JSON.stringify(resolution)} is not supported by ${model.id}, use ${model.resolutions.join(' or ')}`);
  }
  const tier = resolution as Tier;
  if (duration === 10 && tier === '1080P') throw invalidParams('duration 10 not supported at 1080P');
  if (tier === '512P' && !hasFirst) throw invalidParams('512P is only supported for image-to-video');
  if (tier === '512P' && hasLast) throw invalidParams('last_frame_image is not supported at 512P');
  for (const flag of ['prompt_optimizer', 'fast_pretreatment', 'aigc_watermark'] as const) {
    if (body[flag] !== undefined && typeof body[flag] !== 'boolean') throw invalidParams(`${flag} must be a boolean`);
  }

  const first = hasFirst ? await loadImage(body.first_frame_image, 'first_frame_image', fetchInput) : undefined;
  const last = hasLast ? await loadImage(body.last_frame_image, 'last_frame_image', fetchInput) : undefined;
  // No aspect ratio upstream: text-to-video is 16:9; image-conditioned output follows the first frame
  // (the docs: "video resolution is determined by the first frame"), or the last one when it is alone ([I]).
  const frame = first ?? last;
  const shape = frame ? followShape(frame.width, frame.height, SHORT_SIDE[tier]) : followShape(16, 9, SHORT_SIDE[tier]);
  return { model, prompt, firstFrame: first?.bytes, lastFrame: last?.bytes, duration, resolution: tier, ...shape };
}
