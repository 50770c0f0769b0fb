import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repeatedKey } from '../../src/contract/repeated-keys.js';

/** The scanner is only ever given text JSON.parse accepted: every case here is checked to be so. */
const scan = (json: string) => {
  JSON.parse(json);
  return repeatedKey(json);
};

describe('repeatedKey', () => {
  it('finds a key given twice at the top level, whatever lies between them', () => {
    assert.equal(scan('{"model":"veo3.1-fast","model":"sora-2","prompt":"x"}'), 'model');
    assert.equal(scan('{"seconds":"4","prompt":"x","seconds":"4"}'), 'seconds', 'the same value twice too');
    assert.equal(scan(' {\n\t"a" : 1 ,\r\n "b":[1,2,{"c":3}], "a"\n:\n2 } '), 'a', 'whitespace around keys and colons');
    assert.equal(scan('{"":1,"":2}'), '', 'the empty key');
    assert.equal(scan('{"a":1,"b":2,"c":3,"b":4,"a":5}'), 'b', 'the first repeat in the text');
  });

  it('is null when every object has distinct keys, and for bodies without objects', () => {
    for (const json of ['{}', '{"model":"veo3.1-fast","prompt":"x","duration":4}', '[]', '"text"', '42', 'null', '[1,"a",[true,null]]', '{"a":{"a":{"a":{}}}}']) assert.equal(scan(json), null, json);
  });

  it('reads string contents as contents: escaped quotes and backslashes, and keys written inside strings', () => {
    assert.equal(scan('{"prompt":"say \\"model\\": twice","model":"m"}'), null, 'an escaped quote does not end the string');
    assert.equal(scan('{"prompt":"\\\\","model":"m","prompt2":"\\\\\\"model\\":"}'), null, 'a string ending in an escaped backslash ends there');
    assert.equal(scan('{"prompt":"{\\"model\\":1,\\"model\\":2}","model":"m"}'), null, 'a JSON text inside a string is text');
    assert.equal(scan('{"a\\"b":1,"a\\"b":2}'), 'a"b', 'a key with an escaped quote');
    assert.equal(scan('{"a\\\\":1,"a\\\\":2}'), 'a\\', 'a key ending in a backslash');
    assert.equal(scan('{"a":"x\\\\","a":"y"}'), 'a');
    assert.equal(scan('{"p":"a,b:c{d}[e]","q":1}'), null, 'punctuation inside a value is not structure');
  });

  it('strings dense with escaped quotes and backslashes, whatever their length, end where they end', () => {
    for (let n = 0; n < 600; n++) {
      // Each quote inside looks like the end of the string followed by a key "k".
      const value = `"${'a'.repeat(n)}\\","k":3,"\\\\"${'b'.repeat(n % 7)}","k":`;
      assert.equal(scan(`{"k":1,"p":${JSON.stringify(value)}}`), null, `n = ${n}`);
      assert.equal(scan(`{"k":1,"p":${JSON.stringify(value)},"k":2}`), 'k', `n = ${n}`);
    }
  });

  it('compares keys as JSON.parse reads them: an escape is the character it stands for', () => {
    assert.equal(scan('{"model":"veo3.1-fast","\\u006dodel":"sora-2"}'), 'model');
    assert.equal(scan('{"\\u006Dodel":"veo3.1-fast","model":"sora-2"}'), 'model', 'upper-case hex digits');
    assert.equal(scan('{"a\\/b":1,"a/b":2}'), 'a/b');
    assert.equal(scan('{"\\ud83c\\udfac":1,"🎬":2}'), '🎬', 'a surrogate pair');
    assert.equal(scan('{"model":1,"Model":2,"model ":3}'), null, 'case and spaces count');
  });

  it('checks objects at every depth, each against its own keys only, and names the path', () => {
    assert.equal(scan('{"input_reference":{"image_url":"a","image_url":"b"}}'), 'input_reference.image_url');
    assert.equal(scan('{"kling_elements":[{"name":"a"},{"name":"b","name":"c"}]}'), 'kling_elements[1].name');
    assert.equal(scan('{"kling_elements":[{"name":"a","x":1},{"name":"b","x":2}]}'), null, 'elements of an array are separate objects');
    assert.equal(scan('{"a":{"b":1},"c":{"b":2}}'), null, 'sibling objects are separate');
    assert.equal(scan('{"a":{"x":1},"b":[[{"x":1}],{"y":[{"z":1,"z":2}]}]}'), 'b[1].y[0].z');
    assert.equal(scan('{"a":{"b":{"c":1}},"a":2}'), 'a', 'the outer key after its nested object closed');
    assert.equal(scan('{"a":{"k":1},"b":{"k":1,"k":2}}'), 'b.k', "a sibling's keys do not linger");
    assert.equal(scan('[{"a":1},{"a":1,"a":2}]'), '[1].a', 'a top-level array');
    assert.equal(scan('{"a":[1,"x,y",2,{"b":1,"b":2}]}'), 'a[3].b', 'commas inside strings do not count as elements');
  });

  it('objects of many keys: the same answers', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',');
    assert.equal(scan(`{${many(100_000)}}`), null);
    assert.equal(scan(`{${many(20)},"k3":1}`), 'k3', 'a repeat of an early key, after the 16th');
    assert.equal(scan(`{${many(20)},"k19":1}`), 'k19', 'a repeat of a late key');
    assert.equal(scan(`{${many(15)},"k14":1}`), 'k14', 'the 16th key');
    assert.equal(scan(`{${many(16)},"k15":1}`), 'k15', 'the 17th key');
    assert.equal(scan(`{${many(20)},"\u006b7":1}`), 'k7', 'an escape');
    assert.equal(scan(`{"\u006b7":0,${many(20)}}`), 'k7', 'an escape among the first');
    assert.equal(scan(`{"o":{${many(30)}},"p":{${many(30)}},"o":1}`), 'o', "nested objects' keys are theirs");
    assert.equal(scan(`[{${many(30)}},{${many(30)},"k0":1}]`), '[1].k0');
  });

  it('a 30 MiB string and 100,000-deep nesting take one pass', () => {
    const media = `data:image/png;base64,${'QUJD'.repeat((30 * 1024 * 1024) / 4)}`;
    assert.equal(scan(`{"model":"veo3.1-fast","image":"${media}","model":"sora-2"}`), 'model');
    assert.equal(scan(`{"image":"${media.replaceAll('/', '\\/')}","model":"m"}`), null, 'escaped slashes throughout');
    const deep = 100_000;
    assert.equal(scan(`${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}`), null);
    assert.equal(scan(`${'['.repeat(deep)}{"a":1,"a":2}${']'.repeat(deep)}`), `${'[0]'.repeat(deep)}.a`);
  });

  it('agrees with the objects as written, for random documents with repeated keys, escapes and whitespace', () => {
    // mulberry32: the same documents on every run.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const space = () => [' ', '', '\n', '\t', '\r\n  '][random(5)];
    // A key as text: its characters, some written as \u escapes.
    const keyText = (key: string) => `"${[...key].map((ch) => (random(4) === 0 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch === '"' || ch === '\\' ? `\\${ch}` : ch)).join('')}"`;
    /** A random value as text, and the first repeated key's path in text order (or null). */
    const value = (depth: number, path: string, found: { path: string | null }): string => {
      const kind = depth > 4 ? 0 : random(4);
      if (kind === 0) return ['1', '"s\\"t"', 'null', '"{\\"a\\":1,\\"a\\":2}"', '"\\\\"'][random(5)];
      if (kind === 1) {
        const items = Array.from({ length: random(4) }, (_, i) => value(depth + 1, `${path}[${i}]`, found));
        return `[${space()}${items.join(`${space()},${space()}`)}${space()}]`;
      }
      const seen = new Set<string>();
      const entries: string[] = [];
      // Now and then an object of more keys than are compared in place.
      const big = depth < 2 && random(8) === 0;
      for (let n = big ? 17 + random(30) : random(5); n > 0; n--) {
        const key = big ? `k${random(80)}` : ['a', 'b', 'mo"del', 'c\\'][random(4)];
        const at = path === '' ? key : `${path}.${key}`;
        if (seen.has(key) && found.path === null) found.path = at;
        seen.add(key);
        entries.push(`${keyText(key)}${space()}:${space()}${value(depth + 1, at, found)}`);
      }
      return `{${space()}${entries.join(`${space()},${space()}`)}${space()}}`;
    };
    let repeats = 0;
    for (let n = 0; n < 3000; n++) {
      const found = { path: null as string | null };
      const json = value(0, '', found);
      assert.equal(scan(json), found.path, json);
      if (found.path !== null) repeats++;
    }
    assert.ok(repeats > 300 && repeats < 2700, `${repeats} of 3000 had a repeated key`);
  });
});
