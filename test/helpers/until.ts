import assert from 'node:assert/strict';

/**
 * A bounded wait on a condition (never a bare sleep deciding an outcome): resolves as soon as
 * `cond` holds, fails with "timed out waiting for: <what>" (and `detail()`, when given) otherwise.
 */
export async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 25, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    assert.ok(Date.now() < deadline, `timed out waiting for: ${what} (${timeoutMs} ms)${detail ? `; ${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
