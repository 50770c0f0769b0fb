/** Image container formats ffmpeg here can decode, recognised by their magic bytes. */
export type ImageType = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

/** Identify image bytes by signature (never trust a declared mime type); undefined if unknown. */
export function sniffImageType(bytes: Buffer): ImageType | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return 'gif';
  if (bytes.length >= 2 && bytes.toString('latin1', 0, 2) === 'BM') return 'bmp';
  return undefined;
}
