import { define, estimate, listPrice, op } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * Sora 2 via OpenAI's Videos API (providers-1.md §1). seconds ∈ {4,8,12} in the SDK enum plus 16/20
 * per the guide. size is derived from aspect_ratio + resolution (or sent directly; see SORA_SIZES in
 * rules.ts). 1080p (1920x1080 / 1080x1920, and the 1024x1792 tiers) needs sora-2-pro.
 * Audio is always generated and there is no toggle. OpenAI retires the Videos API on 2026-09-24.
 */
const SUNSET = { reason: 'OpenAI shuts down the Sora 2 Videos API on 2026-09-24.', sunset_at: '2026-09-24T00:00:00Z' };
const COMMON = {
  provider: 'openai' as const,
  owned_by: 'openai' as const,
  durations: [4, 8, 12, 16, 20],
  default_duration: 4,
  aspect_ratios: ['16:9' as const, '9:16' as const],
  default_aspect_ratio: '16:9' as const,
  audio: { default: true, configurable: false },
  extra_parameters: ['size'],
  lifecycle: 'deprecated' as const,
  lifecycle_info: SUNSET,
  released_at: '2025-10-06',
  notes: ['The first frame (image_url) must match the output size exactly; Sora rejects other sizes.', 'Audio is always generated.'],
};

/** 720p is OpenAI's list price; the 1080p-class tier is only published by third parties. */
const SORA_PRO = estimate(
  'per_second',
  0.3,
  { '720p': 0.3, '1080p': 0.5 },
  "720p $0.30/s is OpenAI's list price (sora-2 model page, 2026-10); the 1024p/1080p tier's $0.50/s is the 1024p price published by third parties (LiteLLM sora-2-pro-high-res, ComfyUI, 2026-07/08); OpenAI's own 1080p price was not found",
);

export const openaiModels: ModelSpec[] = [
  define({
    ...COMMON,
    id: 'sora-2',
    upstream_model: 'sora-2',
    tags: ['sora', 'audio'],
    operations: [op('text-to-video'), op('image-to-video')],
    resolutions: ['720p'],
    default_resolution: '720p',
    pricing: listPrice('per_second', 0.1, { '720p': 0.1 }, 'OpenAI sora-2 model page (developers.openai.com/api/docs/models/sora-2): $0.10 per second at 720x1280 / 1280x720 (read 2026-10)'),
    typical_seconds: 120,
    max_runtime_seconds: 1800,
  }),
  define({
    ...COMMON,
    id: 'sora-2-pro',
    upstream_model: 'sora-2-pro',
    tags: ['sora', 'audio', 'quality'],
    operations: [op('text-to-video'), op('image-to-video')],
    resolutions: ['720p', '1080p'],
    default_resolution: '720p',
    pricing: SORA_PRO,
    typical_seconds: 300,
    max_runtime_seconds: 3600,
  }),
  define({
    ...COMMON,
    id: 'sora-2-pro-storyboard',
    upstream_model: 'sora-2-pro',
    tags: ['sora', 'audio', 'storyboard'],
    // Storyboard = a pro render driven by one storyboard image as the first frame.
    operations: [op('image-to-video', { notes: ['Send the storyboard sheet as image_url.'] })],
    resolutions: ['720p', '1080p'],
    default_resolution: '720p',
    // No OpenAI SKU of its own: billed as sora-2-pro seconds.
    pricing: SORA_PRO,
    typical_seconds: 300,
    max_runtime_seconds: 3600,
  }),
];
