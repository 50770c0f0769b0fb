/** What the adapter checks of the Gemini API's answers before using them (zod, at the boundary). */
import { z } from 'zod';
import type { Operation } from './wire.js';

/** Operation names look like models/{model}/operations/{id}; anything else must not reach a URL path. */
export const OPERATION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]+)*$/;

const rpcStatus = z.looseObject({ code: z.number().optional(), message: z.string().optional(), status: z.string().optional(), details: z.array(z.record(z.string(), z.unknown())).optional() });
const video = z.looseObject({ uri: z.string().optional(), encodedVideo: z.string().optional(), encoding: z.string().optional() });

/** models.list: one page of `google.ai.generativelanguage.v1beta.Model`s. */
export const modelListSchema = z.looseObject({
  models: z.array(z.looseObject({ name: z.string() })).optional(),
  nextPageToken: z.string().optional(),
});

/** google.longrunning.Operation, as predictLongRunning and GET {name} answer. */
export const operationSchema: z.ZodType<Operation> = z.looseObject({
  name: z
    .string()
    .regex(OPERATION_NAME)
    .refine((n) => !n.split('/').includes('..'), 'not an operation name'),
  done: z.boolean().optional(),
  error: rpcStatus.optional(),
  response: z
    .looseObject({
      generateVideoResponse: z
        .looseObject({
          generatedSamples: z.array(z.looseObject({ video: video.optional() })).optional(),
          raiMediaFilteredCount: z.number().optional(),
          raiMediaFilteredReasons: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
});
