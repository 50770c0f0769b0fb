import type { AspectRatio, Operation, Resolution } from './operations.js';

/** One element of `kling_elements` (kling-3.0-video only). */
export interface KlingElement {
  name: string;
  description?: string;
  element_input_urls: string[];
}

/**
 * A create request after alias folding and type checking, before any per-model rule.
 * Field names are the canonical public (snake_case) names; an omitted field is undefined.
 */
export interface VideoRequest {
  model: string;
  operation: Operation;
  /** True when the caller sent `operation`; false when we inferred it from the inputs. */
  operation_explicit: boolean;
  prompt?: string;
  negative_prompt?: string;

  // media inputs
  image_url?: string;
  image?: string;
  image_urls?: string[];
  reference_images?: string[];
  reference_image_type?: 'asset' | 'style';
  material_asset_id?: string;
  material_asset_ids?: string[];
  start_image?: string;
  end_image?: string;
  kling_elements?: KlingElement[];
  video_url?: string;
  video_urls?: string[];
  audio_url?: string;
  audio_urls?: string[];

  // output shape
  duration?: number;
  aspect_ratio?: AspectRatio;
  resolution?: Resolution;
  size?: string;
  output_audio?: boolean;
  fps?: number;

  // generation knobs
  seed?: number;
  cfg_scale?: number;
  motion_strength?: number;
  watermark?: boolean;
  effect_type?: string;
  camera_fixed?: boolean;
  frames?: number;
  return_last_frame?: boolean;
  draft?: boolean;
  draft_task_id?: string;
  task_id?: string;
  extend_at?: number;
  extend_times?: string;

  // account / routing
  user?: string;
  safety_identifier?: string;
  service_tier?: 'default' | 'flex';
  priority?: number;
  execution_expires_after?: number;
  callback_url?: string;

  /** Canonical names of every parameter the caller actually sent (after alias folding). */
  sent: string[];
}

/**
 * A request with the model's defaults applied: what the adapter maps to the upstream.
 * `duration`, `resolution`, `aspect_ratio` and `output_audio` are always decided here.
 */
export interface ResolvedVideoRequest extends Omit<VideoRequest, 'duration' | 'resolution' | 'aspect_ratio' | 'output_audio'> {
  duration: number;
  resolution: Resolution;
  aspect_ratio: AspectRatio;
  output_audio: boolean;
  /** The upstream model id this request goes to (from the catalog, possibly per operation). */
  upstream_model: string;
}
