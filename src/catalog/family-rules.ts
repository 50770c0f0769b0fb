import type { AspectRatio, Resolution } from '../contract/operations.js';
import type { VideoRequest } from '../contract/video-request.js';
import { fail } from './fail.js';
import type { ModelSpec } from './types.js';

/** Rules that belong to one provider family or one model, stated in the seed, contract §2.2 or the provider spec. */
export function familyRules(req: VideoRequest, spec: ModelSpec, sent: Set<string>): void {
  if (sent.has('kling_elements')) klingElements(req, spec);
  switch (spec.provider) {
    case 'google':
      veo(req, spec);
      break;
    case 'minimax':
      hailuo(req, spec);
      break;
    case 'xai':
      grok(req, spec);
      break;
    case 'seedance':
      seedance(req, spec);
      break;
    case 'openai':
      sora(req, spec);
      break;
    case 'vidu':
      vidu(req, spec, sent);
      break;
    case 'kling':
      klingPrompt(req, spec);
      break;
    case 'dashscope':
      wan(req, spec);
      break;
  }
}

/** Wan's 480P tier has sizes for 16:9, 9:16 and 1:1 only (providers-2 §3). */
function wan(req: VideoRequest, spec: ModelSpec): void {
  if (req.resolution === '480p' && (req.aspect_ratio === '4:3' || req.aspect_ratio === '3:4')) {
    throw fail('aspect_ratio', `Model '${spec.id}' has no 480p size for ${req.aspect_ratio}. Use 16:9, 9:16 or 1:1 at 480p, or 720p/1080p for ${req.aspect_ratio}.`, 'invalid_aspect_ratio', spec, {
      allowed_aspect_ratios: ['16:9', '9:16', '1:1'],
    });
  }
}

/** Kling needs a prompt for text-to-video, for every Kling 3.0 image-conditioned request and for every Omni (o1) request. */
function klingPrompt(req: VideoRequest, spec: ModelSpec): void {
  if (req.prompt !== undefined && req.prompt.trim() !== '') return;
  const upstream = spec.operations.find((o) => o.operation === req.operation)?.upstream_model ?? spec.upstream_model;
  const needs = req.operation === 'text-to-video' || upstream.startsWith('kling-video-o1') || (upstream.startsWith('kling-v3') && (req.operation === 'image-to-video' || req.operation === 'start-end-to-video'));
  if (needs) {
    const hint = upstream.startsWith('kling-video-o1') ? ' (refer to inputs as <<<image_1>>>, <<<video_1>>>)' : req.kling_elements ? ' (mention each element as @name)' : '';
    throw fail('prompt', `Model '${spec.id}' needs a prompt for ${req.operation}: describe the scene and motion${hint}.`, 'missing_required_parameter', spec);
  }
}

/** Vidu: the reference endpoint needs a prompt saying how the references are used (providers-2 §4); viduq2-pro references take no audio setting. */
function vidu(req: VideoRequest, spec: ModelSpec, sent: Set<string>): void {
  if (req.operation === 'reference-to-video' && spec.upstream_model === 'viduq2-pro' && sent.has('output_audio')) {
    throw fail('output_audio', `Model '${spec.id}' takes references in the non-subject mode only, where audio is not configurable. Omit output_audio.`, 'unsupported_parameter', spec);
  }
  if (req.operation === 'reference-to-video' && (req.prompt === undefined || req.prompt.trim() === '')) {
    throw fail('prompt', `Model '${spec.id}' needs a prompt for reference-to-video: describe the scene and how the reference images are used.`, 'missing_required_parameter', spec);
  }
}

/**
 * The image types each provider's upstream takes for inline inputs (first and last frames,
 * references, Kling elements), by registered name, where that list is narrower than "any image".
 * The adapters that refuse other types at submit keep their own copy (providers/ does not import
 * the catalog); test/catalog/accepted-image-types.test.ts holds the two to one list.
 * - google: PNG, JPEG, WebP, HEIC, HEIF (providers/google/SOURCES.md); no GIF, no BMP.
 * - kling: PNG or JPEG (providers/kling `KLING_IMAGE_TYPES`, the adapter's check).
 * - openai (Sora, on OpenAI or Azure): PNG, JPEG or WebP (providers/openai `SORA_IMAGE_TYPES`).
 * - vidu: PNG, JPEG or WebP (providers/vidu `ACCEPTED_IMAGE_TYPES`, providers-2 §4.4).
 */
const IMAGE_TYPES: Partial<Record<ModelSpec['provider'], readonly string[]>> = {
  google: ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif'],
  kling: ['image/png', 'image/jpeg'],
  openai: ['image/png', 'image/jpeg', 'image/webp'],
  vidu: ['image/png', 'image/jpeg', 'image/webp'],
};

/**
 * The image types a model's upstream takes, by registered name, where its provider names a list
 * narrower than "any image"; undefined elsewhere. A create checks inline images against it (the
 * type of a URL input is known only once it is fetched).
 */
export function acceptedImageTypes(spec: ModelSpec): readonly string[] | undefined {
  return IMAGE_TYPES[spec.provider];
}

/** Veo (Gemini API): 1080p and 4k only render 8 s; Veo 3.0 renders 1080p in 16:9 only; references need a prompt. */
function veo(req: VideoRequest, spec: ModelSpec): void {
  // The SDK requires a prompt with referenceImages (it says how the referenced subjects appear).
  if (req.operation === 'reference-to-video' && (req.prompt === undefined || req.prompt.trim() === '')) {
    throw fail('prompt', `Model '${spec.id}' needs a prompt for reference-to-video: describe the scene and how the referenced subjects appear in it.`, 'missing_required_parameter', spec);
  }
  const hiRes = req.resolution === '1080p' || req.resolution === '4k';
  if (hiRes && req.duration !== undefined && req.duration !== 8) {
    throw fail('duration', `Model '${spec.id}' renders ${req.resolution} only at 8 seconds. Set duration to 8, or use resolution 720p for ${req.duration} s.`, 'invalid_duration', spec, { allowed_durations: ['8'] });
  }
  if (spec.upstream_model.startsWith('veo-3.0') && req.resolution === '1080p' && req.aspect_ratio === '9:16') {
    throw fail('aspect_ratio', `Model '${spec.id}' renders 1080p only in 16:9. Use aspect_ratio 16:9, or resolution 720p for 9:16.`, 'invalid_aspect_ratio', spec, { allowed_aspect_ratios: ['16:9'] });
  }
}

/** Hailuo: 10-second videos only at 768P (public 720p). */
function hailuo(req: VideoRequest, spec: ModelSpec): void {
  if (req.duration === 10 && req.resolution === '1080p') {
    throw fail('duration', `Model '${spec.id}' renders 1080p only at 6 seconds. Set duration to 6, or use resolution 720p for 10 s.`, 'invalid_duration', spec, { allowed_durations: ['6'] });
  }
}

/** kling_elements (kling-3.0-video): 1–3 elements of 2–4 images, image-conditioned only, never with sound. */
function klingElements(req: VideoRequest, spec: ModelSpec): void {
  const els = req.kling_elements ?? [];
  if (req.image_url === undefined && req.image_urls === undefined && req.start_image === undefined && req.end_image === undefined) {
    throw fail(
      'kling_elements',
      `kling_elements needs an image-conditioned request: also send image_url, image_urls, start_image or end_image, and reference each element in the prompt as @name.`,
      'invalid_kling_elements',
      spec,
    );
  }
  if (req.output_audio === true) {
    throw fail('kling_elements', `kling_elements cannot be combined with output_audio=true. Omit output_audio or set it to false for element-reference requests.`, 'invalid_kling_elements', spec);
  }
  if (els.length < 1 || els.length > 3) {
    throw fail('kling_elements', `kling_elements takes 1 to 3 elements; got ${els.length}.`, 'invalid_kling_elements', spec);
  }
  const bad = els.findIndex((e) => !Array.isArray(e.element_input_urls) || e.element_input_urls.length < 2 || e.element_input_urls.length > 4);
  if (bad >= 0) {
    throw fail('kling_elements', `kling_elements[${bad}].element_input_urls must hold 2 to 4 image URLs.`, 'invalid_kling_elements', spec);
  }
}

/** Grok: the edit flow takes a public https .mp4 (query allowed) and no duration/aspect_ratio. */
function grok(req: VideoRequest, spec: ModelSpec): void {
  if (req.operation !== 'video-to-video' || req.video_url === undefined) return;
  let ok = false;
  try {
    const u = new URL(req.video_url);
    ok = u.protocol === 'https:' && u.pathname.toLowerCase().endsWith('.mp4');
  } catch {
    ok = false;
  }
  if (!ok) {
    throw fail('video_url', `Model '${spec.id}' video-to-video needs video_url to be a public https URL of an .mp4 file (the path must end in .mp4; a query string is fine).`, 'invalid_video_url', spec);
  }
}

/** Seedance: a draft is either made or promoted and renders 480p only; what it fixes for its promotion is checked against the draft (drafts.ts). (service_tier is refused on 2.x by its parameter list.) */
function seedance(req: VideoRequest, spec: ModelSpec): void {
  if (req.draft === true && req.draft_task_id !== undefined) {
    throw fail('draft_task_id', `Send either draft=true (make a draft) or draft_task_id (promote a draft), not both.`, 'conflicting_parameters', spec);
  }
  if (req.draft === true && req.resolution !== undefined && req.resolution !== '480p') {
    throw fail('resolution', `A Seedance draft renders 480p only. Omit resolution or set it to 480p, and promote the draft (draft_task_id) at the resolution you want.`, 'invalid_resolution', spec, {
      allowed_resolutions: ['480p'],
    });
  }
}

/** Sora sizes per model; size and aspect_ratio/resolution must describe the same output. */
const SORA_SIZES: Record<string, Record<string, { aspect_ratio: AspectRatio; resolution: Resolution }>> = {
  standard: { '1280x720': { aspect_ratio: '16:9', resolution: '720p' }, '720x1280': { aspect_ratio: '9:16', resolution: '720p' } },
  pro: {
    '1792x1024': { aspect_ratio: '16:9', resolution: '1080p' },
    '1024x1792': { aspect_ratio: '9:16', resolution: '1080p' },
    '1920x1080': { aspect_ratio: '16:9', resolution: '1080p' },
    '1080x1920': { aspect_ratio: '9:16', resolution: '1080p' },
  },
};

export function soraSizes(spec: ModelSpec): string[] {
  if (spec.provider !== 'openai') return [];
  const pro = spec.resolutions.includes('1080p');
  return [...Object.keys(SORA_SIZES.standard), ...(pro ? Object.keys(SORA_SIZES.pro) : [])];
}

/** The aspect ratio and resolution a model-specific size means (Sora only). */
export function sizeShape(spec: ModelSpec, size: string): { aspect_ratio: AspectRatio; resolution: Resolution } | undefined {
  if (!soraSizes(spec).includes(size)) return undefined;
  return SORA_SIZES.standard[size] ?? SORA_SIZES.pro[size];
}

function sora(req: VideoRequest, spec: ModelSpec): void {
  if (req.size === undefined) return;
  const shape = sizeShape(spec, req.size);
  if (!shape) {
    throw fail('size', `size '${req.size}' is not supported by model '${spec.id}'. Allowed sizes: ${soraSizes(spec).join(', ')}.`, 'invalid_size', spec, { allowed_sizes: soraSizes(spec) });
  }
  if ((req.aspect_ratio && req.aspect_ratio !== shape.aspect_ratio) || (req.resolution && req.resolution !== shape.resolution)) {
    throw fail(
      'size',
      `size '${req.size}' means ${shape.aspect_ratio} at ${shape.resolution}, which contradicts the aspect_ratio/resolution sent. Send size alone, or aspect_ratio + resolution alone.`,
      'conflicting_parameters',
      spec,
    );
  }
}
