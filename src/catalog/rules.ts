import type { AspectRatio, Resolution } from '../contract/operations.js';
import type { ResolvedVideoRequest, VideoRequest } from '../contract/video-request.js';
import { constraintsFor, durationLabels, type OperationConstraints } from './constraints.js';
import { type ModelFacts, modelFacts, type OperationFacts } from './model-facts.js';
import { MEDIA_INPUTS, SAME_INPUT_NAMES } from './parameters.js';
import { fail } from './fail.js';
import { familyRules, sizeShape } from './family-rules.js';
import type { ModelSpec } from './types.js';

const MEDIA_INPUT_SET: ReadonlySet<string> = new Set(MEDIA_INPUTS);

/**
 * Every per-model rule a create request must pass before a task exists. Throws the first
 * violation as a 400 ApiError naming the param and what is allowed; returns when the request fits.
 */
export function validateForModel(req: VideoRequest, spec: ModelSpec): void {
  const facts = modelFacts(spec);
  const op = facts.byOperation.get(req.operation);
  if (!op) {
    const supportedOps = [...facts.operations];
    const how = req.operation_explicit ? `Operation '${req.operation}'` : `The inputs sent imply operation '${req.operation}', which`;
    throw fail(
      'operation',
      `${how} is not supported by model '${spec.id}'. Supported operations: ${supportedOps.join(', ')}. Set operation to one of them and send its inputs, or choose another model.`,
      'unsupported_operation',
      spec,
      { supported_operations: supportedOps },
    );
  }
  const c = op.constraints;
  const sent = new Set(req.sent);

  checkParameters(req, spec, facts, op, sent);
  familyRules(req, spec, sent);
  checkOperationInputs(req, spec, op, sent);
  checkOneNamePerInput(req, spec, sent);
  // A promotion's prompt and inputs are its draft's (drafts.ts).
  if (req.draft_task_id === undefined) checkRequiredInputs(req, spec, c);
  checkOutputShape(req, spec, c);
  checkAudio(req, spec, c);
  checkReferenceLimits(req, spec);
  checkPrompt(req, spec);
}

/** Applies the model's defaults: the result is what the adapter maps to the upstream. */
export function resolveForModel(req: VideoRequest, spec: ModelSpec): ResolvedVideoRequest {
  const facts = modelFacts(spec);
  const op = facts.byOperation.get(req.operation) ?? facts.byOperation.get(spec.operations[0].operation)!;
  const c = op.constraints;
  const fromSize = req.size !== undefined ? sizeShape(spec, req.size) : undefined;

  // The defaults (model-computed, see model-facts.ts) where nothing sent decides.
  const duration = req.duration ?? op.defaults.duration;
  let resolution: Resolution = req.resolution ?? fromSize?.resolution ?? op.defaults.resolution;
  const aspect_ratio: AspectRatio = req.aspect_ratio ?? fromSize?.aspect_ratio ?? op.defaults.aspect_ratio;
  // Veo: 1080p/4k need 8 s; a caller who chose a shorter duration but no resolution gets 720p.
  if (spec.provider === 'google' && req.resolution === undefined && duration !== 8 && resolution !== '720p') resolution = '720p';
  // A Seedance draft renders 480p: estimated and priced as such.
  if (spec.provider === 'seedance' && req.draft === true) resolution = '480p';

  // Object.assign, not {...req, duration, …}: same keys in the same order, but on Node 20 a spread
  // followed by keys the source lacks (upstream_model always is) costs microseconds per create.
  return Object.assign({}, req, {
    duration,
    resolution,
    aspect_ratio,
    output_audio: req.output_audio ?? c.audio.default,
    upstream_model: c.upstream_model,
  });
}

function checkParameters(req: VideoRequest, spec: ModelSpec, facts: ModelFacts, op: OperationFacts, sent: Set<string>): void {
  const c = op.constraints;
  for (const p of sent) {
    if (!facts.supported.has(p)) {
      const why = p === 'kling_elements' ? `kling_elements is only supported by kling-3.0-video (image-conditioned requests).` : `Parameter '${p}' is not supported by model '${spec.id}'.`;
      throw fail(p, `${why} Remove it. Supported parameters: ${c.supported_parameters.join(', ')}.`, 'unsupported_parameter', spec, { supported_parameters: [...c.supported_parameters] });
    }
    if (!MEDIA_INPUT_SET.has(p) && !op.supported.has(p)) {
      throw fail(
        p,
        `Parameter '${p}' is not accepted by model '${spec.id}' for ${req.operation}. Remove it. Supported parameters for this operation: ${c.supported_parameters.join(', ')}.`,
        'unsupported_parameter',
        spec,
        { supported_parameters: [...c.supported_parameters] },
      );
    }
  }
}

/** Inputs of another flow (a first frame in a reference request, etc.) are never silently dropped. */
function checkOperationInputs(req: VideoRequest, spec: ModelSpec, op: OperationFacts, sent: Set<string>): void {
  const c = op.constraints;
  for (const p of sent) {
    if (!MEDIA_INPUT_SET.has(p) || op.inputs.has(p)) continue;
    const owners = spec.operations.filter((o) => constraintsFor(spec, o).inputs.includes(p)).map((o) => o.operation);
    const hint = owners.length ? ` '${p}' belongs to ${owners.join(' / ')}.` : '';
    throw fail(
      p,
      `'${p}' cannot be combined with operation ${req.operation} on model '${spec.id}'.${hint} Do not mix first-frame, start-end and reference inputs: send only ${c.inputs.join(', ') || 'prompt'} for ${req.operation}, or change operation.`,
      'conflicting_parameters',
      spec,
      { supported_parameters: [...c.supported_parameters] },
    );
  }
}

/** One input given under two of its names (image and image_url, say) would lose one of them: refused, naming both. */
function checkOneNamePerInput(req: VideoRequest, spec: ModelSpec, sent: Set<string>): void {
  for (const { input, names } of SAME_INPUT_NAMES[req.operation] ?? []) {
    const given = [...sent].filter((p) => names.includes(p));
    if (given.length < 2) continue;
    const [a, b] = given;
    throw fail(`${a},${b}`, `'${a}' and '${b}' both give ${input} of ${req.operation}, so one of them would be ignored. Send only one of ${names.join(', ')}.`, 'conflicting_parameters', spec, {
      conflicting_parameters: given,
    });
  }
}

function checkRequiredInputs(req: VideoRequest, spec: ModelSpec, c: OperationConstraints): void {
  const r = req as unknown as Record<string, unknown>;
  // A prompt of only spaces is no prompt: refused here, not by the upstream after the 200.
  const present = (p: string) => r[p] !== undefined && r[p] !== null && !(typeof r[p] === 'string' && (r[p] as string).trim() === '') && !(Array.isArray(r[p]) && (r[p] as unknown[]).length === 0);
  for (const group of c.required) {
    if (group.some(present)) continue;
    const what = group.length > 1 ? `one of ${group.join(', ')}` : group[0];
    throw fail(group[0], `${req.operation} on model '${spec.id}' requires ${what}.`, 'missing_required_parameter', spec, { required_selectors: c.required.map((g) => g.join(' | ')) });
  }
}

function checkOutputShape(req: VideoRequest, spec: ModelSpec, c: OperationConstraints): void {
  if (req.duration !== undefined && !c.durations.includes(req.duration)) {
    throw fail('duration', `duration ${req.duration} is not supported by model '${spec.id}' for ${req.operation}. Allowed durations (seconds): ${durationLabels(c.durations).join(', ')}.`, 'invalid_duration', spec, {
      allowed_durations: durationLabels(c.durations),
    });
  }
  if (req.resolution !== undefined && !c.resolutions.includes(req.resolution)) {
    throw fail('resolution', `resolution '${req.resolution}' is not supported by model '${spec.id}' for ${req.operation}. Allowed resolutions: ${c.resolutions.join(', ')}.`, 'invalid_resolution', spec, {
      allowed_resolutions: [...c.resolutions],
    });
  }
  if (req.aspect_ratio !== undefined && !c.aspect_ratios.includes(req.aspect_ratio)) {
    const follows = c.aspect_ratios.length === 1 && c.aspect_ratios[0] === 'adaptive' ? ' The output follows the input; omit aspect_ratio.' : '';
    throw fail(
      'aspect_ratio',
      `aspect_ratio '${req.aspect_ratio}' is not supported by model '${spec.id}' for ${req.operation}. Allowed aspect ratios: ${c.aspect_ratios.join(', ')}.${follows}`,
      'invalid_aspect_ratio',
      spec,
      { allowed_aspect_ratios: [...c.aspect_ratios] },
    );
  }
}

function checkAudio(req: VideoRequest, spec: ModelSpec, c: OperationConstraints): void {
  if (req.output_audio === undefined || c.audio.configurable || req.output_audio === c.audio.default) return;
  const state = c.audio.default ? 'always generates audio' : 'only produces silent video';
  throw fail('output_audio', `Model '${spec.id}' ${state} for ${req.operation}; omit output_audio or set it to ${c.audio.default}.`, 'unsupported_output_audio', spec);
}

function checkReferenceLimits(req: VideoRequest, spec: ModelSpec): void {
  const { limits } = spec;
  if (req.operation === 'reference-to-video') {
    const images = (req.reference_images?.length ?? 0) + (req.image_urls?.length ?? 0) + (req.material_asset_ids?.length ?? 0) + (req.material_asset_id ? 1 : 0);
    const max = limits.reference_images;
    if (max !== undefined && images > max) {
      const param = req.reference_images ? 'reference_images' : req.image_urls ? 'image_urls' : 'material_asset_ids';
      const counted = spec.provider === 'seedance' ? 'reference_images + image_urls + material_asset_ids' : 'reference_images + image_urls';
      throw fail(param, `Model '${spec.id}' accepts at most ${max} reference images (${counted}); got ${images}. Send ${max} or fewer.`, 'too_many_references', spec, { max_reference_images: max });
    }
  } else if (req.operation === 'image-to-video' && (req.image_urls?.length ?? 0) > (limits.image_urls ?? 1)) {
    const max = limits.image_urls ?? 1;
    throw fail(
      'image_urls',
      `image-to-video on model '${spec.id}' takes ${max} first-frame image; got ${req.image_urls!.length}. Send one image (image_url), or use reference-to-video for several references.`,
      'too_many_references',
      spec,
      { max_images: max },
    );
  }
  checkCount('video_urls', limits.reference_videos, req.video_urls?.length ?? 0, spec);
  checkCount('audio_urls', limits.reference_audios, req.audio_urls?.length ?? 0, spec);
}

function checkCount(param: string, max: number | undefined, n: number, spec: ModelSpec): void {
  if (max !== undefined && n > max) {
    throw fail(param, `Model '${spec.id}' accepts at most ${max} ${param}; got ${n}. Send ${max} or fewer.`, 'too_many_references', spec, { [`max_${param}`]: max });
  }
}

function checkPrompt(req: VideoRequest, spec: ModelSpec): void {
  const max = spec.limits.prompt_max_characters;
  // Characters are code points; there are never more of them than UTF-16 units, so only a prompt
  // longer than the limit in units is counted (spreading it into an array cost every create).
  if (max !== undefined && req.prompt !== undefined && req.prompt.length > max && [...req.prompt].length > max) {
    throw fail('prompt', `prompt is ${[...req.prompt].length} characters; model '${spec.id}' accepts at most ${max}. Shorten it.`, 'prompt_too_long', spec, { prompt_max_characters: max });
  }
}
