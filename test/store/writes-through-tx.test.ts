/**
 * Every write in the store goes through `db.tx` (see `Db.kysely` in src/store/db.ts): a write made
 * on `db.kysely` directly is, on SQLite, an autocommit that waits for another connection's write
 * lock asleep on the event loop. sqlite-durability.test.ts shows the wait; this keeps new writes
 * from going around it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const STORE = path.join(import.meta.dirname, '../../src/store');
const DIRECT_WRITE = /\bdb\.kysely\s*\.\s*(insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\b/g;

/** `file:line` of every write made on `db.kysely` in `text`. */
export function directWrites(file: string, text: string): string[] {
  return [...text.matchAll(DIRECT_WRITE)].map((m) => `${file}:${text.slice(0, m.index).split('\n').length} ${m[1]}`);
}

describe('store writes', () => {
  it('go through db.tx, none on db.kysely directly (migrations aside)', () => {
    const found = fs
      .readdirSync(STORE)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => directWrites(f, fs.readFileSync(path.join(STORE, f), 'utf8')));
    assert.deepEqual(found, []);
  });

  it('the check finds a direct write, also across lines', () => {
    assert.deepEqual(directWrites('x.ts', "a\nawait this.db.kysely\n  .deleteFrom('t').execute();\nthis.db.tx((trx) => trx.insertInto('t'));"), ['x.ts:2 deleteFrom']);
  });
});
