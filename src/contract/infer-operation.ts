import type { Operation } from './operations.js';
import type { VideoRequest } from './video-request.js';

/**
 * Infers the operation of a request that did not name one, from the inputs present,
 * preferring an operation the model lists when the inputs fit several.
 */
export function inferOperation(req: VideoRequest, modelOps: readonly Operation[]): Operation {
  const has = (op: Operation) => modelOps.includes(op);
  const firstFrame = req.image_url !== undefined || req.image !== undefined;
  const images = req.image_urls !== undefined;
  const refs = req.reference_images !== undefined || req.material_asset_ids !== undefined || req.video_urls !== undefined || req.audio_urls !== undefined;

  if (req.start_image !== undefined || req.end_image !== undefined) return 'start-end-to-video';
  if (req.video_url !== undefined) {
    if ((firstFrame || images) && has('motion-control')) return 'motion-control';
    return has('motion-control') && !has('video-to-video') ? 'motion-control' : 'video-to-video';
  }
  if (req.task_id !== undefined && has('video-extension')) return 'video-extension';
  if (refs) return 'reference-to-video';
  if (firstFrame) return 'image-to-video';
  if (images) {
    // image_urls is a first frame on image-to-video models, a reference set on reference-only ones.
    if (has('image-to-video')) return 'image-to-video';
    if (has('reference-to-video')) return 'reference-to-video';
    return 'image-to-video';
  }
  if (req.audio_url !== undefined && has('audio-to-video')) return 'audio-to-video';
  return 'text-to-video';
}
