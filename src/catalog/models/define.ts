import type { AspectRatio, Resolution } from '../../contract/operations.js';
import { OPERATION_INPUTS, OUTPUT_PARAMETERS, UNIVERSAL_PARAMETERS } from '../parameters.js';
import type { ModelSpec, OperationSpec, PriceSpec } from '../types.js';

/** What a data file writes; define() fills the derivable fields so the files stay short. */
export type ModelInput = Omit<ModelSpec, 'aliases' | 'tags' | 'lifecycle' | 'released_at' | 'limits' | 'supported_parameters' | 'enabled' | 'cancellable_upstream'> & {
  aliases?: string[];
  tags?: string[];
  lifecycle?: ModelSpec['lifecycle'];
  released_at?: string | null;
  limits?: ModelSpec['limits'];
  /** Model-specific knobs beyond the universal, operation-input and output-shape parameters. */
  extra_parameters?: string[];
  /** Output-shape parameters the caller may NOT set (e.g. upscalers: duration follows the source). */
  fixed_outputs?: string[];
  cancellable_upstream?: boolean;
};

export function define(m: ModelInput): ModelSpec {
  const { extra_parameters = [], fixed_outputs = [], ...rest } = m;
  const inputs = m.operations.flatMap((o) => [...OPERATION_INPUTS[o.operation], ...(o.extra_inputs ?? [])]);
  const outputs = OUTPUT_PARAMETERS.filter((p) => !fixed_outputs.includes(p));
  const supported = [...new Set([...UNIVERSAL_PARAMETERS, ...inputs, ...outputs, ...extra_parameters])];
  return {
    ...rest,
    aliases: m.aliases ?? [],
    tags: m.tags ?? [],
    lifecycle: m.lifecycle ?? 'active',
    released_at: m.released_at ?? null,
    limits: m.limits ?? {},
    supported_parameters: supported,
    cancellable_upstream: m.cancellable_upstream ?? false,
    enabled: true,
  };
}

/** Inclusive integer range, for providers that accept any whole number of seconds in a span. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function op(operation: OperationSpec['operation'], extra: Omit<OperationSpec, 'operation'> = {}): OperationSpec {
  const notes = extra.aspect_ratios === FOLLOWS_IMAGE ? [FOLLOWS_IMAGE_NOTE, ...(extra.notes ?? [])] : extra.notes;
  return { operation, ...extra, ...(notes ? { notes } : {}) };
}

/**
 * Image-conditioned outputs that take the input image's shape (the upstream has no ratio switch).
 * TokenLab's own examples still send a ratio here (e.g. hailuo-2.3-standard image-to-video with
 * 16:9), so the common ratios are accepted; the note on the operation says the image decides.
 */
export const FOLLOWS_IMAGE: AspectRatio[] = ['adaptive', '16:9', '9:16', '1:1', '4:3', '3:4', '21:9'];
export const FOLLOWS_IMAGE_NOTE = 'The output takes the shape of the input image; aspect_ratio is accepted for compatibility but the image decides.';

/**
 * A number without an official list price behind it (third-party or converted): `why` gives its
 * provenance, and the wire says it is an estimate.
 */
export function estimate(unit: PriceSpec['unit'], base: number, by_resolution: Partial<Record<Resolution, number>>, why: string, with_audio_by_resolution?: Partial<Record<Resolution, number>>): PriceSpec {
  return {
    unit,
    base,
    by_resolution,
    ...(with_audio_by_resolution ? { with_audio_by_resolution } : {}),
    source: `Estimate: ${why}. Operators should override with their contract price.`,
    estimate: true,
  };
}

/** The provider's own published list price; `source` names the page and when it was read. */
export function listPrice(unit: PriceSpec['unit'], base: number, by_resolution: Partial<Record<Resolution, number>>, source: string, with_audio_by_resolution?: Partial<Record<Resolution, number>>): PriceSpec {
  return { unit, base, by_resolution, ...(with_audio_by_resolution ? { with_audio_by_resolution } : {}), source: `List price: ${source}`, estimate: false };
}
