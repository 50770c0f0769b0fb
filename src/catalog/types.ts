import type { AspectRatio, Operation, Resolution } from '../contract/operations.js';

/** Upstream API families: one adapter folder each under src/providers/. */
export const PROVIDERS = ['openai', 'google', 'kling', 'seedance', 'minimax', 'dashscope', 'vidu', 'xai', 'topaz'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Public "owned_by" / provider filter value, as TokenLab names the series. */
export type OwnedBy = 'openai' | 'google' | 'kuaishou' | 'bytedance' | 'minimax' | 'alibaba' | 'shengshu' | 'xai' | 'topaz';

/** What one operation of a model accepts; unset lists fall back to the model-level lists. */
export interface OperationSpec {
  operation: Operation;
  durations?: number[];
  resolutions?: Resolution[];
  aspect_ratios?: AspectRatio[];
  /** Upstream model id when this operation goes to a different upstream model. */
  upstream_model?: string;
  /** Media inputs this operation takes beyond the standard ones of OPERATION_INPUTS (e.g. kling_elements). */
  extra_inputs?: string[];
  /** Parameters the model accepts elsewhere but not in this operation (e.g. grok video-to-video: duration). */
  excluded_parameters?: string[];
  /** Audio behaviour of this operation when it differs from the model's. */
  audio?: { default: boolean; configurable: boolean };
  /**
   * The output is as long as the source video (`video_url`): the task is billed by the source's
   * probed length, and a source longer than `max_seconds` is refused before anything is spent.
   */
  source_video?: { max_seconds: number };
  notes?: string[];
}

/** How a model is billed. Prices are USD. */
export interface PriceSpec {
  unit: 'per_second' | 'per_request';
  /** Price per second of output (per_second) or per request (per_request) at the default tier. */
  base: number;
  /** Overrides of `base` by output resolution. */
  by_resolution?: Partial<Record<Resolution, number>>;
  /** Overrides of the per-resolution price when the output has audio. */
  with_audio_by_resolution?: Partial<Record<Resolution, number>>;
  /** Where the number came from (provider list price page, date), or why it is an estimate. */
  source: string;
  /** True when the number is our estimate rather than a published list price. */
  estimate?: boolean;
}

export interface ModelSpec {
  /** Public model id (never an upstream id). */
  id: string;
  provider: ProviderName;
  owned_by: OwnedBy;
  /** Default upstream model id. */
  upstream_model: string;
  aliases: string[];
  tags: string[];
  /** The stage as data; lifecycleAt() turns a passed sunset into 'retired'. */
  lifecycle: 'active' | 'preview' | 'deprecated' | 'retired';
  released_at: string | null;
  operations: OperationSpec[];
  durations: number[];
  /**
   * Requested durations the upstream renders at another length (Veo 3.1: 5 → 6, Google takes 4, 6
   * or 8): the engine sends the rendered length upstream, and the reservation and the bill use it,
   * never the requested one.
   */
  duration_rendered_as?: Partial<Record<number, number>>;
  default_duration: number;
  resolutions: Resolution[];
  default_resolution: Resolution;
  aspect_ratios: AspectRatio[];
  default_aspect_ratio: AspectRatio;
  /** default: audio when output_audio is omitted; configurable: whether output_audio may differ from the default. */
  audio: { default: boolean; configurable: boolean };
  limits: {
    reference_images?: number;
    reference_videos?: number;
    reference_audios?: number;
    image_urls?: number;
    prompt_max_characters?: number;
  };
  /** Canonical request parameters this model accepts; anything else sent → 400 naming supported_parameters. */
  supported_parameters: string[];
  pricing: PriceSpec;
  /** Typical upstream latency, used to schedule polls densely near the expected finish. */
  typical_seconds: number;
  /** A job still running after this long is failed with timeout_error. */
  max_runtime_seconds: number;
  /** Whether the upstream can cancel a queued job of this model. */
  cancellable_upstream: boolean;
  enabled: boolean;
  /** Lifecycle detail for discovery (dates ISO 8601, replacement public id); all optional. */
  lifecycle_info?: { reason?: string; replacement_model?: string; deprecated_at?: string; sunset_at?: string };
  /** Short caller-facing notes shown in GET /v1/models/{id} (request_format_details.notes). */
  notes?: string[];
}

/** Operator overrides from configuration, keyed by public model id. */
export interface ModelOverride {
  enabled?: boolean;
  aliases?: string[];
  upstream_model?: string;
  /** Per-operation upstream ids (e.g. Wan t2v/i2v/r2v); wins over upstream_model for that operation. */
  upstream_model_by_operation?: Partial<Record<Operation, string>>;
  pricing?: Partial<PriceSpec>;
  /** How long an upstream job may run before the task fails with timeout_error, seconds. */
  max_runtime_seconds?: number;
  /** The upstream's usual latency on this account, seconds: polls are scheduled around it. */
  typical_seconds?: number;
}
export type CatalogOverrides = Record<string, ModelOverride>;
