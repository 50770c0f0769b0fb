/** What the adapter checks of xAI's answers before using them (zod, at the boundary). */
import { z } from 'zod';
import type { XaiVideoStatus } from './wire.js';

/** request_id is a UUID in practice; anything else must not reach a URL path. */
export const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const createSchema = z.looseObject({ request_id: z.string().regex(REQUEST_ID) });

const nullishString = z.string().nullish().catch(undefined);

/** `GET /v1/videos/{request_id}`; loose where a missing field has a defined meaning (pending). */
export const statusSchema: z.ZodType<XaiVideoStatus> = z.looseObject({
  status: nullishString,
  progress: z.number().nullish().catch(undefined),
  video: z.looseObject({ url: nullishString, respect_moderation: z.boolean().nullish().catch(undefined) }).nullish(),
  error: z.looseObject({ code: nullishString, message: nullishString }).nullish(),
});
