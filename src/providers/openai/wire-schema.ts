/** What the adapter checks of the Videos API's answers before using them (zod, at the boundary). */
import { z } from 'zod';
import type { SoraVideo } from './wire.js';

/** Video ids look like video_68f0…; anything else must not reach a URL path. */
export const VIDEO_ID = /^[A-Za-z0-9_-]{1,200}$/;

/** The `Video` object of create and retrieve; an unknown status is kept (treated as still running). */
export const videoSchema: z.ZodType<SoraVideo> = z.looseObject({
  id: z.string().regex(VIDEO_ID),
  status: z.string(),
  progress: z.number().optional().catch(undefined),
  error: z.looseObject({ code: z.string().optional().catch(undefined), message: z.string().optional().catch(undefined) }).nullish(),
}) as unknown as z.ZodType<SoraVideo>;
