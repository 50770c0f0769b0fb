/**
 * The create writer thread loads few modules (src/store/create-writer-thread.ts): every gateway
 * starts one, and Kysely alone takes about a quarter of a second to load. Its modules' value
 * imports (type-only ones are erased) are followed here; an import of Kysely, tasks.ts or ledger.ts
 * slipped into create-task.ts or a module it uses fails this test.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const SRC = path.join(import.meta.dirname, '../../src');
// `import … from '…'` and `export … from '…'`, except `import type` / `export type` (erased).
const VALUE_IMPORT = /^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+'([^']+)'|^import\s+'([^']+)'/gm;

/** Every package and src module (relative to src/) that loading `entry` loads. */
export function loadedBy(entry: string): { packages: Set<string>; modules: Set<string> } {
  const packages = new Set<string>();
  const modules = new Set<string>();
  const visit = (file: string) => {
    const rel = path.relative(SRC, file);
    if (modules.has(rel)) return;
    modules.add(rel);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(VALUE_IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('node:') ? spec : spec.split('/')[0]);
    }
  };
  visit(path.join(SRC, entry));
  return { packages, modules };
}

describe('the create writer thread', () => {
  it('loads better-sqlite3 and Node built-ins only, not Kysely, tasks.ts or ledger.ts', () => {
    const { packages, modules } = loadedBy('store/create-writer-thread.ts');
    assert.deepEqual(
      [...packages].filter((p) => !p.startsWith('node:')),
      ['better-sqlite3'],
    );
    assert.ok(modules.has('store/create-task.ts'), 'the walk follows the thread program into create-task.ts');
    for (const heavy of ['store/tasks.ts', 'store/ledger.ts']) assert.ok(!modules.has(heavy), `${heavy} is loaded`);
  });

  it('the walk finds Kysely where it is imported', () => {
    assert.ok(loadedBy('store/tasks.ts').packages.has('kysely'));
  });
});
