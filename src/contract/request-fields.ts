import { ASPECT_RATIOS, OPERATIONS, RESOLUTIONS } from './operations.js';

/** How one public create field is typed, mirroring VideoGenerationRequest in the OpenAPI file. */
export type FieldRule =
  | { kind: 'string'; maxLength?: number; minLength?: number }
  | { kind: 'uri' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'string[]'; minItems: number; maxItems: number; uri?: boolean }
  | { kind: 'kling_elements' };

export const FIELD_RULES: Record<string, FieldRule> = {
  model: { kind: 'string', minLength: 1, maxLength: 128 },
  prompt: { kind: 'string', maxLength: 20_000 },
  negative_prompt: { kind: 'string', maxLength: 20_000 },
  operation: { kind: 'enum', values: OPERATIONS },
  image: { kind: 'string' },
  image_url: { kind: 'uri' },
  image_urls: { kind: 'string[]', minItems: 1, maxItems: 9, uri: true },
  reference_images: { kind: 'string[]', minItems: 1, maxItems: 9 },
  reference_image_type: { kind: 'enum', values: ['asset', 'style'] },
  material_asset_id: { kind: 'string', minLength: 1, maxLength: 256 },
  material_asset_ids: { kind: 'string[]', minItems: 1, maxItems: 9 },
  start_image: { kind: 'string', minLength: 1 },
  end_image: { kind: 'string', minLength: 1 },
  kling_elements: { kind: 'kling_elements' },
  video_url: { kind: 'uri' },
  video_urls: { kind: 'string[]', minItems: 1, maxItems: 3, uri: true },
  audio_url: { kind: 'uri' },
  audio_urls: { kind: 'string[]', minItems: 1, maxItems: 3, uri: true },
  task_id: { kind: 'string', minLength: 1, maxLength: 256 },
  extend_at: { kind: 'integer', min: 0 },
  extend_times: { kind: 'string', maxLength: 32 },
  duration: { kind: 'integer', min: -1, max: 60 },
  aspect_ratio: { kind: 'enum', values: ASPECT_RATIOS },
  resolution: { kind: 'enum', values: RESOLUTIONS },
  size: { kind: 'string', minLength: 1, maxLength: 32 },
  output_audio: { kind: 'boolean' },
  fps: { kind: 'integer', min: 1, max: 120 },
  seed: { kind: 'integer', min: -1, max: 4294967295 },
  cfg_scale: { kind: 'number', min: 0, max: 20 },
  motion_strength: { kind: 'number', min: 0, max: 1 },
  watermark: { kind: 'boolean' },
  effect_type: { kind: 'string', maxLength: 128 },
  user: { kind: 'string', maxLength: 256 },
  execution_expires_after: { kind: 'integer', min: 3600, max: 259200 },
  priority: { kind: 'integer', min: 0, max: 9 },
  safety_identifier: { kind: 'string', maxLength: 128 },
  service_tier: { kind: 'enum', values: ['default', 'flex'] },
  frames: { kind: 'integer', min: 1 },
  camera_fixed: { kind: 'boolean' },
  return_last_frame: { kind: 'boolean' },
  draft: { kind: 'boolean' },
  draft_task_id: { kind: 'string', minLength: 1, maxLength: 256 },
  // Vidgate extension: where to POST the task when it completes or fails (Standard Webhooks).
  callback_url: { kind: 'uri' },
};

/** Public aliases → canonical field. All spellings sent in one request must agree. */
export const ALIASES: Record<string, string> = {
  seconds: 'duration',
  ratio: 'aspect_ratio',
  outputAudio: 'output_audio',
  generate_audio: 'output_audio',
  referenceImages: 'reference_images',
  referenceImageType: 'reference_image_type',
};

export const KNOWN_FIELDS = [...Object.keys(FIELD_RULES), ...Object.keys(ALIASES)];
