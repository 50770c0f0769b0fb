import type { ModelInput } from './define.js';
import { define, estimate, op, range } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * Seedance via BytePlus ModelArk (providers-1.md §4) and contract §2.2 / [P-S2].
 * Defaults when omitted: 720p, adaptive ratio, audio on, seed -1, watermark off.
 * duration -1 lets the model choose (2.0 and, per the OpenAPI text, every Seedance model); the
 * reservation then assumes the longest duration. Only these three models can be cancelled while queued.
 * Pricing upstream is token-based; we convert to per-second estimates per resolution.
 */
const RATIOS = ['adaptive', '16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
// No negative_prompt: Ark's create body has no such field (spec §4.3), so it is refused rather than silently dropped.
const KNOBS = ['seed', 'watermark', 'return_last_frame', 'priority'];
/** The flex tier and the task timeout exist on 1.x only: BytePlus's own client strips them for 2.x, so they are refused there. */
const TIER_KNOBS = ['service_tier', 'execution_expires_after'];

function seedance(m: Pick<ModelInput, 'id' | 'upstream_model' | 'operations' | 'durations' | 'resolutions' | 'pricing'> & Partial<ModelInput>): ModelSpec {
  return define({
    provider: 'seedance',
    owned_by: 'bytedance',
    tags: ['seedance', 'audio'],
    default_duration: 5,
    default_resolution: '720p',
    aspect_ratios: [...RATIOS],
    default_aspect_ratio: 'adaptive',
    audio: { default: true, configurable: true },
    typical_seconds: 90,
    max_runtime_seconds: 7200,
    cancellable_upstream: true,
    ...m,
  });
}

const S2_OPS = [
  op('text-to-video'),
  op('image-to-video'),
  op('start-end-to-video'),
  op('reference-to-video', {
    extra_inputs: ['material_asset_id', 'material_asset_ids', 'video_urls', 'audio_urls'],
    notes: ['Up to 9 images (reference_images + material_asset_ids) + 3 video_urls + 3 audio_urls; audio alone is not enough.'],
  }),
];
const S2_LIMITS = { reference_images: 9, reference_videos: 3, reference_audios: 3 };

/** How a token price becomes a per-second one (BytePlus's token formula). */
const TOKENS = 'converted at width x height x 24 fps / 1024 tokens per second of 16:9 output (21,600 at 720p)';

export const bytedanceModels: ModelSpec[] = [
  seedance({
    id: 'seedance-1.5-pro',
    upstream_model: 'seedance-1-5-pro-251215',
    released_at: '2025-12-15',
    // Volcano Engine / BytePlus shut seedance-1-5-pro-251215 down after 17:00 UTC+8 on 2026-11-11 (SOURCES.md).
    lifecycle: 'deprecated',
    lifecycle_info: { reason: 'BytePlus ModelArk shut seedance-1-5-pro-251215 down on 2026-11-11.', replacement_model: 'seedance-2.0', sunset_at: '2026-11-11T09:00:00Z' },
    operations: [op('text-to-video'), op('image-to-video')],
    durations: [-1, ...range(4, 12)],
    resolutions: ['480p', '720p', '1080p'],
    // 1.5 Pro keeps camera_fixed, the flex tier and the draft workflow; frames is not supported.
    extra_parameters: [...KNOBS, ...TIER_KNOBS, 'camera_fixed', 'draft', 'draft_task_id'],
    pricing: estimate(
      'per_second',
      0.026,
      { '480p': 0.0117, '720p': 0.026, '1080p': 0.058 },
      `ModelArk online price of $1.20 (silent) / $2.40 (with audio) per million output tokens as passed through by 302.ai and ComfyUI (BytePlus's own page was not readable), ${TOKENS}`,
      { '480p': 0.0233, '720p': 0.052, '1080p': 0.117 },
    ),
  }),
  seedance({
    id: 'seedance-2.0',
    upstream_model: 'dreamina-seedance-2-0-260128',
    released_at: '2026-01-28',
    operations: S2_OPS,
    durations: [-1, ...range(4, 15)],
    resolutions: ['480p', '720p', '1080p', '4k'],
    extra_parameters: KNOBS,
    limits: S2_LIMITS,
    tags: ['seedance', 'audio', 'reference', 'quality'],
    pricing: estimate(
      'per_second',
      0.151,
      { '480p': 0.068, '720p': 0.151, '1080p': 0.374, '4k': 0.78 },
      `$7.00 per million output tokens at 480p/720p without video input (ComfyUI's table before its 1.43x markup, Apr 2026; cheapmodel.ai $6.76), ${TOKENS}; 1080p (~$7.70/M) and 4K (~$4.0/M) are uncertain in every source found`,
    ),
    typical_seconds: 150,
  }),
  seedance({
    id: 'seedance-2.0-fast',
    upstream_model: 'dreamina-seedance-2-0-fast-260128',
    released_at: '2026-01-28',
    operations: S2_OPS,
    durations: [-1, ...range(4, 15)],
    // Fail-closed: 1080p and 4k are rejected with a clear error (contract §2.2).
    resolutions: ['480p', '720p'],
    extra_parameters: KNOBS,
    limits: S2_LIMITS,
    tags: ['seedance', 'audio', 'reference', 'fast'],
    pricing: estimate('per_second', 0.121, { '480p': 0.054, '720p': 0.121 }, `$5.60 per million output tokens without video input (ComfyUI's table before its markup, Apr 2026), ${TOKENS}`),
  }),
];
