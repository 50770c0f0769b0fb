/** xAI Grok Imagine video wire shapes (spec providers-1 §3; Vercel `@ai-sdk/xai` xai-video-model.ts). */

/** A media reference: a public URL, or (images only) a `data:<mime>;base64,…` URI. */
export interface XaiMediaRef {
  url: string;
}

/** Body of `POST /v1/videos/generations` (text-, image- and reference-to-video). */
export interface XaiGenerationRequest {
  model: string;
  prompt: string;
  duration?: number;
  aspect_ratio?: string;
  resolution?: '480p' | '720p';
  image?: XaiMediaRef;
  reference_images?: XaiMediaRef[];
}

/** Body of `POST /v1/videos/edits`: no duration, aspect ratio or resolution (the source decides). */
export interface XaiEditRequest {
  model: string;
  prompt: string;
  video: XaiMediaRef;
}

export type XaiEndpoint = 'generations' | 'edits';

/** `{"request_id": "…"}`, answered at once by every create endpoint. */
export interface XaiCreateResponse {
  request_id?: string | null;
}

/** `GET /v1/videos/{request_id}`. */
export interface XaiVideoStatus {
  status?: 'pending' | 'done' | 'expired' | 'failed' | (string & {}) | null;
  model?: string | null;
  progress?: number | null;
  video?: { url?: string | null; duration?: number | null; respect_moderation?: boolean | null } | null;
  usage?: { cost_in_usd_ticks?: number | null } | null;
  error?: { code?: string | null; message?: string | null } | null;
}

/** Native error body: `code` is a gRPC status description, `error` the human message. */
export interface XaiNativeError {
  code: string;
  error: string;
}

/** OpenAI-compatible error body, which the Vercel SDK also accepts. */
export interface XaiOpenAiStyleError {
  error: { message: string; type?: string | null; param?: unknown; code?: string | number | null };
}
