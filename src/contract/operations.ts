/** The public operations of TokenLab's video contract, in the order the OpenAPI enum lists them. */
export const OPERATIONS = ['text-to-video', 'image-to-video', 'reference-to-video', 'start-end-to-video', 'video-to-video', 'video-extension', 'audio-to-video', 'motion-control'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const ASPECT_RATIOS = ['adaptive', '16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export const RESOLUTIONS = ['480p', '720p', '1080p', '4k'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export function isOperation(v: unknown): v is Operation {
  return typeof v === 'string' && (OPERATIONS as readonly string[]).includes(v);
}
