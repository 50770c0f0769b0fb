import { isDeepStrictEqual } from 'node:util';
import { preview } from '../contract/preview.js';
import type { ResolvedVideoRequest } from '../contract/video-request.js';
import { fail } from './fail.js';
import { MEDIA_INPUTS } from './parameters.js';
import type { ModelSpec } from './types.js';

/**
 * What a Seedance draft fixes for its promotion: Ark renders the final video from the draft's text,
 * images, generate_audio, seed, ratio, duration and camera_fixed (create-task reference,
 * content.draft_task.id; src/providers/seedance/SOURCES.md), whatever the promotion says. The media
 * inputs are fixed too (MEDIA_INPUTS). A promotion may repeat the draft's values, never change them.
 */
export const FIXED_BY_DRAFT = ['prompt', 'duration', 'aspect_ratio', 'output_audio', 'seed', 'camera_fixed'] as const;

/**
 * The promotion as the draft renders it: its fixed values (and so its operation) are the draft's, so
 * it is priced, shown and sent as made. An operation named explicitly must be the draft's.
 */
export function promotionOfDraft(promotion: ResolvedVideoRequest, draft: ResolvedVideoRequest, spec: ModelSpec): ResolvedVideoRequest {
  if (promotion.operation_explicit && promotion.operation !== draft.operation) {
    throw fail('operation', `The draft fixes operation: it was made as ${draft.operation}, and its promotion renders it so. Omit operation or set it to ${draft.operation}.`, 'fixed_by_draft', spec);
  }
  checkPromotion(promotion, draft, spec);
  const fixed = Object.fromEntries(FIXED_BY_DRAFT.map((p) => [p, draft[p]]));
  return { ...promotion, ...fixed, operation: draft.operation };
}

/**
 * A promotion that sets what the draft fixes to another value would be silently ignored upstream:
 * refused, naming it. The same value (a client re-sending the draft's prompt, say) changes nothing
 * and is accepted. Both requests went through the same parse and defaults, so they compare as stored.
 */
function checkPromotion(promotion: ResolvedVideoRequest, draft: ResolvedVideoRequest, spec: ModelSpec): void {
  const own = promotion as unknown as Record<string, unknown>;
  const its = draft as unknown as Record<string, unknown>;
  const fixed = promotion.sent.find((p) => ((FIXED_BY_DRAFT as readonly string[]).includes(p) || MEDIA_INPUTS.includes(p)) && !isDeepStrictEqual(own[p], its[p]));
  if (fixed === undefined) return;
  const drafts = its[fixed] === undefined ? 'sets none' : `has ${preview(its[fixed])}`;
  throw fail(
    fixed,
    `The draft fixes ${fixed}: promoting it (draft_task_id) renders the draft's own prompt, inputs, duration, aspect ratio, audio, seed and camera_fixed, and the draft ${drafts}, so a different '${fixed}' would be ignored. Omit it (or send the draft's value), or make a new draft (draft=true) with the ${fixed} you want. A promotion sets only resolution, watermark, return_last_frame and task options.`,
    'fixed_by_draft',
    spec,
    { fixed_by_draft: [...FIXED_BY_DRAFT, 'media inputs'] },
  );
}
