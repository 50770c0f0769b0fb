/**
 * How to answer a GET with a Range header, per RFC 9110 §14: `full` (200, the whole file) when
 * there is no Range or it must or may be ignored, `partial` (206) for one satisfiable byte range,
 * `unsatisfiable` (416) when the one range asked for lies wholly past the end.
 *
 * Ignored, so the whole file is sent: a method other than GET; a unit other than `bytes`; a
 * syntactically invalid range set; an `If-Range` that does not match the current ETag (strong
 * comparison; dates never match, as we send no Last-Modified); and a request for several ranges
 * (answered whole rather than as multipart/byteranges, which players do not need).
 */
export type RangeAnswer = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const FULL: RangeAnswer = { kind: 'full' };

export function answerRange(req: { method: string; range?: string; ifRange?: string }, size: number, etag: string): RangeAnswer {
  if (req.method !== 'GET' || req.range === undefined) return FULL;
  if (req.ifRange !== undefined && req.ifRange.trim() !== etag) return FULL;
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(.*)$/.exec(req.range);
  if (m?.[1].toLowerCase() !== 'bytes') return FULL;
  const specs = m[2]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length !== 1) return FULL;
  const spec = /^(?:(\d+)-(\d*)|-(\d+))$/.exec(specs[0]);
  if (!spec) return FULL;
  if (spec[3] !== undefined) {
    // Suffix range: the last N bytes.
    const suffix = Number(spec[3]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const first = Number(spec[1]);
  const last = spec[2] === '' ? Infinity : Number(spec[2]);
  if (last < first) return FULL; // invalid range-spec: ignored
  if (first >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start: first, end: Math.min(last, size - 1) };
}
