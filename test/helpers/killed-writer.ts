/**
 * Real leftovers of real crashes: a node process running the gateway's own code writes a file, and
 * is SIGKILLed with the file half written — what `kill -9` leaves on disk.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './gateway-process.js';

export interface Writer {
  /** The file it is writing (the one new file in the folder). */
  file: string;
  child: ChildProcess;
  /** SIGKILL, and wait for the exit (nothing if it exited already). */
  kill(): Promise<void>;
}

/** An endless stream of bytes, as ESM source for a writer's script: `Readable` from node:stream must be imported. */
export const ENDLESS_SOURCE = 'new Readable({ read() { setTimeout(() => this.push(Buffer.alloc(4096, 1)), 5); } })';

/** Runs `script` (ESM, through tsx, from the repository root); resolves once it has written bytes to a new file in `dir`. */
export async function startWriter(script: string, dir: string): Promise<Writer> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      assert.ok(Date.now() < deadline, 'the writer never started its file');
      assert.equal(child.exitCode, null, 'the writer exited on its own');
      const found = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => !before.has(n)) : [];
      if (found.length === 1 && fs.statSync(path.join(dir, found[0])).size > 0) return { file: path.join(dir, found[0]), child, kill };
      await sleep(20);
    }
  } catch (err) {
    await kill();
    throw err;
  }
}

/** What a crash mid-write leaves: the writer SIGKILLed with its file half written. Returns the file. */
export async function crashMidWrite(script: string, dir: string): Promise<string> {
  const w = await startWriter(script, dir);
  await w.kill();
  return w.file;
}

/** Makes `file` look untouched for `ms` (its modification time moved back). */
export function age(file: string, ms: number): void {
  const t = new Date(Date.now() - ms);
  fs.utimesSync(file, t, t);
}

/** A module of ours by its path from the repository root, as a writer's script imports it. */
export const ours = (file: string) => JSON.stringify(path.join(repoRoot, file));
