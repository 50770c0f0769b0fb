import type { ModelInput } from './define.js';
import { define, estimate, op, range } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * xAI Grok Imagine video (providers-1.md §3, contract §2.2).
 * Generation: 1–15 s (default 8), 480p/720p, ratios 1:1 16:9 9:16 4:3 3:4 (3:2/2:3 have no public value).
 * Reference-to-video: ≤7 images, duration ≤10 s, never with a first frame.
 * Video-to-video goes to /v1/videos/edits: an https .mp4 video_url, no duration or aspect_ratio,
 * resolution 480p/720p only; output keeps the source length (≤8.7 s input).
 * Audio: on by default. xAI's SDK has generate_audio, but the REST reference we could read has no
 * such field, so output_audio=false is honoured by the gateway: the finisher removes the audio track
 * from the stored video (stream copy), at the same price (SOURCES.md).
 */
const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4'] as const;
const AUDIO_NOTE = 'Audio is on by default; output_audio=false is honoured by removing the audio track from the stored video (no re-encode), at the same price.';
const V2V = op('video-to-video', {
  excluded_parameters: ['duration', 'aspect_ratio'],
  aspect_ratios: ['adaptive'],
  source_video: { max_seconds: 8.7 },
  notes: ['video_url must be a public https .mp4; duration and aspect_ratio are not accepted.'],
});

function grok(m: Pick<ModelInput, 'id' | 'upstream_model' | 'operations' | 'pricing'> & Partial<ModelInput>): ModelSpec {
  return define({
    provider: 'xai',
    owned_by: 'xai',
    tags: ['grok', 'audio'],
    durations: range(1, 15),
    default_duration: 8,
    resolutions: ['480p', '720p'],
    default_resolution: '720p',
    aspect_ratios: [...RATIOS, 'adaptive'],
    default_aspect_ratio: '16:9',
    audio: { default: true, configurable: true },
    notes: [AUDIO_NOTE],
    limits: { prompt_max_characters: 4096 },
    typical_seconds: 60,
    max_runtime_seconds: 900,
    ...m,
  });
}

const PRICE = estimate(
  'per_second',
  0.07,
  { '480p': 0.05, '720p': 0.07 },
  "$0.05/s 480p and $0.07/s 720p as published by resellers that pass xAI's price through (krea.ai API docs; APIYI; ComfyUI, Aug 2026); xAI's own page was not available. Input images ($0.002 each) are not billed separately",
);

export const xaiModels: ModelSpec[] = [
  grok({
    id: 'grok-imagine-video',
    upstream_model: 'grok-imagine-video',
    operations: [
      op('text-to-video', { aspect_ratios: [...RATIOS] }),
      op('image-to-video', { aspect_ratios: [...RATIOS] }),
      op('reference-to-video', { durations: range(1, 10), aspect_ratios: [...RATIOS], notes: ['Up to 7 reference images (reference_images or image_urls); duration ≤ 10 s; no image_url/image first frame.'] }),
      V2V,
    ],
    limits: { reference_images: 7, prompt_max_characters: 4096 },
    tags: ['grok', 'audio', 'reference', 'edit'],
    pricing: PRICE,
  }),
  grok({
    id: 'grok-imagine-video-1.5-preview',
    // xAI's model lists name only grok-imagine-video-1.5 (the preview id is absent there).
    upstream_model: 'grok-imagine-video-1.5',
    lifecycle: 'preview',
    operations: [op('image-to-video', { aspect_ratios: [...RATIOS] })],
    tags: ['grok', 'audio', 'preview'],
    pricing: estimate(
      'per_second',
      0.14,
      { '480p': 0.08, '720p': 0.14 },
      "$0.08/s 480p and $0.14/s 720p as quoted from xAI's model page by thecontext.dev (2026-06-10) and news.creeta.com; input images ($0.01 each) are not billed separately",
    ),
  }),
  grok({ id: 'grok-imagine-image-to-video', upstream_model: 'grok-imagine-video', operations: [op('image-to-video', { aspect_ratios: [...RATIOS] })], pricing: PRICE }),
  grok({ id: 'grok-imagine-text-to-video', upstream_model: 'grok-imagine-video', operations: [op('text-to-video', { aspect_ratios: [...RATIOS] })], pricing: PRICE }),
  grok({
    id: 'grok-imagine-upscale',
    // No dedicated upscale model id in the xAI docs: an edit of the source at 720p with an upscale prompt.
    upstream_model: 'grok-imagine-video',
    operations: [V2V],
    durations: [8],
    default_duration: 8,
    aspect_ratios: ['adaptive'],
    default_aspect_ratio: 'adaptive',
    fixed_outputs: ['duration', 'aspect_ratio', 'output_audio'],
    tags: ['grok', 'upscale', 'edit'],
    pricing: estimate('per_second', 0.05, { '480p': 0.05, '720p': 0.05 }, 'an edit of the source at the grok-imagine-video 480p rate (xAI publishes no upscale price)'),
  }),
];
