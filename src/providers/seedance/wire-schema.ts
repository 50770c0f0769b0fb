/** What the adapter checks of Ark's answers before using them (zod, at the boundary). */
import { z } from 'zod';
import type { TaskObject } from './wire.js';

/** Ark task ids look like cgt-20250331175019-68d9t; anything else must not reach a URL path. */
export const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export const createSchema = z.looseObject({ id: z.string().regex(TASK_ID) });

const nullishString = z.string().nullish().catch(undefined);

/** The task of GET …/tasks/{id}; an unknown status is kept (treated as still running). */
export const taskSchema: z.ZodType<TaskObject> = z.looseObject({
  status: z.string(),
  content: z.looseObject({ video_url: nullishString, last_frame_url: nullishString }).nullish(),
  error: z.looseObject({ code: z.string().optional().catch(undefined), message: z.string().optional().catch(undefined) }).nullish(),
  failure_reason: nullishString,
});

/** DELETE answers with an empty body (or an empty object). */
export const emptySchema = z.unknown();
