import { followShape } from '../dimensions.js';
import type { InputFetcher } from '../fetch-input.js';
import { imageSize } from '../image-size.js';
import { sniffImageType } from '../image-type.js';
import { invalidParameter } from './errors.js';
import { TIER_PIXELS, TIER_SIZES, type Tier, type WanModel } from './models.js';

/** A create request that passed validation, with DashScope's defaults applied. */
export interface WanSpec {
  model: WanModel;
  prompt: string;
  firstFrame?: Buffer;
  lastFrame?: Buffer;
  referenceImages: Buffer[];
  referenceVideo?: Buffer;
  duration: number;
  width: number;
  height: number;
  /** Tier number for usage.SR (480/720/1080). */
  tier: Tier;
  audio: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const MAX_NEGATIVE_PROMPT = 500;

function str(obj: Json, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`${where}.${key} must be a string.`);
  return v;
}

function bool(obj: Json, key: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidParameter(`parameters.${key} must be a boolean.`);
  return v;
}

/** JPEG/PNG/BMP/WEBP, ≤ 10 MB, 360–2000 px on each side (§3.4). Raw base64 is tolerated (the AI SDK sends it). */
async function loadImage(value: string, field: string, fetchInput: InputFetcher): Promise<{ bytes: Buffer; width: number; height: number }> {
  let source = value;
  if (!/^(https?:|data:)/i.test(value)) {
    const raw = Buffer.from(value, 'base64');
    if (!sniffImageType(raw)) throw invalidParameter(`The ${field} is not a valid URL or data:{MIME_type};base64,{data} image.`);
    source = `data:image/png;base64,${value}`;
  }
  let bytes: Buffer;
  try {
    bytes = (await fetchInput(source, 'image')).bytes;
  } catch {
    throw invalidParameter(`Failed to download the ${field}. Make sure the URL is publicly reachable.`);
  }
  if (bytes.length > MAX_IMAGE_BYTES) throw invalidParameter(`The ${field} is larger than 10MB.`);
  const type = sniffImageType(bytes);
  const size = imageSize(bytes);
  if (!size || type === 'gif' || !type) throw invalidParameter(`The ${field} must be a JPEG, JPG, PNG, BMP or WEBP image.`);
  if (Math.min(size.width, size.height) < 360 || Math.max(size.width, size.height) > 2000) {
    throw invalidParameter(`The ${field} width and height must be between 360 and 2000 pixels, got ${size.width}x${size.height}.`);
  }
  return { bytes, ...size };
}

async function loadMedia(value: string, kind: 'video' | 'audio', field: string, fetchInput: InputFetcher): Promise<Buffer> {
  if (!/^(https?:|data:)/i.test(value)) throw invalidParameter(`The ${field} must be a public URL.`);
  try {
    return (await fetchInput(value, kind)).bytes;
  } catch {
    throw invalidParameter(`Failed to download the ${field}. Make sure the URL is publicly reachable.`);
  }
}

const isVideoRef = (url: string) => /^data:video\//i.test(url) || /\.(mp4|mov)([?#]|$)/i.test(url);

/** Output of an image-conditioned model: the image's shape at about the tier's pixel count. */
function followImage(width: number, height: number, tier: Tier): { width: number; height: number } {
  const ratio = width / height;
  // The documented sizes are only near their nominal ratio (832*480 is 1.73, not 16:9): match within 3 %.
  const documented = TIER_SIZES[tier].map((s) => s.split('*').map(Number)).find(([w, h]) => Math.abs(w / h / ratio - 1) < 0.03);
  if (documented) return { width: documented[0], height: documented[1] };
  const shortSide = Math.sqrt(TIER_PIXELS[tier] / (ratio >= 1 ? ratio : 1 / ratio));
  return followShape(width, height, Math.round(shortSide / 2) * 2);
}

function parseDuration(params: Json, model: WanModel): number {
  const d = params.duration ?? model.defaultDuration;
  if (typeof d !== 'number' || !Number.isInteger(d) || !model.durations.includes(d)) {
    const allowed = model.durations.length > 3 ? `${model.durations[0]} to ${model.durations[model.durations.length - 1]}` : model.durations.join(', ');
    throw invalidParameter(`The duration ${JSON.stringify(d)} is not supported by ${model.id}; supported: ${allowed}.`);
  }
  return d;
}

/** Validate a video-synthesis body as DashScope does; throws 400 InvalidParameter. */
export async function parseCreateRequest(body: unknown, model: WanModel, fetchInput: InputFetcher): Promise<WanSpec> {
  if (!isObject(body)) throw invalidParameter('The request body must be a JSON object.');
  if (!isObject(body.input)) throw invalidParameter('Field required: input');
  const params = body.parameters ?? {};
  if (!isObject(params)) throw invalidParameter('parameters must be an object.');
  const input = body.input;

  const prompt = str(input, 'prompt', 'input') ?? '';
  const negative = str(input, 'negative_prompt', 'input');
  if (negative && [...negative].length > MAX_NEGATIVE_PROMPT) throw invalidParameter(`input.negative_prompt exceeds ${MAX_NEGATIVE_PROMPT} characters.`);
  if ((model.mode === 't2v' || model.mode === 'r2v') && prompt.trim() === '') throw invalidParameter('Field required: input.prompt');
  for (const key of ['prompt_extend', 'watermark']) bool(params, key);
  const seed = params.seed;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 2147483647)) {
    throw invalidParameter('parameters.seed must be an integer in [0, 2147483647].');
  }
  if (params.shot_type !== undefined && (!model.id.startsWith('wan2.6') || !['single', 'multi'].includes(params.shot_type as string))) {
    throw invalidParameter(`parameters.shot_type must be single or multi, and only wan2.6 models take it.`);
  }

  // size (T2V/R2V) and resolution (I2V/kf2v) are exclusive by model family (§3.8).
  const usesSize = model.mode === 't2v' || model.mode === 'r2v';
  const size = str(params, 'size', 'parameters');
  const resolution = str(params, 'resolution', 'parameters');
  if (usesSize && resolution !== undefined) throw invalidParameter(`${model.id} takes parameters.size ("1280*720"), not resolution.`);
  if (!usesSize && size !== undefined) throw invalidParameter(`${model.id} takes parameters.resolution ("720P"), not size.`);
  const duration = parseDuration(params, model);

  const audioUrl = str(input, 'audio_url', 'input');
  if (audioUrl !== undefined && !model.audioUrl) throw invalidParameter(`${model.id} does not support input.audio_url.`);
  if (audioUrl !== undefined) await loadMedia(audioUrl, 'audio', 'audio_url', fetchInput);
  const audioSwitch = bool(params, 'audio');
  if (audioSwitch === false && model.audio === 'on') throw invalidParameter(`${model.id} generates video with audio only; parameters.audio=false is not supported.`);
  const audio = model.audio === 'on' || (model.audio === 'switch' && (audioUrl !== undefined || audioSwitch !== false));

  const base = { model, prompt, referenceImages: [] as Buffer[], duration, audio };
  if (usesSize) {
    const chosen = size ?? (model.tiers.includes('1080P') ? '1920*1080' : TIER_SIZES[model.tiers[model.tiers.length - 1]][0]);
    const tier = model.tiers.find((t) => TIER_SIZES[t].includes(chosen));
    if (!tier) {
      const allowed = model.tiers.flatMap((t) => TIER_SIZES[t]).join(', ');
      throw invalidParameter(`The size "${chosen}" is not supported by ${model.id}; supported sizes: ${allowed}.`);
    }
    const [width, height] = chosen.split('*').map(Number);
    if (model.mode === 't2v') return { ...base, width, height, tier };
    return { ...base, ...(await parseReferences(input, fetchInput)), width, height, tier };
  }

  const tier = (resolution ?? model.tiers[model.tiers.length - 1]) as Tier;
  if (!model.tiers.includes(tier)) throw invalidParameter(`The resolution "${resolution}" is not supported by ${model.id}; supported: ${model.tiers.join(', ')}.`);
  if (model.mode === 'i2v') {
    const img = str(input, 'img_url', 'input');
    if (!img) throw invalidParameter('Field required: input.img_url');
    const first = await loadImage(img, 'img_url', fetchInput);
    return { ...base, firstFrame: first.bytes, ...followImage(first.width, first.height, tier), tier };
  }
  const firstUrl = str(input, 'first_frame_url', 'input');
  const lastUrl = str(input, 'last_frame_url', 'input');
  if (!firstUrl || !lastUrl) throw invalidParameter('Field required: input.first_frame_url and input.last_frame_url');
  const first = await loadImage(firstUrl, 'first_frame_url', fetchInput);
  const last = await loadImage(lastUrl, 'last_frame_url', fetchInput);
  return { ...base, firstFrame: first.bytes, lastFrame: last.bytes, ...followImage(first.width, first.height, tier), tier };
}

/** R2V: 1–5 references (≤ 3 videos). Both field names seen in the docs are accepted (§3.4 [I]). */
async function parseReferences(input: Json, fetchInput: InputFetcher): Promise<{ referenceImages: Buffer[]; referenceVideo?: Buffer }> {
  const raw = input.reference_urls ?? input.reference_video_urls;
  if (!Array.isArray(raw) || raw.length === 0 || raw.some((u) => typeof u !== 'string')) {
    throw invalidParameter('Field required: input.reference_urls (1 to 5 image or video URLs).');
  }
  const urls = raw as string[];
  const videos = urls.filter(isVideoRef);
  if (urls.length > 5 || videos.length > 3) throw invalidParameter('input.reference_urls takes at most 5 references, of which at most 3 videos.');
  const referenceImages = await Promise.all(urls.filter((u) => !isVideoRef(u)).map((u, i) => loadImage(u, `reference_urls[${i}]`, fetchInput).then((r) => r.bytes)));
  const loadedVideos = await Promise.all(videos.map((u) => loadMedia(u, 'video', 'reference video', fetchInput)));
  return { referenceImages, referenceVideo: loadedVideos[0] };
}
