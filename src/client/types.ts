/**
 * The SDK's public types: names for the schemas of Vidgate's OpenAPI document (api-types.ts is
 * generated from it), so requests and answers are typed exactly as the server describes them.
 */
import type { components } from './api-types.js';

type Schemas = components['schemas'];

/** POST /v1/videos/generations body (TokenLab's VideoGenerationRequest). */
export type VideoGenerationRequest = Schemas['VideoGenerationRequest'];
/** The create answer: id, task_id, poll_url, status, model, created. */
export type CreatedTask = Schemas['VideoGenerationResponse'];
/** A task as GET /v1/tasks/{id} shows it. */
export type Task = Schemas['Task'];
export type TaskStatus = Task['status'];
/** One page of GET /v1/tasks. */
export type TaskListPage = Schemas['TaskList'];
export type ModelList = Schemas['ModelsResponse'] | Schemas['CompactModelsResponse'];
export type Model = Schemas['Model'];
export type ModelPricing = Schemas['ModelPricingResponse'];
export type Pricing = Schemas['PricingResponse'];
/** The error envelope every failed call answers. */
export type ApiErrorBody = Schemas['ApiError'];

export interface TaskListParams {
  status?: TaskStatus;
  model?: string;
  /** Page size, 1–100. */
  limit?: number;
  /** Start after this task id (the previous page's next_after). */
  after?: string;
}

export interface ModelListParams {
  view?: 'full' | 'compact';
  provider?: string;
  category?: string;
  tag?: string;
}

/** What every call takes as its last argument. */
export interface RequestOptions {
  /** Aborts the call (its retries too); it rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Called with the task each time its status or progress changes (and once at the start). */
  onProgress?: (task: Task) => void;
  /** Ends the wait (not the task); it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Pause between polls when the server offers neither SSE nor long poll (default 2000 ms). */
  pollIntervalMs?: number;
  /** Give up (VidgateError code 'wait_timeout') after this long; default: wait as long as it takes. */
  timeoutMs?: number;
  /**
   * How long to keep trying while the gateway cannot be reached (no answer, or 502/503/504), e.g.
   * through a restart, before rejecting with that error; default 60 000 ms. Counted from the first
   * failure in a row; timeoutMs and signal still end the wait sooner.
   */
  reconnectMs?: number;
}

export interface CreateOptions extends RequestOptions {
  /** Sent as Idempotency-Key; one is generated per call when omitted, so retries never make two tasks. */
  idempotencyKey?: string;
}
