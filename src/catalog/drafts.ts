import type { ResolvedVideoRequest, VideoRequest } from '../contract/video-request.js';
import { fail } from './fail.js';
import { MEDIA_INPUTS } from './parameters.js';
import type { ModelSpec } from './types.js';

/**
 * What a Seedance draft fixes for its promotion: Ark renders the final video from the draft's text,
 * images, generate_audio, seed, ratio, duration and camera_fixed (create-task reference,
 * content.draft_task.id; src/providers/seedance/SOURCES.md), whatever the promotion says. The media
 * inputs are fixed too (MEDIA_INPUTS).
 */
export const FIXED_BY_DRAFT = ['prompt', 'duration', 'aspect_ratio', 'output_audio', 'seed', 'camera_fixed'] as const;

/** A promotion (draft_task_id) that sets what the draft fixes would be silently ignored upstream: refused, naming it. */
export function checkPromotion(req: VideoRequest, spec: ModelSpec): void {
  if (req.draft_task_id === undefined) return;
  const fixed = req.sent.find((p) => (FIXED_BY_DRAFT as readonly string[]).includes(p) || MEDIA_INPUTS.includes(p));
  if (fixed === undefined) return;
  throw fail(
    fixed,
    `The draft fixes ${fixed}: promoting it (draft_task_id) renders the draft's own prompt, inputs, duration, aspect ratio, audio, seed and camera_fixed, so '${fixed}' would be ignored. Remove it, or make a new draft (draft=true) with the ${fixed} you want. A promotion sets only resolution, watermark, return_last_frame and task options.`,
    'fixed_by_draft',
    spec,
    { fixed_by_draft: [...FIXED_BY_DRAFT, 'media inputs'] },
  );
}

/**
 * The promotion as the draft renders it: its fixed values (and so its operation) are the draft's, so
 * it is priced, shown and sent as made. An operation named explicitly must be the draft's.
 */
export function promotionOfDraft(promotion: ResolvedVideoRequest, draft: ResolvedVideoRequest, spec: ModelSpec): ResolvedVideoRequest {
  if (promotion.operation_explicit && promotion.operation !== draft.operation) {
    throw fail('operation', `The draft fixes operation: it was made as ${draft.operation}, and its promotion renders it so. Omit operation or set it to ${draft.operation}.`, 'fixed_by_draft', spec);
  }
  const fixed = Object.fromEntries(FIXED_BY_DRAFT.map((p) => [p, draft[p]]));
  return { ...promotion, ...fixed, operation: draft.operation };
}
