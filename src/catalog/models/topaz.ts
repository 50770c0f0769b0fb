import { define, estimate, op } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * Topaz Labs Video API (providers-1.md §5): enhance/upscale an existing video. Not generative:
 * duration, aspect ratio and audio follow the source (audio is copied through), so only the target
 * resolution is selectable. Upstream "model" is the enhancement filter (Proteus prob-4 by default).
 * Create reserves a 10 s source; before submitting, the engine probes the source and reserves its
 * real length (at most 10 minutes); settlement never exceeds that reservation.
 */
export const topazModels: ModelSpec[] = [
  define({
    id: 'topaz-video-upscale',
    provider: 'topaz',
    owned_by: 'topaz',
    upstream_model: 'prob-4',
    tags: ['upscale', 'enhance'],
    // Topaz documents no maximum source length: ours bounds what one task can reserve (10 min).
    operations: [op('video-to-video', { source_video: { max_seconds: 600 }, notes: ['video_url is the source; prompt is ignored; output keeps the source length.'] })],
    durations: [10],
    default_duration: 10,
    resolutions: ['1080p', '4k'],
    default_resolution: '1080p',
    aspect_ratios: ['adaptive'],
    default_aspect_ratio: 'adaptive',
    audio: { default: false, configurable: false },
    fixed_outputs: ['duration', 'aspect_ratio', 'output_audio'],
    pricing: estimate(
      'per_second',
      0.04,
      { '1080p': 0.04, '4k': 0.08 },
      "Topaz's official formula is credits per output frame, but no USD price per credit is published (API plans lower it); third parties resell at about $0.08 per credit (ComfyUI, Aug 2026), which this converts to seconds of source video",
    ),
    typical_seconds: 300,
    max_runtime_seconds: 3600,
    // DELETE /video/{id} stops a request that has not finished; credits are refunded.
    cancellable_upstream: true,
  }),
];
