import { roundUsd } from '../contract/money.js';
import type { Resolution } from '../contract/operations.js';
import type { ResolvedVideoRequest } from '../contract/video-request.js';
import { findOperation } from './constraints.js';
import type { ModelSpec, OperationSpec, PriceSpec } from './types.js';

/** USD amounts are kept to 6 decimals (micro-dollars) everywhere. */
export { roundUsd };

/** Unit price for one output shape: audio tier, then resolution tier, then base. */
export function unitPrice(p: PriceSpec, resolution: Resolution, audio: boolean): number {
  return (audio ? p.with_audio_by_resolution?.[resolution] : undefined) ?? p.by_resolution?.[resolution] ?? p.base;
}

/**
 * The length the upstream renders a requested duration at (the model's duration_rendered_as: Veo
 * 3.1's 5 s → 6 s), which is what the engine sends upstream; any other duration, -1 included, is itself.
 */
export function renderedDuration(spec: Pick<ModelSpec, 'duration_rendered_as'>, duration: number): number {
  return spec.duration_rendered_as?.[duration] ?? duration;
}

/**
 * Seconds a request is expected to produce: -1 (model chooses, Seedance) reserves the longest
 * duration; a duration the upstream renders at another length (Veo 3.1's 5 s → 6 s) reserves that.
 */
export function expectedSeconds(resolved: Pick<ResolvedVideoRequest, 'duration'>, spec: ModelSpec): number {
  if (resolved.duration < 0) return Math.max(...spec.durations);
  return renderedDuration(spec, resolved.duration);
}

/** What a create reserves. */
export function estimateCostUsd(resolved: ResolvedVideoRequest, spec: ModelSpec): number {
  const price = unitPrice(spec.pricing, resolved.resolution, resolved.output_audio);
  if (spec.pricing.unit === 'per_request') return roundUsd(price);
  return roundUsd(price * expectedSeconds(resolved, spec));
}

/** What a finished task costs, from what was actually produced (probed length, resolution, audio). */
export function costForOutputUsd(spec: ModelSpec, out: { seconds: number; resolution: Resolution; audio: boolean }): number {
  const price = unitPrice(spec.pricing, out.resolution, out.audio);
  if (spec.pricing.unit === 'per_request') return roundUsd(price);
  return roundUsd(price * Math.max(0, out.seconds));
}

/** The source rule of a request whose output is as long as its source video (video-to-video, motion control). */
export function sourceVideoRule(spec: ModelSpec, resolved: Pick<ResolvedVideoRequest, 'operation'>): OperationSpec['source_video'] {
  return findOperation(spec, resolved.operation)?.source_video;
}

/** Providers measure sources to a tenth of a second: 8.74 s passes a limit of 8.7 s, 8.76 s does not. */
export function sourceTooLong(rule: NonNullable<OperationSpec['source_video']>, seconds: number): boolean {
  return seconds > rule.max_seconds + 0.05;
}

/** What a request whose output follows its source costs, for a source of `seconds`. */
export function estimateForSourceUsd(resolved: Pick<ResolvedVideoRequest, 'resolution' | 'output_audio'>, spec: ModelSpec, seconds: number): number {
  return costForOutputUsd(spec, { seconds, resolution: resolved.resolution, audio: resolved.output_audio });
}

/** Lowest and highest unit price across the model's resolutions and audio settings. */
export function priceRange(spec: ModelSpec): { min: number; max: number } {
  const audios = [spec.audio.default, ...(spec.audio.configurable ? [!spec.audio.default] : [])];
  const prices = spec.resolutions.flatMap((r) => audios.map((a) => unitPrice(spec.pricing, r, a)));
  return { min: Math.min(...prices), max: Math.max(...prices) };
}

/** Decimal string for the wire: at least 2 decimals, at most 6, no float noise. */
export function usdString(n: number): string {
  const fixed = roundUsd(n).toFixed(6).replace(/0+$/, '');
  const [int, dec = ''] = fixed.split('.');
  return `${int}.${dec.padEnd(2, '0')}`;
}
