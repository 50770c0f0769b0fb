import { sniffImageType } from './image-type.js';

/**
 * Pixel size of a PNG, JPEG, WebP, GIF or BMP read from its header bytes (no decoding); undefined
 * when the format is unknown or the header unreadable. The one header reader of all simulators:
 * which formats a provider accepts, and what sizes, stays in that provider's validation.
 */
export function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  try {
    switch (sniffImageType(bytes)) {
      case 'png':
        // The IHDR chunk always comes first: width and height are its first two fields.
        return bytes.toString('latin1', 12, 16) === 'IHDR' ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : undefined;
      case 'gif':
        return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
      case 'bmp':
        // A negative height marks a top-down bitmap.
        return { width: bytes.readInt32LE(18), height: Math.abs(bytes.readInt32LE(22)) };
      case 'webp':
        return webpSize(bytes);
      case 'jpeg':
        return jpegSize(bytes);
      default:
        return undefined;
    }
  } catch {
    return undefined; // truncated header
  }
}

/** Lossy (VP8), lossless (VP8L) or extended (VP8X) first chunk. */
function webpSize(b: Buffer): { width: number; height: number } | undefined {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return undefined;
}

/** Walks the JPEG segments to the first start-of-frame marker. */
function jpegSize(b: Buffer): { width: number; height: number } | undefined {
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
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  return undefined;
}
