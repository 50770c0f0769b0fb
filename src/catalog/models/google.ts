import type { ModelInput } from './define.js';
import { define, estimate, op } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * Veo via the Gemini API (providers-1.md §2). Upstream durationSeconds ∈ {4,6,8}; we also accept 5
 * (TokenLab's own examples send it) and the adapter rounds it up to 6. 1080p/4k and reference images
 * force 8 s (rules.ts rejects other durations). Aspect ratios 16:9 and 9:16 only.
 * Audio: the Gemini API always renders audio for Veo 3.x and rejects generateAudio, so audio is
 * on by default (contract §2.2) and not configurable: output_audio=false is a 400, not a silent lie.
 * "-pro" ids have no separate Gemini model: they route to the standard model and default to 1080p.
 */
const DURATIONS = [4, 5, 6, 8];
const NOTE_5S = 'duration 5 is sent upstream as 6 (Veo accepts 4, 6 or 8 seconds).';
const NOTE_8S = '1080p, 4k and reference images require duration 8.';

function veo(m: Pick<ModelInput, 'id' | 'upstream_model' | 'operations' | 'pricing'> & Partial<ModelInput>): ModelSpec {
  return define({
    provider: 'google',
    owned_by: 'google',
    tags: ['veo', 'audio'],
    durations: DURATIONS,
    default_duration: 8,
    resolutions: ['720p', '1080p', '4k'],
    default_resolution: '720p',
    aspect_ratios: ['16:9', '9:16'],
    default_aspect_ratio: '16:9',
    audio: { default: true, configurable: false },
    extra_parameters: ['negative_prompt'],
    typical_seconds: 90,
    max_runtime_seconds: 900,
    notes: [NOTE_5S, NOTE_8S, 'Audio is always generated (Gemini API); output_audio=false is rejected.'],
    ...m,
  });
}

const REFS = op('reference-to-video', { durations: [8], notes: ['Up to 3 reference images (asset references).'] });
const T2V = op('text-to-video');
const I2V = op('image-to-video');
const SE = op('start-end-to-video', { notes: ['end_image is sent as lastFrame and needs start_image.'] });

// Google's public per-second list prices are not in the specs; these mirror its advertised tiers (audio included).
const STANDARD = estimate('per_second', 0.4, { '720p': 0.4, '1080p': 0.4, '4k': 0.6 }, 'Veo standard tier, audio included, per second of output');
const FAST = estimate('per_second', 0.15, { '720p': 0.15, '1080p': 0.15, '4k': 0.35 }, 'Veo fast tier, audio included, per second of output');

const DEPRECATED_30 = 'Veo 3.0 is listed as deprecated in the Gemini API model list (2026-06-22).';

export const googleModels: ModelSpec[] = [
  veo({ id: 'veo3', upstream_model: 'veo-3.0-generate-001', operations: [T2V, I2V], pricing: STANDARD, lifecycle: 'deprecated', lifecycle_info: { reason: DEPRECATED_30, replacement_model: 'veo3.1' } }),
  veo({ id: 'veo3-fast', upstream_model: 'veo-3.0-fast-generate-001', operations: [T2V, I2V], pricing: FAST, typical_seconds: 60, lifecycle: 'deprecated', lifecycle_info: { reason: DEPRECATED_30, replacement_model: 'veo3.1-fast' } }),
  veo({ id: 'veo3-pro', upstream_model: 'veo-3.0-generate-001', operations: [T2V, I2V], pricing: STANDARD, default_resolution: '1080p', lifecycle: 'deprecated', lifecycle_info: { reason: DEPRECATED_30, replacement_model: 'veo3.1-pro' } }),
  veo({ id: 'veo3.1', upstream_model: 'veo-3.1-generate-preview', operations: [T2V, I2V, REFS, SE], pricing: STANDARD, limits: { reference_images: 3 }, tags: ['veo', 'audio', 'reference'] }),
  veo({ id: 'veo3.1-fast', upstream_model: 'veo-3.1-fast-generate-preview', operations: [T2V, I2V, REFS, SE], pricing: FAST, typical_seconds: 60, limits: { reference_images: 3 }, tags: ['veo', 'audio', 'reference', 'fast'] }),
  veo({ id: 'veo3.1-pro', upstream_model: 'veo-3.1-generate-preview', operations: [T2V, I2V, SE], pricing: STANDARD, default_resolution: '1080p', typical_seconds: 120, tags: ['veo', 'audio', 'quality'] }),
];
