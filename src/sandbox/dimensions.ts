/** Short-side pixel counts of the resolution names providers use. */
const SHORT_SIDE: Record<string, number> = {
  '360p': 360,
  '480p': 480,
  '540p': 540,
  '720p': 720,
  '768p': 768,
  '1080p': 1080,
  '1440p': 1440,
  '2k': 1440,
  '4k': 2160,
  '2160p': 2160,
};

function toEven(n: number): number {
  return Math.round(n / 2) * 2;
}

/**
 * Pixel size for an aspect ratio ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", any "w:h") at a
 * resolution name ("480p" … "4k"): the short side is the resolution, the long side follows the
 * ratio, both even (H.264 yuv420p needs even sizes). 720p 16:9 = 1280x720, 4k 16:9 = 3840x2160.
 */
export function dimensionsFor(aspectRatio: string, resolution: string): { width: number; height: number } {
  const shortSide = SHORT_SIDE[resolution.trim().toLowerCase()];
  if (shortSide === undefined) {
    throw new RangeError(`unknown resolution "${resolution}" (known: ${Object.keys(SHORT_SIDE).join(', ')})`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(aspectRatio);
  const w = match ? Number(match[1]) : NaN;
  const h = match ? Number(match[2]) : NaN;
  if (!(w > 0 && h > 0)) throw new RangeError(`invalid aspect ratio "${aspectRatio}" (expected "w:h")`);
  if (w >= h) return { width: toEven((shortSide * w) / h), height: shortSide };
  return { width: shortSide, height: toEven((shortSide * h) / w) };
}

/** Even output size (at least 16 px) whose short side is `shortSide` and whose shape follows width:height. */
export function followShape(width: number, height: number, shortSide: number): { width: number; height: number } {
  const even = (n: number) => Math.max(16, Math.round(n / 2) * 2);
  return width >= height ? { width: even((shortSide * width) / height), height: shortSide } : { width: shortSide, height: even((shortSide * height) / width) };
}
