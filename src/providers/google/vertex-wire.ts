/**
 * Vertex AI wire shapes for Veo, as js-genai writes and reads them in Vertex mode
 * (`generateVideosParametersToVertex`, `generateVideosResponseFromVertex`, `videoFromVertex`).
 * The request body is the Gemini one plus `generateAudio` and `storageUri`; the answer differs.
 */
import { z } from 'zod';
import type { PredictRequest, RpcStatus, WireParameters } from './wire.js';

export interface VertexParameters extends WireParameters {
  /** Veo 3.x on Vertex AI only: false renders a silent video (billed at the lower rate). */
  generateAudio?: boolean;
  /** gs://bucket/prefix/: results are written there and answered as `gcsUri` instead of inline bytes. */
  storageUri?: string;
}

export interface VertexPredictRequest extends Omit<PredictRequest, 'parameters'> {
  parameters: VertexParameters;
}

/** One result: inline bytes, or an object in Cloud Storage when `storageUri` was sent. */
export interface VertexVideo {
  gcsUri?: string;
  bytesBase64Encoded?: string;
  mimeType?: string;
}

/** google.longrunning.Operation as predictLongRunning and :fetchPredictOperation answer on Vertex AI. */
export interface VertexOperation {
  name?: string;
  done?: boolean;
  metadata?: unknown;
  error?: RpcStatus;
  response?: {
    videos?: VertexVideo[];
    raiMediaFilteredCount?: number;
    raiMediaFilteredReasons?: string[];
  };
}

/** projects/{p}/locations/{l}/publishers/google/models/{m}/operations/{id}: nothing else may reach a URL path. */
export const VERTEX_OPERATION_NAME = /^projects\/[A-Za-z0-9._-]+\/locations\/[A-Za-z0-9-]+\/publishers\/google\/models\/[A-Za-z0-9._-]+\/operations\/[A-Za-z0-9._-]+$/;

const rpcStatus = z.looseObject({ code: z.number().optional(), message: z.string().optional(), status: z.string().optional(), details: z.array(z.record(z.string(), z.unknown())).optional() });

export const vertexOperationSchema: z.ZodType<VertexOperation> = z.looseObject({
  name: z.string().regex(VERTEX_OPERATION_NAME, 'not a Vertex AI operation name'),
  done: z.boolean().optional(),
  error: rpcStatus.optional(),
  response: z
    .looseObject({
      videos: z.array(z.looseObject({ gcsUri: z.string().optional(), bytesBase64Encoded: z.string().optional(), mimeType: z.string().optional() })).optional(),
      raiMediaFilteredCount: z.number().optional(),
      raiMediaFilteredReasons: z.array(z.string()).optional(),
    })
    .optional(),
});
