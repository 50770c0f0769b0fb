/**
 * Where a JSON text gives one key twice in the same object, which JSON.parse accepts silently,
 * keeping the last value: `{"model":"veo3.1-fast","model":"sora-2"}` would make a sora-2 video.
 * Every JSON request body is checked with this once it has parsed (http/request-parsing.ts), so a
 * repeated key is a 400 naming it, as a multipart field sent twice is.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Up to this many keys, an object's keys are compared where they stand in the text; past it, they go into a Set. */
const IN_PLACE = 16;

/**
 * The first key `json` gives twice within one object, as a path in the style of our error params
 * (`model`, `input_reference.image_url`, `kling_elements[1].name`); null when every object's keys
 * are distinct. Objects at any depth are checked, each against its own keys only (two elements of
 * an array may both have a `name`). Keys compare as JSON.parse reads them: `"\u006dodel"` is
 * `model`.
 *
 * Only for text JSON.parse accepted: it relies on that (a string followed by `:` is a key, every
 * bracket is matched) rather than checking it again. One pass over the text with nothing allocated
 * per character: a string's contents are skipped with indexOf to its closing quote (an inline
 * base64 upload of tens of MiB is one such jump). A key is kept as its place in the text and
 * compared there with its object's earlier keys, so a create's dozen keys cost no strings
 * (bench/README.md: about 0.7 of what a Set of them costs, and less than JSON.parse of the body);
 * a key with an escape is read as JSON.parse reads it; an object past IN_PLACE keys gets a Set, so
 * 100,000 keys in one object are not 10^10 comparisons.
 */
export function repeatedKey(json: string): string | null {
  const keys = new Keys(json);
  // Per open container, innermost last: an object's first key in `keys`, or -1 for an array …
  const first: number[] = [];
  // … an object's current key in `keys`, or an array's current element …
  const current: number[] = [];
  // … and an object's keys as a Set once it has more than IN_PLACE of them.
  const sets: (Set<string> | undefined)[] = [];
  let depth = -1;
  const end = json.length;
  for (let i = 0; i < end; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      const close = closingQuote(json, i + 1);
      let next = close + 1;
      for (let w = json.charCodeAt(next); w === 0x20 || w === 0x0a || w === 0x0d || w === 0x09; w = json.charCodeAt(++next));
      if (json.charCodeAt(next) !== COLON) {
        i = close;
        continue;
      }
      const key = keys.push(i + 1, close);
      const from = first[depth];
      let set = sets[depth];
      if (set === undefined) {
        for (let k = from; k < key; k++) if (keys.same(k, key)) return pathTo(keys, first, current, depth, key);
        if (key - from === IN_PLACE) {
          set = new Set();
          for (let k = from; k <= key; k++) set.add(keys.text(k));
          sets[depth] = set;
        }
      } else {
        const text = keys.text(key);
        if (set.has(text)) return pathTo(keys, first, current, depth, key);
        set.add(text);
      }
      current[depth] = key;
      i = next;
    } else if (c === OPEN_OBJECT) {
      first[++depth] = keys.count;
      sets[depth] = undefined;
    } else if (c === OPEN_ARRAY) {
      first[++depth] = -1;
      current[depth] = 0;
    } else if (c === COMMA) {
      if (first[depth] === -1) current[depth]++;
    } else if (c === CLOSE_OBJECT) {
      keys.count = first[depth];
      sets[depth--] = undefined;
    } else if (c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return null;
}

/** The keys of the open objects, innermost last, each as where it stands in the text. */
class Keys {
  count = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** A key with an escape, as JSON.parse reads it (else undefined: its characters are its text). */
  private readonly decoded: (string | undefined)[] = [];

  constructor(private readonly json: string) {}

  /** The key whose characters are json[start, close) (close: its closing quote); its index. */
  push(start: number, close: number): number {
    const k = this.count++;
    this.starts[k] = start;
    this.ends[k] = close;
    let decoded: string | undefined;
    for (let at = start; at < close; at++) {
      if (this.json.charCodeAt(at) === BACKSLASH) {
        decoded = JSON.parse(this.json.slice(start - 1, close + 1)) as string;
        break;
      }
    }
    this.decoded[k] = decoded;
    return k;
  }

  same(a: number, b: number): boolean {
    if (this.decoded[a] !== undefined || this.decoded[b] !== undefined) return this.text(a) === this.text(b);
    const length = this.ends[a] - this.starts[a];
    if (this.ends[b] - this.starts[b] !== length) return false;
    const json = this.json;
    const from = this.starts[a];
    const to = this.starts[b];
    for (let j = 0; j < length; j++) if (json.charCodeAt(from + j) !== json.charCodeAt(to + j)) return false;
    return true;
  }

  text(k: number): string {
    return this.decoded[k] ?? this.json.slice(this.starts[k], this.ends[k]);
  }
}

/** Characters read one by one after an escaped quote before indexOf takes over again. */
const AFTER_ESCAPED_QUOTE = 256;

/**
 * The index of the quote that closes the string whose contents start at `from`: the next quote
 * not escaped (preceded by an even run of backslashes). indexOf jumps to each quote; after an
 * escaped one the next characters are read one by one, as text full of them (JSON written inside
 * a string) would otherwise cost a call per quote.
 */
function closingQuote(json: string, from: number): number {
  let at = from;
  for (;;) {
    const q = json.indexOf('"', at);
    // Unterminated (not JSON): the rest of the text.
    if (q === -1) return json.length;
    let b = q - 1;
    while (b >= from && json.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    const stop = Math.min(q + AFTER_ESCAPED_QUOTE, json.length);
    for (at = q + 1; at < stop; at++) {
      const c = json.charCodeAt(at);
      if (c === BACKSLASH) at++;
      else if (c === QUOTE) return at;
    }
  }
}

/** `kling_elements[1].name`: the open containers' current keys and elements, then the repeated key. */
function pathTo(keys: Keys, first: number[], current: number[], depth: number, key: number): string {
  let path = '';
  for (let level = 0; level < depth; level++) {
    if (first[level] === -1) path += `[${current[level]}]`;
    else path += path === '' ? keys.text(current[level]) : `.${keys.text(current[level])}`;
  }
  const name = keys.text(key);
  return path === '' ? name : `${path}.${name}`;
}
