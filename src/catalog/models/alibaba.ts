import { FOLLOWS_IMAGE, define, estimate, op } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * Alibaba Wan via DashScope (providers-2.md §3). Each operation is a different upstream model id
 * (wan2.6-t2v / wan2.6-i2v / wan2.6-r2v). Text-to-video picks a `size` from aspect_ratio + tier;
 * image-to-video follows the input image. wan2.5/2.6 render sound by default; wan2.6 takes
 * audio=false (cheaper), wan2.5 has no switch; wan2.2 is always silent. Billed per output second.
 */
const RATIOS_5 = ['16:9', '9:16', '1:1', '4:3', '3:4'] as const;
const COMMON = {
  provider: 'dashscope' as const,
  owned_by: 'alibaba' as const,
  default_duration: 5,
  default_aspect_ratio: '16:9' as const,
  extra_parameters: ['negative_prompt', 'seed', 'watermark'],
  typical_seconds: 240,
  max_runtime_seconds: 1800,
  // POST /tasks/{id}/cancel stops a task while it is PENDING (the official DashScope SDK's
  // BaseAsyncApi.cancel, "Cancel PENDING task"); once RUNNING it refuses, and we answer 409.
  cancellable_upstream: true,
};

export const alibabaModels: ModelSpec[] = [
  define({
    ...COMMON,
    id: 'wan-2.2-plus',
    upstream_model: 'wan2.2-t2v-plus',
    tags: ['wan'],
    operations: [op('text-to-video', { aspect_ratios: ['16:9', '9:16', '1:1'] }), op('image-to-video', { upstream_model: 'wan2.2-i2v-plus', aspect_ratios: FOLLOWS_IMAGE })],
    durations: [5],
    resolutions: ['480p', '1080p'],
    default_resolution: '1080p',
    aspect_ratios: ['16:9', '9:16', '1:1', 'adaptive'],
    audio: { default: false, configurable: false },
    limits: { prompt_max_characters: 800 },
    pricing: estimate('per_second', 0.1, { '480p': 0.02, '1080p': 0.1 }, 'no USD price found; the China (Beijing) list of CNY 0.14/s (480P) and CNY 0.70/s (1080P) converted at about 7.1 CNY per USD'),
  }),
  define({
    ...COMMON,
    id: 'wan-2.5',
    upstream_model: 'wan2.5-t2v-preview',
    tags: ['wan', 'audio'],
    operations: [
      op('text-to-video', { aspect_ratios: [...RATIOS_5], extra_inputs: ['audio_url'] }),
      op('image-to-video', { upstream_model: 'wan2.5-i2v-preview', aspect_ratios: FOLLOWS_IMAGE, extra_inputs: ['audio_url'] }),
    ],
    durations: [5, 10],
    resolutions: ['480p', '720p', '1080p'],
    default_resolution: '1080p',
    aspect_ratios: [...RATIOS_5, 'adaptive'],
    audio: { default: true, configurable: false },
    limits: { prompt_max_characters: 2000 },
    pricing: estimate(
      'per_second',
      0.15,
      { '480p': 0.05, '720p': 0.1, '1080p': 0.15 },
      '$0.05/$0.10/$0.15 per second (480P/720P/1080P) as listed by ComfyUI (Nov 2025, Aug 2026); the alibabacloud.com page was not available',
    ),
  }),
  define({
    ...COMMON,
    id: 'wan-2.6',
    upstream_model: 'wan2.6-t2v',
    tags: ['wan', 'audio', 'reference'],
    operations: [
      op('text-to-video', { aspect_ratios: [...RATIOS_5], extra_inputs: ['audio_url'] }),
      op('image-to-video', { upstream_model: 'wan2.6-i2v', aspect_ratios: FOLLOWS_IMAGE, extra_inputs: ['audio_url'] }),
      // R2V conditions on reference videos (and, in newer docs, images); referred to as character1..3.
      // wan2.6-r2v is documented as video with audio only: output_audio=false is refused there.
      op('reference-to-video', {
        upstream_model: 'wan2.6-r2v',
        extra_inputs: ['video_urls'],
        durations: [5, 10],
        aspect_ratios: [...RATIOS_5],
        audio: { default: true, configurable: false },
        notes: ['Up to 3 reference images and 3 reference videos (video_urls); name them character1.. in the prompt.', 'Always renders audio (video with audio only).'],
      }),
    ],
    durations: [5, 10, 15],
    resolutions: ['720p', '1080p'],
    default_resolution: '1080p',
    aspect_ratios: [...RATIOS_5, 'adaptive'],
    audio: { default: true, configurable: true },
    limits: { reference_images: 3, reference_videos: 3, prompt_max_characters: 1500 },
    pricing: estimate(
      'per_second',
      0.15,
      { '720p': 0.1, '1080p': 0.15 },
      '$0.10/s (720P) and $0.15/s (1080P) as passed through "via Alibaba Cloud" by Lumenfall and runware.ai (2026); the alibabacloud.com page was not available',
    ),
  }),
];
