/** Strict `data:<mime>[;param=value]*;base64,<data>` parsing (RFC 2397, base64 form only). */
import type { MediaBytes } from '../providers/types.js';
import { MediaError } from './errors.js';
import { declaredTypeMismatch, isGenericContentType, registeredMimeType, sniffMimeType, type MediaKind } from './sniff.js';

const DATA_URL = /^data:([a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+)((?:;[a-z0-9!#$&^_.+-]+=[^;,]*)*);base64,(.*)$/is;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function isDataUrl(value: string): boolean {
  return /^data:/i.test(value);
}

/** The header checks only (cheap, no decoding): null when it looks valid, else a problem message. */
export function dataUrlProblem(value: string): string | null {
  const m = DATA_URL.exec(value);
  if (!m) return "a data: URL must look like 'data:<type>/<subtype>;base64,<data>'";
  const data = m[3];
  if (data.length === 0) return 'the data: URL carries no data';
  if (data.length % 4 !== 0 || !BASE64.test(data)) return 'the data: URL payload is not valid base64 (no whitespace or URL-safe alphabet)';
  return null;
}

/** Decoded size without decoding, to refuse oversized inputs before allocating them. */
export function decodedBase64Length(data: string): number {
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return (data.length / 4) * 3 - pad;
}

/**
 * The declared type as declared (lowercased: image/jpg stays image/jpg, so a refusal quotes what the
 * caller sent) and the first bytes (enough to sniff), reading only the start of the value: a
 * multi-megabyte payload is not scanned again (its syntax is checked once, by dataUrlProblem).
 */
export function dataUrlHead(value: string): { mimeType: string; head: Buffer } | null {
  // Parameters cannot hold a comma, so the first one ends the header.
  const m = DATA_URL.exec(value.slice(0, value.indexOf(',') + 1 + 64));
  return m ? { mimeType: m[1].toLowerCase(), head: Buffer.from(m[3], 'base64') } : null;
}

/**
 * A data: URL whose declared type has another registered name, rewritten to declare that name
 * (`data:image/jpg;base64,…` → `data:image/jpeg;base64,…`, parameters and payload untouched), for
 * the providers that are sent the data: URL itself. Anything else comes back as it is, the same
 * string; only the header is read.
 */
export function withRegisteredType(value: string): string {
  const h = isDataUrl(value) ? dataUrlHead(value) : null;
  if (!h) return value;
  const registered = registeredMimeType(h.mimeType);
  // The declared name is as long as its lowercased form: the rest of the value follows it.
  return registered === h.mimeType ? value : `data:${registered}${value.slice(5 + h.mimeType.length)}`;
}

/**
 * The type an inline input goes upstream as: its declared type under its registered name, or, when
 * it declares a generic one, the type its first bytes show (undefined when they show none, and for
 * anything that is not a data: URL).
 */
export function inlineMediaType(value: string): string | undefined {
  const h = isDataUrl(value) ? dataUrlHead(value) : null;
  if (!h) return undefined;
  return isGenericContentType(h.mimeType) ? sniffMimeType(h.head) : registeredMimeType(h.mimeType);
}

/** For a data: URL, why its bytes cannot be the declared type, of `kind` (sniffing its head only); else null. */
export function inlineTypeProblem(value: string, kind: MediaKind): string | null {
  const h = isDataUrl(value) ? dataUrlHead(value) : null;
  return h ? declaredTypeMismatch(h.mimeType, h.head, kind) : null;
}

export interface ParsedDataUrl extends MediaBytes {
  /** Size of the payload once decoded. */
  size: number;
}

export function parseDataUrl(value: string, maxBytes = Infinity): ParsedDataUrl {
  const problem = dataUrlProblem(value);
  if (problem) throw new MediaError('input_invalid', `Invalid data: URL: ${problem}.`);
  const m = DATA_URL.exec(value)!;
  const size = decodedBase64Length(m[3]);
  if (size > maxBytes) throw new MediaError('input_too_large', `The data: URL payload is ${size} bytes; the limit is ${maxBytes} bytes.`);
  return { bytes: Buffer.from(m[3], 'base64'), mimeType: registeredMimeType(m[1].toLowerCase()), size };
}
