import type { ModelInput } from './define.js';
import { FOLLOWS_IMAGE, define, estimate, op, range } from './define.js';
import type { ModelSpec, OperationSpec } from '../types.js';

/*
 * Kling official API (providers-2.md §1). Kling has no resolution field: mode std = 720p, pro = 1080p,
 * so a public resolution picks the mode. duration is "5"/"10" (v2.x, o1) or "3".."15" (v3).
 * Image-conditioned outputs follow the input image (no aspect_ratio upstream): only 'adaptive'.
 * cfg_scale is rejected by v2.x, so it is only offered on v3. Prompts ≤ 2500 chars.
 * kling_elements on kling-3.0-video: the seed calls it an "element references" operation; it is not a
 * separate public operation enum value, so we model it as image-to-video / start-end-to-video with
 * kling_elements allowed (the adapter registers the elements and sends element_list).
 */
const T2V_RATIOS = ['16:9', '9:16', '1:1'] as const;

type KlingInput = Pick<ModelInput, 'id' | 'upstream_model' | 'operations' | 'resolutions' | 'pricing'> & Partial<ModelInput>;

function kling(m: KlingInput): ModelSpec {
  return define({
    provider: 'kling',
    owned_by: 'kuaishou',
    tags: ['kling'],
    durations: [5, 10],
    default_duration: 5,
    default_resolution: m.resolutions[0],
    aspect_ratios: [...T2V_RATIOS, 'adaptive'],
    default_aspect_ratio: '16:9',
    audio: { default: false, configurable: false },
    limits: { prompt_max_characters: 2500 },
    extra_parameters: ['negative_prompt'],
    typical_seconds: 180,
    max_runtime_seconds: 1800,
    ...m,
  });
}

const T2V = op('text-to-video', { aspect_ratios: [...T2V_RATIOS] });
const I2V = op('image-to-video', { aspect_ratios: FOLLOWS_IMAGE });
const SE = op('start-end-to-video', { aspect_ratios: FOLLOWS_IMAGE });
const SE_SILENT: OperationSpec = { ...SE, audio: { default: false, configurable: false }, notes: ['Kling cannot add sound to start+end frame videos.'] };

/*
 * Kling bills API units ($0.14 each on standard resource packs); its per-model unit table was not
 * found. fal.ai passes Kling's prices through per clip (whole multiples of $0.14), so these are
 * fal's per-clip prices (2026 crawl) converted to seconds: estimates with that provenance.
 */
const FAL = (what: string) => `fal.ai's per-clip price for ${what} (equal to whole Kling units at $0.14), per second of output`;
const STD = estimate('per_second', 0.056, { '720p': 0.056 }, FAL('Kling 2.1 standard: $0.28 per 5 s'));
const PRO = estimate('per_second', 0.098, { '1080p': 0.098 }, FAL('Kling 2.1 pro: $0.49 per 5 s'));
const TURBO_STD = estimate('per_second', 0.042, { '720p': 0.042 }, FAL('Kling 2.5 turbo std: $0.21 per 5 s'));
const TURBO_PRO = estimate('per_second', 0.07, { '1080p': 0.07 }, FAL('Kling 2.5 turbo pro: $0.35 per 5 s'));
const V3 = (std: boolean, pro: boolean) =>
  estimate('per_second', std ? 0.084 : 0.112, { ...(std ? { '720p': 0.084 } : {}), ...(pro ? { '1080p': 0.112 } : {}) }, FAL('Kling 3.0: $0.084/s std, $0.112/s pro silent; $0.126/s and $0.168/s with sound'), {
    ...(std ? { '720p': 0.126 } : {}),
    ...(pro ? { '1080p': 0.168 } : {}),
  });
/** ComfyUI's partner-node table (Aug 2026); fal lists pro at $0.126/s, so the two disagree. */
const MOTION_V3 = estimate('per_second', 0.126, { '720p': 0.126, '1080p': 0.168 }, "ComfyUI's partner-node table (Aug 2026): Kling 3.0 motion control $0.126/s std, $0.168/s pro (fal.ai lists pro at $0.126/s)");

const V3_BASE: Partial<ModelInput> = {
  durations: range(3, 15),
  audio: { default: false, configurable: true },
  extra_parameters: ['negative_prompt', 'cfg_scale'],
};

export const klingModels: ModelSpec[] = [
  kling({
    id: 'kling-3.0-motion-control',
    upstream_model: 'kling-v3',
    // character_orientation 'video' (what the adapter sends) takes references of 3–30 s.
    operations: [op('motion-control', { source_video: { max_seconds: 30 }, notes: ['Output length and shape follow the motion reference video (3–30 s).'] })],
    resolutions: ['720p', '1080p'],
    // Output follows the reference video: no duration/aspect upstream; 10 s is only the reservation estimate.
    durations: [10],
    default_duration: 10,
    aspect_ratios: ['adaptive'],
    default_aspect_ratio: 'adaptive',
    fixed_outputs: ['duration', 'aspect_ratio', 'output_audio'],
    // The motion-control body has no negative_prompt (spec providers-2 §1.7).
    extra_parameters: [],
    pricing: MOTION_V3,
    tags: ['kling', 'motion'],
  }),
  kling({
    id: 'kling-3.0-video',
    upstream_model: 'kling-v3',
    ...V3_BASE,
    operations: [
      T2V,
      op('image-to-video', { aspect_ratios: FOLLOWS_IMAGE, extra_inputs: ['kling_elements'], notes: ['kling_elements (1–3 elements, 2–4 images each) allowed; reference them as @name.'] }),
      op('start-end-to-video', { aspect_ratios: FOLLOWS_IMAGE, extra_inputs: ['kling_elements'], notes: ['kling_elements allowed.'] }),
    ],
    resolutions: ['720p', '1080p'],
    pricing: V3(true, true),
    tags: ['kling', 'elements', 'audio'],
    notes: ['output_audio defaults to silent; do not combine output_audio=true with kling_elements.'],
  }),
  kling({ id: 'kling-v2.1-master', upstream_model: 'kling-v2-1-master', operations: [T2V, I2V], resolutions: ['1080p'], pricing: estimate('per_second', 0.28, { '1080p': 0.28 }, FAL('Kling 2.1 master: $1.40 per 5 s')) }),
  kling({ id: 'kling-v2.1-pro', upstream_model: 'kling-v2-1', operations: [I2V, SE], resolutions: ['1080p'], pricing: PRO }),
  kling({ id: 'kling-v2.1-standard', upstream_model: 'kling-v2-1', operations: [I2V], resolutions: ['720p'], pricing: STD }),
  kling({ id: 'kling-v2.5-turbo-pro', upstream_model: 'kling-v2-5-turbo', operations: [T2V, I2V, SE], resolutions: ['1080p'], pricing: TURBO_PRO }),
  kling({ id: 'kling-v2.5-turbo-std', upstream_model: 'kling-v2-5-turbo', operations: [T2V, I2V], resolutions: ['720p'], pricing: TURBO_STD }),
  kling({
    id: 'kling-v2.6-pro',
    upstream_model: 'kling-v2-6',
    operations: [T2V, I2V, SE_SILENT],
    resolutions: ['1080p'],
    audio: { default: false, configurable: true },
    pricing: estimate('per_second', 0.07, { '1080p': 0.07 }, FAL('Kling 2.6 pro: $0.35 per 5 s silent, $0.70 with native audio'), { '1080p': 0.14 }),
    tags: ['kling', 'audio'],
  }),
  kling({
    id: 'kling-v2.6-std',
    upstream_model: 'kling-v2-6',
    operations: [T2V, I2V],
    resolutions: ['720p'],
    pricing: estimate('per_second', 0.042, { '720p': 0.042 }, 'no published price found for Kling 2.6 std; priced as Kling 2.5 turbo std ($0.21 per 5 s on fal.ai)'),
  }),
  kling({ id: 'kling-v3.0-pro', upstream_model: 'kling-v3', ...V3_BASE, operations: [T2V, I2V, SE], resolutions: ['1080p'], pricing: V3(false, true), tags: ['kling', 'audio'] }),
  kling({ id: 'kling-v3.0-std', upstream_model: 'kling-v3', ...V3_BASE, operations: [T2V, I2V, SE], resolutions: ['720p'], pricing: V3(true, false), tags: ['kling', 'audio'] }),
  ...(['pro', 'std'] as const).map((mode) =>
    kling({
      id: `kling-video-o1-${mode}`,
      upstream_model: 'kling-video-o1',
      // Omni endpoint: reference mode takes 3–10 s; editing (video-to-video) keeps the source length.
      operations: [
        op('text-to-video', { durations: [5, 10], aspect_ratios: [...T2V_RATIOS] }),
        op('image-to-video', { durations: [5, 10], aspect_ratios: FOLLOWS_IMAGE }),
        op('reference-to-video', { durations: range(3, 10), aspect_ratios: [...T2V_RATIOS], notes: ['Up to 7 reference images.'] }),
        op('start-end-to-video', { durations: [5, 10], aspect_ratios: FOLLOWS_IMAGE }),
        op('video-to-video', {
          excluded_parameters: ['duration', 'aspect_ratio'],
          aspect_ratios: ['adaptive'],
          source_video: { max_seconds: 10 },
          notes: ['Edits video_url (3–10 s); output keeps the source length and shape.'],
        }),
      ],
      durations: range(3, 10),
      // The omni-video body has no negative_prompt: negatives go in the prompt (spec providers-2 §1.7).
      extra_parameters: [],
      resolutions: [mode === 'pro' ? '1080p' : '720p'],
      limits: { reference_images: 7, prompt_max_characters: 2500 },
      pricing: mode === 'pro' ? estimate('per_second', 0.112, { '1080p': 0.112 }, FAL('Kling O1 pro: $0.112/s')) : estimate('per_second', 0.084, { '720p': 0.084 }, FAL('Kling O1 std: $0.084/s')),
      tags: ['kling', 'omni', 'reference', 'edit'],
    }),
  ),
];
