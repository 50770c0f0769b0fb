import type { ModelInput } from './define.js';
import { FOLLOWS_IMAGE, define, estimate, op, range } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * Vidu enterprise API v2 (providers-2.md §4). Durations: Q2 1–10 (start-end 1–8), Q3 1–16.
 * Resolutions upstream 540p/720p/1080p; 540p has no public enum value, so we expose 720p/1080p.
 * aspect_ratio only on text-to-video and reference-to-video; image flows follow the image.
 * Audio: Q2 can add audio on img2video/reference2video (off by default); Q3 renders audio by default.
 * References: 1–7 images. Off-peak mode is not offered (it can queue for 48 h).
 * viduq2-pro reference-to-video: TokenLab's public inventory lists it, though the §4.3 table shows "–";
 * the public contract wins (the adapter sends model viduq2-pro to /reference2video).
 */
const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4'] as const;
const Q2_SILENT = { default: false, configurable: false };

function vidu(m: Pick<ModelInput, 'id' | 'upstream_model' | 'operations' | 'durations' | 'pricing'> & Partial<ModelInput>): ModelSpec {
  return define({
    provider: 'vidu',
    owned_by: 'shengshu',
    tags: ['vidu'],
    default_duration: 5,
    resolutions: ['720p', '1080p'],
    default_resolution: '720p',
    aspect_ratios: [...RATIOS, 'adaptive'],
    default_aspect_ratio: '16:9',
    audio: { default: false, configurable: true },
    extra_parameters: ['seed', 'watermark'],
    limits: { prompt_max_characters: 2000 },
    typical_seconds: 90,
    max_runtime_seconds: 1800,
    // POST /tasks/{id}/cancel stops a task that has not started (Vidu "Cancel Generation").
    cancellable_upstream: true,
    ...m,
  });
}

const T2V = op('text-to-video', { aspect_ratios: [...RATIOS] });
const T2V_Q2 = op('text-to-video', { aspect_ratios: [...RATIOS], audio: Q2_SILENT });
const I2V = op('image-to-video', { aspect_ratios: FOLLOWS_IMAGE });
const REF = op('reference-to-video', { aspect_ratios: [...RATIOS], notes: ['1–7 reference images.'] });
/** viduq2-pro takes references in the non-subject mode only, where audio is not configurable (Vidu reference-to-video docs). */
const REF_Q2_PRO = op('reference-to-video', { aspect_ratios: [...RATIOS], audio: Q2_SILENT, notes: ['1–7 reference images, non-subject mode only: output_audio is not accepted.'] });
const SE_Q2 = op('start-end-to-video', { aspect_ratios: FOLLOWS_IMAGE, durations: range(1, 8), audio: Q2_SILENT });
const SE_Q3 = op('start-end-to-video', { aspect_ratios: FOLLOWS_IMAGE });

// Vidu bills in credits; the specs give no USD rate. Per-second estimates by tier.
export const shengshuModels: ModelSpec[] = [
  vidu({
    id: 'viduq2',
    upstream_model: 'viduq2',
    operations: [T2V_Q2, REF],
    durations: range(1, 10),
    limits: { reference_images: 7, prompt_max_characters: 2000 },
    pricing: estimate(
      'per_second',
      0.035,
      { '720p': 0.035, '1080p': 0.06 },
      "ComfyUI's partner-node table (Aug 2026): $0.075 for the first second + $0.025/s at 720p, $0.10 + $0.05/s at 1080p, averaged over a 5 s clip (Vidu's own credit table was not found)",
    ),
  }),
  vidu({
    id: 'viduq2-pro',
    upstream_model: 'viduq2-pro',
    operations: [I2V, REF_Q2_PRO, SE_Q2],
    durations: range(1, 10),
    limits: { reference_images: 7, prompt_max_characters: 2000 },
    tags: ['vidu', 'quality'],
    pricing: estimate(
      'per_second',
      0.055,
      { '720p': 0.055, '1080p': 0.115 },
      "ComfyUI's partner-node table (Aug 2026): $0.075 for the first second + $0.05/s at 720p, $0.275 + $0.075/s at 1080p, averaged over a 5 s clip (Vidu's own credit table was not found)",
    ),
  }),
  vidu({
    id: 'viduq2-pro-fast',
    upstream_model: 'viduq2-pro-fast',
    operations: [I2V, SE_Q2],
    durations: range(1, 10),
    tags: ['vidu', 'fast'],
    pricing: estimate(
      'per_second',
      0.016,
      { '720p': 0.016, '1080p': 0.032 },
      "ComfyUI's partner-node table (Aug 2026): $0.04 for the first second + $0.01/s at 720p, $0.08 + $0.02/s at 1080p, averaged over a 5 s clip (Vidu's own credit table was not found)",
    ),
  }),
  vidu({
    id: 'viduq2-turbo',
    upstream_model: 'viduq2-turbo',
    operations: [I2V, SE_Q2],
    durations: range(1, 10),
    tags: ['vidu', 'fast'],
    pricing: estimate(
      'per_second',
      0.04,
      { '720p': 0.04, '1080p': 0.075 },
      "ComfyUI's partner-node table (Aug 2026): $0.05 for the first two seconds + $0.05/s at 720p, $0.175 + $0.05/s at 1080p, averaged over a 5 s clip (Vidu's own credit table was not found)",
    ),
  }),
  ...(['pro', 'turbo'] as const).map((tier) =>
    vidu({
      id: `viduq3-${tier}`,
      upstream_model: `viduq3-${tier}`,
      operations: [T2V, I2V, SE_Q3],
      durations: range(1, 16),
      audio: { default: true, configurable: true },
      limits: { prompt_max_characters: 5000 },
      tags: ['vidu', 'audio', tier === 'pro' ? 'quality' : 'fast'],
      pricing:
        tier === 'pro'
          ? estimate('per_second', 0.15, { '720p': 0.15, '1080p': 0.16 }, "ComfyUI's partner-node table (Aug 2026): Vidu Q3 Pro $0.15/s at 720p, $0.16/s at 1080p (Vidu's own credit table was not found)")
          : estimate('per_second', 0.06, { '720p': 0.06, '1080p': 0.08 }, "ComfyUI's partner-node table (Aug 2026): Vidu Q3 Turbo $0.06/s at 720p, $0.08/s at 1080p (Vidu's own credit table was not found)"),
      typical_seconds: tier === 'pro' ? 120 : 60,
    }),
  ),
];
