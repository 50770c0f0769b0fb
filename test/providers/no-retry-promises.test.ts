/**
 * An adapter's message becomes a task's error when the engine stops trying, so it must not promise
 * what the engine decides: retrying is the retry-policy table's business, and a terminal failure
 * that says "the gateway retries" is false (the engine adds "gave up after N attempts" itself).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { PACKAGE_ROOT } from '../../src/http/package-root.js';

const PROMISE = /gateway retries|will retry|retries (later|when)/i;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

it('no provider message promises a retry', () => {
  const found: string[] = [];
  for (const file of [...sources(path.join(PACKAGE_ROOT, 'src/providers')), ...sources(path.join(PACKAGE_ROOT, 'src/engine'))]) {
    for (const [i, line] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
      const code = line.replace(/\/\/.*$/, '').trim();
      if (code.startsWith('*') || code.startsWith('/*')) continue;
      // Only text inside quotes: log calls and comments may say what the engine does.
      const strings = code.match(/(['`"])(?:\\.|(?!\1).)*\1/g) ?? [];
      if (strings.some((s) => PROMISE.test(s)) && !/log\.(warn|info|debug|error)/.test(code)) found.push(`${path.relative(PACKAGE_ROOT, file)}:${i + 1}: ${code}`);
    }
  }
  assert.deepEqual(found, []);
});
