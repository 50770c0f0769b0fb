import type { AspectRatio, Operation, Resolution } from '../contract/operations.js';
import { constraintsFor, type OperationConstraints } from './constraints.js';
import { FOLLOWS_IMAGE_NOTE } from './models/define.js';
import type { ModelSpec, OperationSpec } from './types.js';

/** One operation of a model, as validating and resolving a create reads it. */
export interface OperationFacts {
  opSpec: OperationSpec;
  /** constraintsFor(spec, opSpec), shared by every create: never change it, copy what you hand out. */
  constraints: OperationConstraints;
  /** constraints.supported_parameters and constraints.inputs, for membership tests. */
  supported: ReadonlySet<string>;
  inputs: ReadonlySet<string>;
  /** What an unsent duration, resolution and aspect ratio become (before the per-provider fix-ups in resolveForModel). */
  defaults: { duration: number; resolution: Resolution; aspect_ratio: AspectRatio };
}

/** A model as a create reads it: what every create would otherwise work out again from its spec. */
export interface ModelFacts {
  /** The names of spec.operations, in order. */
  operations: readonly Operation[];
  /** spec.supported_parameters. */
  supported: ReadonlySet<string>;
  /** Per operation, the first OperationSpec naming it (as findOperation). */
  byOperation: ReadonlyMap<Operation, OperationFacts>;
}

/**
 * Computed once per spec object: a create used to rebuild its constraints (filters over the
 * parameter lists) and scan arrays per parameter. Keyed by the object, so a catalog built with
 * other overrides gets its own; a Catalog's specs are not changed once it is built.
 */
const cache = new WeakMap<ModelSpec, ModelFacts>();

export function modelFacts(spec: ModelSpec): ModelFacts {
  let facts = cache.get(spec);
  if (!facts) {
    facts = computeFacts(spec);
    cache.set(spec, facts);
  }
  return facts;
}

function computeFacts(spec: ModelSpec): ModelFacts {
  const byOperation = new Map<Operation, OperationFacts>();
  for (const opSpec of spec.operations) {
    if (byOperation.has(opSpec.operation)) continue;
    const c = constraintsFor(spec, opSpec);
    // Where the input image decides the shape, an unsent ratio is 'adaptive', whatever the model's default.
    const followsImage = c.notes.includes(FOLLOWS_IMAGE_NOTE);
    byOperation.set(opSpec.operation, {
      opSpec,
      constraints: c,
      supported: new Set(c.supported_parameters),
      inputs: new Set(c.inputs),
      defaults: {
        duration: pick(c.durations, spec.default_duration),
        resolution: pick(c.resolutions, spec.default_resolution),
        aspect_ratio: followsImage ? 'adaptive' : pick(c.aspect_ratios, spec.default_aspect_ratio),
      },
    });
  }
  return { operations: spec.operations.map((o) => o.operation), supported: new Set(spec.supported_parameters), byOperation };
}

/** The preferred value when allowed, else the first allowed positive number (or the first allowed). */
function pick<T>(allowed: T[], preferred: T): T {
  return allowed.includes(preferred) ? preferred : (allowed.find((v) => typeof v !== 'number' || v > 0) ?? allowed[0]);
}
