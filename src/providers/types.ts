import type { ResolvedVideoRequest } from '../contract/video-request.js';
import type { Readable } from 'node:stream';

/** Bytes of an input (image, video, audio) fetched through the gateway's guarded fetcher. */
export interface MediaBytes {
  bytes: Buffer;
  mimeType: string;
}

/** What an adapter may ask of the gateway: it never fetches user URLs itself (SSRF guard lives in media/). */
export interface AdapterContext {
  /** Fetch an https URL or decode a data: URL, with size/type checks. */
  loadMedia(urlOrDataUrl: string, kind: 'image' | 'video' | 'audio'): Promise<MediaBytes>;
  /** Scale-and-crop an image to exactly width×height (PNG), for providers that need the output size. The engine always provides it. */
  fitImage?(bytes: Buffer, width: number, height: number): Promise<MediaBytes>;
  /** Probe video bytes (e.g. a source video an upscaler needs described). */
  probeVideo(bytes: Buffer): Promise<{ durationSeconds: number; width: number; height: number; hasAudio: boolean; sizeBytes: number; frameRate?: number }>;
  /** Aborts when the engine gives up on this call (timeout, shutdown). */
  signal?: AbortSignal;
}

/** One job to submit: the task id (usable as an idempotency/external reference) and the resolved request. */
export interface SubmitJob {
  taskId: string;
  request: ResolvedVideoRequest;
  /** Where the provider should call back when the job's status changes (VIDGATE_CALLBACK_BASE_URL); sent as the provider's callback field. */
  callbackUrl?: string;
}

export interface SubmitResult {
  /** The provider's own job id (or operation name); persisted before anything else happens. */
  upstreamId: string;
}

/** Our error for a task: stable code + human message (never a secret, never a raw upstream body). */
export interface TaskError {
  code: string;
  message: string;
}

/** A finished output as the upstream exposes it; `openOutput` turns it into bytes. */
export interface UpstreamOutput {
  kind: 'video' | 'last_frame';
  /** A URL to download (authenticated or pre-signed) or inline base64. */
  url?: string;
  base64?: string;
  mimeType?: string;
}

export type PollResult =
  | { state: 'queued' | 'running'; progress?: number; retryAfterSeconds?: number }
  | { state: 'succeeded'; outputs: UpstreamOutput[] }
  | { state: 'failed'; error: TaskError }
  | { state: 'cancelled' };

/**
 * Why an upstream call failed, so the engine can decide: retry later, or fail the task.
 * - rate_limited / unavailable / timeout: transient, retried (honouring retryAfterSeconds).
 *   `unavailable` must only be used where the upstream certainly did not act (5xx, refused connect).
 * - ambiguous: the request was sent but its outcome is unknown (connection broken mid-answer, an
 *   unreadable 2xx): a poll may simply be retried, a create must not be sent again blindly.
 * - invalid_input / content_policy / auth / quota / not_found: permanent for this task.
 * - model_retired: the upstream refused the model itself (shut down, or no longer served to this
 *   account); permanent. The engine names the catalog's replacement model in the task error.
 */
export type UpstreamErrorKind = 'rate_limited' | 'unavailable' | 'timeout' | 'ambiguous' | 'invalid_input' | 'content_policy' | 'auth' | 'quota' | 'not_found' | 'model_retired';

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly httpStatus?: number,
    readonly retryAfterSeconds?: number,
    readonly upstreamCode?: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable' || this.kind === 'timeout' || this.kind === 'ambiguous';
  }
}

export interface OpenedOutput {
  body: Readable;
  contentType: string;
}

/** The only face of a provider the engine sees. */
export interface ProviderAdapter {
  readonly name: string;
  submit(job: SubmitJob, ctx: AdapterContext): Promise<SubmitResult>;
  poll(upstreamId: string, ctx: AdapterContext): Promise<PollResult>;
  openOutput(output: UpstreamOutput, ctx: AdapterContext): Promise<OpenedOutput>;
  /** Present only when the provider can cancel a job; resolves true when the upstream confirmed it. */
  cancel?(upstreamId: string, ctx: AdapterContext): Promise<boolean>;
  /**
   * Present only when the provider can look a job up by the reference we sent with the create (our
   * task id). Used after a crash mid-submission: the job found (→ its upstream id), null when the
   * upstream says for certain that no such job exists (so submitting is safe), and a throw when
   * it cannot tell (network error, 5xx, an ambiguous answer): the engine asks again later.
   */
  findByReference?(taskId: string, request: ResolvedVideoRequest, ctx: AdapterContext): Promise<SubmitResult | null>;
  /**
   * Present only where the provider publishes a model list (Gemini models.list, OpenAI and xAI
   * /v1/models): the upstream model ids this channel serves now. Throws when the list cannot be read.
   */
  listModels?(ctx: AdapterContext): Promise<string[]>;
}
