/** Longest quote of a client's value in an error message. */
const DEFAULT_MAX = 40;
/** Deeper than this, containers are shown as […] / {…}. */
const MAX_DEPTH = 4;

/**
 * A client's value as an error message quotes it: JSON-like, at most `max` characters, and safe for
 * any input. A value nested 100,000 deep or a 30 MB string is neither walked in full nor echoed back
 * (JSON.stringify overflows the stack on the first and copies the second into the answer).
 */
export function preview(value: unknown, max = DEFAULT_MAX): string {
  let out = '';
  const full = () => out.length > max;
  const walk = (v: unknown, depth: number): void => {
    if (full()) return;
    if (Array.isArray(v)) {
      if (depth >= MAX_DEPTH) {
        out += '[…]';
        return;
      }
      out += '[';
      for (let i = 0; i < v.length && !full(); i++) {
        if (i > 0) out += ',';
        walk(v[i], depth + 1);
      }
      out += ']';
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) {
        out += '{…}';
        return;
      }
      out += '{';
      let first = true;
      for (const k of Object.keys(v)) {
        if (full()) break;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(clip(k, max))}:`;
        walk((v as Record<string, unknown>)[k], depth + 1);
      }
      out += '}';
    } else if (typeof v === 'string') {
      out += JSON.stringify(clip(v, max));
    } else {
      out += String(v);
    }
  };
  walk(value, 0);
  return full() ? `${out.slice(0, max)}…` : out;
}

/** A client's name (a parameter, a field) cut to `max` characters, marked when cut. */
export function clip(s: string, max = 64): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Longer than any id the gateway issues (task ids are 39 characters). */
const ID_MAX = 64;

/**
 * A client's id as an error message quotes it: in full, so it can be compared with the one they
 * hold; only input longer than any id could be is clipped.
 */
export function quoteId(id: string): string {
  return JSON.stringify(clip(id, ID_MAX));
}
