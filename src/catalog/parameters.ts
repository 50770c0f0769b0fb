import type { Operation } from '../contract/operations.js';

/** Parameters every model accepts (identity, routing and tracing; never change the output). */
export const UNIVERSAL_PARAMETERS: readonly string[] = ['model', 'prompt', 'operation', 'user', 'callback_url', 'safety_identifier'];

/** Output-shape parameters; a model lists the ones it lets the caller choose. */
export const OUTPUT_PARAMETERS: readonly string[] = ['duration', 'resolution', 'aspect_ratio', 'output_audio'];

/**
 * The standard media inputs of each operation. An input of another operation sent with this one
 * is a conflict (e.g. reference_images on image-to-video); model-specific extras (kling_elements,
 * Seedance material ids and reference videos/audios) are checked by the model's own rules.
 */
export const OPERATION_INPUTS: Record<Operation, readonly string[]> = {
  'text-to-video': [],
  'image-to-video': ['image_url', 'image', 'image_urls'],
  'reference-to-video': ['reference_images', 'image_urls', 'reference_image_type'],
  'start-end-to-video': ['start_image', 'end_image'],
  'video-to-video': ['video_url'],
  'video-extension': ['task_id', 'video_url', 'extend_at', 'extend_times'],
  'audio-to-video': ['audio_url', 'audio_urls'],
  'motion-control': ['image_url', 'video_url'],
};

/**
 * Inputs that are one value under several names. The adapters read a first frame as image_url, else
 * image, else image_urls[0] (contract/media-inputs.ts), so two of them in one request would drop one
 * silently: only one may be sent.
 */
export const SAME_INPUT_NAMES: Partial<Record<Operation, readonly { input: string; names: readonly string[] }[]>> = {
  'image-to-video': [{ input: 'the first frame', names: ['image_url', 'image', 'image_urls'] }],
};

/** Model-specific media inputs an operation may opt into with OperationSpec.extra_inputs. */
export const EXTRA_INPUTS: readonly string[] = ['kling_elements', 'material_asset_id', 'material_asset_ids', 'video_urls', 'audio_urls', 'audio_url'];

/** Every media input, for the "belongs to another operation" check. */
export const MEDIA_INPUTS: readonly string[] = [...new Set([...Object.values(OPERATION_INPUTS).flat(), ...EXTRA_INPUTS])];

/**
 * What an operation needs, as groups of alternatives: every group must have one member present.
 * Shown in GET /v1/models/{id} as required_selectors ("a | b" = one of).
 */
export const REQUIRED_INPUTS: Record<Operation, readonly (readonly string[])[]> = {
  'text-to-video': [['prompt']],
  'image-to-video': [['image_url', 'image', 'image_urls']],
  'reference-to-video': [['reference_images', 'image_urls']],
  'start-end-to-video': [['start_image'], ['end_image']],
  'video-to-video': [['video_url']],
  'video-extension': [['task_id', 'video_url']],
  'audio-to-video': [['audio_url', 'audio_urls']],
  'motion-control': [['image_url'], ['video_url']],
};

/** The public create route; every video operation uses it. */
export const REQUEST_ENDPOINT = '/v1/videos/generations';
