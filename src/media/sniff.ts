/** Recognises a media type from its first bytes, for when Content-Type is missing or generic. */

export type MediaKind = 'image' | 'video' | 'audio';

function ascii(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.subarray(start, end)).toString('latin1');
}

/** ISO-BMFF major brands of HEIF stills and sequences (ISO/IEC 23008-12). */
const HEIF_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1'];

/**
 * Top-level ISO-BMFF / QuickTime boxes other than ftyp that a file may open with: QuickTime files
 * made before ftyp existed start with wide, mdat, moov, free, skip or pnot (QuickTime File Format,
 * "Atoms"), and any ISO-BMFF file may lead with a uuid box.
 */
const LEADING_BOXES = ['moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid'];

/** Returns a MIME type, or undefined when the bytes are not a format we recognise. */
export function sniffMimeType(b: Uint8Array): string | undefined {
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) {
    return 'image/png';
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 14 && ascii(b, 0, 2) === 'BM' && b[6] === 0 && b[7] === 0 && b[8] === 0 && b[9] === 0) return 'image/bmp';
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return 'image/tiff';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'image/gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF') {
    const form = ascii(b, 8, 12);
    if (form === 'WEBP') return 'image/webp';
    if (form === 'WAVE') return 'audio/wav';
    if (form === 'AVI ') return 'video/x-msvideo';
  }
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand.startsWith('M4A') || brand.startsWith('M4B')) return 'audio/mp4';
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (HEIF_BRANDS.includes(brand)) return 'image/heic';
    return 'video/mp4';
  }
  if (b.length >= 8 && LEADING_BOXES.includes(ascii(b, 4, 8))) {
    // The box size: 0 (to the end of the file), 1 (a 64-bit size follows) or at least its 8-byte header.
    const size = Buffer.from(b.buffer, b.byteOffset, 4).readUInt32BE(0);
    if (size <= 1 || size >= 8) return 'video/quicktime';
  }
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'video/webm';
  if (b.length >= 3 && ascii(b, 0, 3) === 'ID3') return 'audio/mpeg';
  // MPEG audio frame sync (11 bits) with layer III.
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) === 0x02) return 'audio/mpeg';
  // AAC in ADTS frames: sync word, layer 00.
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xf6) === 0xf0) return 'audio/aac';
  if (b.length >= 4 && ascii(b, 0, 4) === 'OggS') return 'audio/ogg';
  if (b.length >= 4 && ascii(b, 0, 4) === 'fLaC') return 'audio/flac';
  return undefined;
}

export function kindOfMime(mime: string): MediaKind | undefined {
  const top = mime.split('/')[0].toLowerCase();
  return top === 'image' || top === 'video' || top === 'audio' ? top : undefined;
}

/** Content types that say nothing about the payload; we sniff instead. */
export function isGenericContentType(mime: string | undefined): boolean {
  if (!mime) return true;
  const m = mime.toLowerCase();
  return m === 'application/octet-stream' || m === 'binary/octet-stream' || m === 'application/binary' || m === 'application/unknown';
}

/** `Content-Type: image/png; charset=x` → `image/png`. */
export function essenceOf(contentType: string | undefined | null): string | undefined {
  const e = contentType?.split(';')[0].trim().toLowerCase();
  return e ? e : undefined;
}

/**
 * Names clients use for a type that has another registered name: `image/jpg` is the usual
 * misspelling of image/jpeg (no such type is registered), `image/pjpeg` the name old Internet
 * Explorer gave progressive JPEGs. Upstreams are sent the registered name: Kling accepts PNG or JPEG,
 * the Gemini API answers "Unsupported MIME type: image/jpg", OpenAI refuses an upload typed image/jpg.
 */
const ALIASES: Readonly<Record<string, string>> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg' };

/** A MIME type (lowercase essence) under its registered name: `image/jpg` → `image/jpeg`; any other unchanged. */
export function registeredMimeType(mime: string): string {
  return ALIASES[mime] ?? mime;
}

/**
 * Decides the MIME type of fetched/decoded bytes for the expected kind, or returns a problem.
 * A specific declared type of the right kind is kept (under its registered name) unless the bytes
 * are clearly another kind; a generic or missing type must be confirmed by sniffing.
 */
export function resolveMimeType(declared: string | undefined, bytes: Uint8Array, kind: MediaKind): { mimeType: string } | { problem: string } {
  const sniffed = sniffMimeType(bytes);
  const sniffedKind = sniffed ? kindOfMime(sniffed) : undefined;
  if (!isGenericContentType(declared)) {
    const declaredKind = kindOfMime(declared!);
    if (declaredKind !== kind) return { problem: `expected ${kindLabel(kind)} but the content type is '${declared}'` };
    // One container serves video and audio (an M4A sniffs as video/mp4 or, led by moov, video/quicktime).
    if (sniffedKind && sniffedKind !== kind && !formatOf(declared!)?.includes(sniffed!)) return { problem: `declared '${declared}' but the bytes are ${sniffed}` };
    return { mimeType: registeredMimeType(declared!) };
  }
  if (!sniffed) return { problem: `expected ${kindLabel(kind)} but the content type is ${declared ? `'${declared}'` : 'missing'} and the bytes are not a recognised ${kind} format` };
  if (sniffedKind !== kind) return { problem: `expected ${kindLabel(kind)} but the bytes are ${sniffed}` };
  return { mimeType: sniffed };
}

/**
 * Types that name the same bytes: spellings of one format, and relatives the first bytes cannot tell
 * apart (one ISO-BMFF container for mp4/mov/m4a, whose brand says little; Matroska and WebM).
 */
const SAME_FORMAT: readonly (readonly string[])[] = [
  ['image/png', 'image/apng', 'image/x-png'],
  ['image/jpeg', 'image/jpg', 'image/pjpeg'],
  ['image/gif'],
  ['image/webp'],
  ['image/bmp', 'image/x-bmp', 'image/x-ms-bmp'],
  ['image/tiff'],
  ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence', 'image/avif'],
  ['video/mp4', 'video/quicktime', 'video/x-m4v', 'video/3gpp', 'video/3gpp2', 'audio/mp4', 'audio/m4a', 'audio/x-m4a'],
  ['video/webm', 'audio/webm', 'video/x-matroska', 'audio/x-matroska'],
  ['video/x-msvideo', 'video/avi', 'video/msvideo'],
  ['audio/mpeg', 'audio/mp3', 'audio/mpeg3', 'audio/x-mpeg', 'audio/x-mp3'],
  ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'],
  ['audio/aac', 'audio/x-aac', 'audio/aacp'],
  ['audio/ogg', 'audio/opus', 'audio/vorbis', 'video/ogg'],
  ['audio/flac', 'audio/x-flac'],
];

const formatOf = (mime: string) => SAME_FORMAT.find((group) => group.includes(mime));

/**
 * Why bytes cannot be what their data: URL declares, or null when they can. The declared type must
 * be of the field's kind (a generic one leaves it to the bytes). Bytes recognised here as a format
 * must be of the declared format; bytes recognised as none (an MP3 with junk before its first frame,
 * a container this module does not know) are left to the engine's probe, which reads the whole file.
 * `bytes` may be just the head.
 */
export function declaredTypeMismatch(declared: string, bytes: Uint8Array, kind: MediaKind): string | null {
  const sniffed = sniffMimeType(bytes);
  if (isGenericContentType(declared)) {
    if (!sniffed) return `it declares '${declared}' and its bytes are not a recognised ${kind} format`;
    return kindOfMime(sniffed) === kind ? null : `its bytes are ${sniffed}, not ${kindLabel(kind)}`;
  }
  if (kindOfMime(declared) !== kind) return `it declares '${declared}', which is not ${kindLabel(kind)}`;
  if (sniffed) return formatOf(declared)?.includes(sniffed) ? null : `it declares '${declared}' but its bytes are ${sniffed}`;
  return null;
}

function kindLabel(kind: MediaKind): string {
  return kind === 'image' ? 'an image' : kind === 'video' ? 'a video' : 'audio';
}
