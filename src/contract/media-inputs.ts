import type { VideoRequest } from './video-request.js';

/**
 * The media a request's inputs name, read the same way by every adapter. The catalog lets at most
 * one of a first frame's names through (rules.ts), so the order below never decides anything.
 */

/** The first frame of image-to-video (and Kling's motion-control character): image_url, image or image_urls[0]. */
export function firstFrameOf(req: Pick<VideoRequest, 'image_url' | 'image' | 'image_urls'>): string | undefined {
  return req.image_url ?? req.image ?? req.image_urls?.[0];
}

/** Reference images of reference-to-video: reference_images and image_urls together, as the catalog counts them. */
export function referenceImagesOf(req: Pick<VideoRequest, 'reference_images' | 'image_urls'>): string[] {
  return [...(req.reference_images ?? []), ...(req.image_urls ?? [])];
}
