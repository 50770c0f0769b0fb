/**
 * A simulator's jobs on disk (one JSON file each, written atomically), so a restart on the same
 * data directory resumes them: the real upstream does not forget a job because our process died.
 * Buffers (input images) survive as base64 and Maps as entries; the render bookkeeping (timers, promises) does not.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Fields of a job that belong to this process only. */
const TRANSIENT = new Set(['timer', 'render', 'renderError']);

function replacer(this: unknown, key: string, value: unknown): unknown {
  if (TRANSIENT.has(key)) return undefined;
  if (value instanceof Map) return { $map: [...value.entries()] };
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return { $base64: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as { $base64?: unknown }).$base64 === 'string') return Buffer.from((value as { $base64: string }).$base64, 'base64');
  if (value && typeof value === 'object' && Array.isArray((value as { $map?: unknown }).$map)) return new Map((value as { $map: [unknown, unknown][] }).$map);
  return value;
}

export class JobStore<J extends object> {
  private readonly dir: string;

  constructor(workDir: string) {
    this.dir = join(workDir, 'jobs');
    mkdirSync(this.dir, { recursive: true });
  }

  save(id: string, job: J): void {
    const file = join(this.dir, `${encodeURIComponent(id)}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(job, replacer));
    renameSync(`${file}.tmp`, file);
  }

  delete(id: string): void {
    rmSync(join(this.dir, `${encodeURIComponent(id)}.json`), { force: true });
  }

  /** Every job saved before (a restart), in no particular order; unreadable files are skipped. */
  loadAll(): J[] {
    const jobs: J[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        jobs.push(JSON.parse(readFileSync(join(this.dir, name), 'utf8'), reviver) as J);
      } catch {
        // A file cut short by a crash mid-write never replaced the previous one (rename is atomic).
      }
    }
    return jobs;
  }
}

/**
 * A small id → value index kept in one JSON file, written through on every change: a simulator's
 * file index (file id → path on disk), so links handed out before a restart still resolve.
 */
export class PersistedMap<V> extends Map<string, V> {
  readonly #file: string;

  constructor(file: string) {
    super();
    this.#file = file;
    try {
      for (const [k, v] of JSON.parse(readFileSync(file, 'utf8'), reviver) as [string, V][]) super.set(k, v);
    } catch {
      // Nothing saved yet (or a file cut short by a crash): start empty.
    }
  }

  override set(key: string, value: V): this {
    super.set(key, value);
    this.#flush();
    return this;
  }

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.#flush();
    return had;
  }

  #flush(): void {
    writeFileSync(`${this.#file}.tmp`, JSON.stringify([...this.entries()], replacer));
    renameSync(`${this.#file}.tmp`, this.#file);
  }
}
