import { FOLLOWS_IMAGE, define, estimate, op } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * MiniMax Hailuo v1 API (providers-2.md §2). Upstream resolutions are 768P and 1080P; our public
 * '720p' means MiniMax 768P (the closest public tier). duration 6 or 10; 10 s only at 768P.
 * No aspect ratio upstream: text-to-video renders 16:9 (1366x768), image-to-video follows the image.
 * Output is silent. "standard" = Hailuo-2.3 at 768P, "pro" = Hailuo-2.3 at 1080P (6 s only).
 */
const COMMON = {
  provider: 'minimax' as const,
  owned_by: 'minimax' as const,
  default_duration: 6,
  aspect_ratios: ['16:9' as const, 'adaptive' as const],
  default_aspect_ratio: '16:9' as const,
  audio: { default: false, configurable: false },
  limits: { prompt_max_characters: 2000 },
  typical_seconds: 120,
  max_runtime_seconds: 1800,
};
const T2V = op('text-to-video', { aspect_ratios: ['16:9'] });
const I2V = op('image-to-video', { aspect_ratios: FOLLOWS_IMAGE });

export const minimaxModels: ModelSpec[] = [
  define({
    ...COMMON,
    id: 'hailuo-2.3-fast',
    upstream_model: 'MiniMax-Hailuo-2.3-Fast',
    tags: ['hailuo', 'fast'],
    operations: [I2V],
    default_aspect_ratio: 'adaptive',
    durations: [6, 10],
    resolutions: ['720p', '1080p'],
    default_resolution: '720p',
    pricing: estimate(
      'per_second',
      0.032,
      { '720p': 0.032, '1080p': 0.055 },
      "fal.ai's price for Hailuo 2.3 Fast, $0.19 per 6 s at 768P (MiniMax's own pricing page was not found); no 1080P price was found, so 1080P is scaled like Hailuo 2.3",
    ),
    typical_seconds: 60,
  }),
  define({
    ...COMMON,
    id: 'hailuo-2.3-standard',
    upstream_model: 'MiniMax-Hailuo-2.3',
    tags: ['hailuo'],
    operations: [T2V, I2V],
    durations: [6, 10],
    resolutions: ['720p'],
    default_resolution: '720p',
    pricing: estimate('per_second', 0.047, { '720p': 0.047 }, "fal.ai's price for Hailuo 2.3, $0.28 per 6 s at 768P (10 s costs $0.56 there, $0.056/s; MiniMax's own pricing page was not found)"),
  }),
  define({
    ...COMMON,
    id: 'hailuo-2.3-pro',
    upstream_model: 'MiniMax-Hailuo-2.3',
    tags: ['hailuo', 'quality'],
    operations: [T2V, I2V],
    durations: [6],
    resolutions: ['1080p'],
    default_resolution: '1080p',
    pricing: estimate('per_second', 0.082, { '1080p': 0.082 }, "fal.ai's price for Hailuo 2.3, $0.49 per 6 s at 1080P (MiniMax's own pricing page was not found)"),
  }),
];
