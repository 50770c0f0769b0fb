import type { ModelInput } from './define.js';
import { define, estimate, listPrice, op } from './define.js';
import type { ModelSpec } from '../types.js';

/*
 * Veo via the Gemini API (providers-1.md §2; sources in src/providers/google/SOURCES.md).
 * Durations: Veo 3.1 takes durationSeconds 4, 6 or 8; we also accept 5 (TokenLab's own examples
 * send it), which is rendered as 6 s and reserved and billed as the 6 s produced. Veo 3.0 renders
 * 8 s only (Google's Veo cookbook: "always 8s for Veo 3"): any other duration is a 400 naming 8.
 * 1080p/4k and reference images force 8 s (rules.ts rejects other durations).
 * Aspect ratios 16:9 and 9:16 only.
 * Audio: Veo 3 defaults to audio on (contract §2.2). output_audio=false is rendered silent upstream
 * by Vertex AI (generateAudio:false) and priced at its silent rate; the Gemini API has no switch, so
 * on a gateway with only Gemini API channels the finisher removes the track (stream copy).
 * "-pro" ids have no separate Gemini model: they route to the standard model and default to 1080p.
 */
const DURATIONS_31 = [4, 5, 6, 8];
/** Veo 3.1's one rounding: the catalog reserves and bills it, the engine sends it (engine/steps.ts, renderedRequest). */
const VEO_31_RENDERED_AS: Partial<Record<number, number>> = { 5: 6 };
const NOTE_5S = 'duration 5 is rendered as 6 seconds (Veo 3.1 takes 4, 6 or 8) and billed as the 6 seconds produced.';
const NOTE_8S = '1080p, 4k and reference images require duration 8.';
const AUDIO_NOTE =
  'Audio is on by default. output_audio=false gives a silent video at the lower silent price: rendered silent by a Vertex AI channel, or, on the Gemini API (which always renders sound), with the audio track removed from the stored video (no re-encode).';

function veo(m: Pick<ModelInput, 'id' | 'upstream_model' | 'operations' | 'pricing'> & Partial<ModelInput>): ModelSpec {
  return define({
    provider: 'google',
    owned_by: 'google',
    tags: ['veo', 'audio'],
    durations: DURATIONS_31,
    duration_rendered_as: VEO_31_RENDERED_AS,
    default_duration: 8,
    resolutions: ['720p', '1080p', '4k'],
    default_resolution: '720p',
    aspect_ratios: ['16:9', '9:16'],
    default_aspect_ratio: '16:9',
    audio: { default: true, configurable: true },
    extra_parameters: ['negative_prompt'],
    typical_seconds: 90,
    max_runtime_seconds: 900,
    notes: [NOTE_5S, NOTE_8S, AUDIO_NOTE],
    ...m,
  });
}

const REFS = op('reference-to-video', { durations: [8], notes: ['Up to 3 reference images (asset references); a prompt is required.', AUDIO_NOTE] });
const T2V = op('text-to-video', { notes: [AUDIO_NOTE] });
const I2V = op('image-to-video', { notes: [AUDIO_NOTE] });
const SE = op('start-end-to-video', { notes: ['end_image is sent as lastFrame and needs start_image.', AUDIO_NOTE] });

// Per second of output, by audio: the price with audio is what the Gemini API and Vertex AI bill;
// the silent price exists on Vertex AI only (generateAudio:false), so output_audio=false goes to a
// Vertex AI channel where one is configured (a Gemini-only gateway removes the track and charges the
// same silent price; Google bills it with sound). Vertex's silent rates are third-party
// transcriptions of its pricing page (Comfy partner-node table 2026-08, spec/prices.md), which
// could not be read here: the silent tier of every Veo model is an estimate. `base` is the default
// output's price (720p with audio), the one scalar TokenLab clients read.
const SILENT = "silent tier (Vertex AI generateAudio:false) per spec/prices.md from the Comfy partner-node table of Vertex rates (2026-08), Google's Vertex pricing page not readable here: an estimate";
const STANDARD_31 = listPrice(
  'per_second',
  0.4,
  { '720p': 0.2, '1080p': 0.2, '4k': 0.4 },
  `Gemini API pricing page (ai.google.dev/gemini-api/docs/pricing), Veo 3.1 Standard, video with audio: $0.40/s at 720p and 1080p, $0.60/s at 4K (read 2026-10-07); ${SILENT}: $0.20/s 720p/1080p, $0.40/s 4K`,
  { '720p': 0.4, '1080p': 0.4, '4k': 0.6 },
);
const FAST_31 = estimate(
  'per_second',
  0.1,
  { '720p': 0.08, '1080p': 0.1, '4k': 0.25 },
  `third-party transcriptions of the Gemini API rate card (reapi.ai, May 2026; ComfyUI partner-node table, Aug 2026): Veo 3.1 Fast $0.10/s 720p, $0.12/s 1080p, $0.30/s 4K with audio; Google's own page was not available to confirm; ${SILENT}: $0.08/s 720p, $0.10/s 1080p, $0.25/s 4K`,
  { '720p': 0.1, '1080p': 0.12, '4k': 0.3 },
);
const STANDARD_30 = estimate(
  'per_second',
  0.4,
  { '720p': 0.2, '1080p': 0.2 },
  `Google's Sept-2025 Veo 3 price cut to $0.40/s with audio, as reported by the press (gadgetbond.com) and LiteLLM's price map (2026-07); ${SILENT}: $0.20/s`,
  { '720p': 0.4, '1080p': 0.4 },
);
const FAST_30 = estimate(
  'per_second',
  0.15,
  { '720p': 0.1, '1080p': 0.1 },
  `Google's Sept-2025 Veo 3 Fast price cut to $0.15/s with audio, as reported by the press and LiteLLM's price map (2026-07); ${SILENT}: $0.10/s`,
  { '720p': 0.15, '1080p': 0.15 },
);

const DEPRECATED_30 = 'Veo 3.0 is listed as deprecated in the Gemini API model list (2026-06-22).';
/** Veo 3.0 renders 8-second videos only, at 720p or 1080p (4k arrived with Veo 3.1). */
const VEO30: Partial<ModelInput> = {
  durations: [8],
  duration_rendered_as: {},
  resolutions: ['720p', '1080p'],
  notes: ['Veo 3.0 renders 8-second videos only: any other duration is refused (4, 5 and 6 seconds need Veo 3.1).', '1080p is 16:9 only.', AUDIO_NOTE],
};

export const googleModels: ModelSpec[] = [
  veo({ id: 'veo3', upstream_model: 'veo-3.0-generate-001', operations: [T2V, I2V], pricing: STANDARD_30, ...VEO30, lifecycle: 'deprecated', lifecycle_info: { reason: DEPRECATED_30, replacement_model: 'veo3.1' } }),
  veo({
    id: 'veo3-fast',
    upstream_model: 'veo-3.0-fast-generate-001',
    operations: [T2V, I2V],
    pricing: FAST_30,
    ...VEO30,
    typical_seconds: 60,
    lifecycle: 'deprecated',
    lifecycle_info: { reason: DEPRECATED_30, replacement_model: 'veo3.1-fast' },
  }),
  veo({
    id: 'veo3-pro',
    upstream_model: 'veo-3.0-generate-001',
    operations: [T2V, I2V],
    pricing: STANDARD_30,
    ...VEO30,
    default_resolution: '1080p',
    lifecycle: 'deprecated',
    lifecycle_info: { reason: DEPRECATED_30, replacement_model: 'veo3.1-pro' },
  }),
  veo({ id: 'veo3.1', upstream_model: 'veo-3.1-generate-preview', operations: [T2V, I2V, REFS, SE], pricing: STANDARD_31, limits: { reference_images: 3 }, tags: ['veo', 'audio', 'reference'] }),
  veo({
    id: 'veo3.1-fast',
    upstream_model: 'veo-3.1-fast-generate-preview',
    operations: [T2V, I2V, REFS, SE],
    pricing: FAST_31,
    typical_seconds: 60,
    limits: { reference_images: 3 },
    tags: ['veo', 'audio', 'reference', 'fast'],
  }),
  veo({ id: 'veo3.1-pro', upstream_model: 'veo-3.1-generate-preview', operations: [T2V, I2V, SE], pricing: STANDARD_31, default_resolution: '1080p', typical_seconds: 120, tags: ['veo', 'audio', 'quality'] }),
];
