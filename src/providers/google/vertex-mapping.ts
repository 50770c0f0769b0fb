/**
 * Pure mapping between Vidgate and Veo on Vertex AI. The request body is the Gemini API's (same
 * instances and parameters, built by toPredictRequest) plus `generateAudio` and `storageUri`; the
 * operation answer carries `response.videos[]` instead of `generateVideoResponse.generatedSamples[]`.
 */
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import { classifyHttpError, type ErrorSpec } from '../http/index.js';
import type { PollResult, UpstreamError, UpstreamOutput } from '../types.js';
import { finishedWithoutVideo, GOOGLE_ERRORS, rendersAudio, taskErrorFromRpcStatus, toPredictRequest, type GoogleMedia } from './mapping.js';
import type { VertexOperation, VertexPredictRequest } from './vertex-wire.js';

/**
 * The catalog names Gemini API model ids; Vertex AI serves the same models under GA ids (its
 * `-preview` endpoints were removed on 2026-04-02). Ids not listed are sent unchanged.
 */
const VERTEX_MODEL_IDS: Record<string, string> = {
  'veo-3.1-generate-preview': 'veo-3.1-generate-001',
  'veo-3.1-fast-generate-preview': 'veo-3.1-fast-generate-001',
  'veo-3.1-lite-generate-preview': 'veo-3.1-lite-generate-001',
};

export function vertexModelId(upstreamModel: string): string {
  return VERTEX_MODEL_IDS[upstreamModel] ?? upstreamModel;
}

/** The publisher model resource: projects/{p}/locations/{l}/publishers/google/models/{m}. */
export function vertexModelResource(project: string, location: string, model: string): string {
  return `projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/google/models/${encodeURIComponent(model)}`;
}

/** https://{location}-aiplatform.googleapis.com, or the global endpoint for location "global". */
export function defaultVertexBaseUrl(location: string): string {
  return location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`;
}

/** The Gemini body for the Vertex model, with the audio switch (Veo 3.x) and the output bucket when one is configured. */
export function toVertexPredictRequest(req: ResolvedVideoRequest, media: GoogleMedia, opts: { storageUri?: string } = {}): VertexPredictRequest {
  const vertexReq = { ...req, upstream_model: vertexModelId(req.upstream_model) };
  const body = toPredictRequest(vertexReq, media);
  return {
    ...body,
    parameters: {
      ...body.parameters,
      ...(rendersAudio(vertexReq.upstream_model) ? { generateAudio: req.output_audio } : {}),
      ...(opts.storageUri ? { storageUri: opts.storageUri } : {}),
    },
  };
}

/** Vertex reports no progress either; results are inline bytes or Cloud Storage objects. */
export function fromVertexOperation(op: VertexOperation): PollResult {
  if (!op.done) return { state: 'running' };
  if (op.error) return { state: 'failed', error: taskErrorFromRpcStatus(op.error) };
  const outputs: UpstreamOutput[] = [];
  for (const video of op.response?.videos ?? []) {
    const mimeType = video.mimeType ?? 'video/mp4';
    if (video.gcsUri) outputs.push({ kind: 'video', url: video.gcsUri, mimeType });
    else if (video.bytesBase64Encoded) outputs.push({ kind: 'video', base64: video.bytesBase64Encoded, mimeType });
  }
  if (outputs.length > 0) return { state: 'succeeded', outputs };
  return finishedWithoutVideo(op.response);
}

/** gs://bucket/object → its parts; null for anything else. Bucket names follow Cloud Storage's rules. */
export function parseGcsUri(uri: string): { bucket: string; object: string } | null {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])\/(.+)$/.exec(uri);
  if (!m || m[2].split('/').some((part) => part === '..' || part === '.')) return null;
  return { bucket: m[1], object: m[2] };
}

/** The Cloud Storage JSON API media download of an object (the object name is one encoded segment). */
export function storageMediaPath(bucket: string, object: string): string {
  return `/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(object)}?alt=media`;
}

/** "Publisher Model `projects/…/models/X` was not found or your project does not have access to it." */
const PUBLISHER_MODEL_NOT_FOUND = /Publisher Model .* (?:was not found|is no longer available)/i;

/** Google's error vocabulary, plus Vertex AI's own wording for a model it does not serve. */
export const VERTEX_ERRORS: ErrorSpec = {
  label: 'Vertex AI',
  read(body, status, headers) {
    const reading = GOOGLE_ERRORS.read(body, status, headers);
    if (status === 404 && PUBLISHER_MODEL_NOT_FOUND.test(reading.message ?? '')) return { ...reading, kind: 'model_retired' };
    return reading;
  },
};

export function mapVertexHttpError(status: number, body: unknown): UpstreamError {
  return classifyHttpError(VERTEX_ERRORS, status, body);
}
