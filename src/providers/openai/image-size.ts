/**
 * Pixel size of a PNG, JPEG or WebP image read from its header (the three formats Sora accepts
 * as input_reference, §1.3). Pure and cheap: Sora refuses a reference whose size differs from the
 * output size, so the adapter checks before spending an upstream call.
 */
export interface PixelSize {
  width: number;
  height: number;
}

export type SoraImageType = 'png' | 'jpeg' | 'webp';

/**
 * The types soraImageType recognises, by registered name: the first frames Sora takes. The catalog
 * refuses others at create with the same list (catalog/family-rules.ts acceptedImageTypes).
 */
export const SORA_IMAGE_TYPES: readonly string[] = Object.values({ png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } satisfies Record<SoraImageType, string>);

export function soraImageType(bytes: Buffer): SoraImageType | undefined {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** Width and height from the header, or undefined when the bytes are not a readable PNG/JPEG/WebP. */
export function imagePixelSize(bytes: Buffer): PixelSize | undefined {
  switch (soraImageType(bytes)) {
    case 'png':
      // The IHDR chunk always comes first: width and height are its first two fields.
      return bytes.length >= 24 && bytes.toString('latin1', 12, 16) === 'IHDR' ? valid(bytes.readUInt32BE(16), bytes.readUInt32BE(20)) : undefined;
    case 'jpeg':
      return jpegSize(bytes);
    case 'webp':
      return webpSize(bytes);
    default:
      return undefined;
  }
}

function valid(width: number, height: number): PixelSize | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** Walks the JPEG markers to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC). */
function jpegSize(b: Buffer): PixelSize | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    const length = b.readUInt16BE(i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return valid(b.readUInt16BE(i + 7), b.readUInt16BE(i + 5));
    if (marker === 0xda || length < 2) return undefined; // image data began without a frame header
    i += 2 + length;
  }
  return undefined;
}

/** WebP: lossy (VP8), lossless (VP8L) or extended (VP8X) first chunk. */
function webpSize(b: Buffer): PixelSize | undefined {
  if (b.length < 30) return undefined;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    // Frame tag (3 bytes) + start code 9d 01 2a, then 14-bit width and height.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return valid(b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return undefined;
    const bits = b.readUInt32LE(21);
    return valid((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    return valid(b.readUIntLE(24, 3) + 1, b.readUIntLE(27, 3) + 1);
  }
  return undefined;
}
