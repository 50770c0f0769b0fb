import type { AspectRatio, Operation, Resolution } from '../contract/operations.js';
import { MEDIA_INPUTS, OPERATION_INPUTS, REQUIRED_INPUTS } from './parameters.js';
import type { ModelSpec, OperationSpec } from './types.js';

/** What one operation of a model accepts, with the model-level fallbacks applied. */
export interface OperationConstraints {
  operation: Operation;
  durations: number[];
  resolutions: Resolution[];
  aspect_ratios: AspectRatio[];
  audio: { default: boolean; configurable: boolean };
  upstream_model: string;
  /** Media inputs this operation reads. */
  inputs: string[];
  /** Groups of alternatives; each group needs one member. */
  required: string[][];
  /** Every parameter accepted in this operation. */
  supported_parameters: string[];
  notes: string[];
}

export function findOperation(spec: ModelSpec, operation: Operation): OperationSpec | undefined {
  return spec.operations.find((o) => o.operation === operation);
}

export function constraintsFor(spec: ModelSpec, opSpec: OperationSpec): OperationConstraints {
  const inputs = [...OPERATION_INPUTS[opSpec.operation], ...(opSpec.extra_inputs ?? [])].filter((p) => spec.supported_parameters.includes(p));
  const excluded = opSpec.excluded_parameters ?? [];
  const supported = spec.supported_parameters.filter((p) => !excluded.includes(p) && (!MEDIA_INPUTS.includes(p) || inputs.includes(p)));
  return {
    operation: opSpec.operation,
    durations: opSpec.durations ?? spec.durations,
    resolutions: opSpec.resolutions ?? spec.resolutions,
    aspect_ratios: opSpec.aspect_ratios ?? spec.aspect_ratios,
    audio: opSpec.audio ?? spec.audio,
    upstream_model: opSpec.upstream_model ?? spec.upstream_model,
    inputs,
    required: requiredGroups(opSpec),
    supported_parameters: supported,
    notes: [...(opSpec.notes ?? []), ...(opSpec.source_video ? [sourceVideoNote(opSpec.source_video.max_seconds)] : [])],
  };
}

/** Said on the Models API for operations whose output is as long as their source video. */
export function sourceVideoNote(maxSeconds: number): string {
  return `The source video (video_url) may be at most ${maxSeconds} s long; the task is priced by its length, measured before anything is sent upstream.`;
}

/** Reference flows also count the operation's extra visual inputs (Seedance materials/videos, Wan videos). */
function requiredGroups(opSpec: OperationSpec): string[][] {
  const groups = REQUIRED_INPUTS[opSpec.operation].map((g) => [...g]);
  if (opSpec.operation === 'reference-to-video') {
    const visual = (opSpec.extra_inputs ?? []).filter((p) => p !== 'audio_urls' && p !== 'audio_url' && p !== 'kling_elements');
    groups[0].push(...visual);
  }
  return groups;
}

export function constraintsForOperation(spec: ModelSpec, operation: Operation): OperationConstraints | undefined {
  const o = findOperation(spec, operation);
  return o ? constraintsFor(spec, o) : undefined;
}

/** Public spelling of the duration list (strings, as the OpenAPI allowed_durations are). */
export function durationLabels(durations: number[]): string[] {
  return durations.map(String);
}
