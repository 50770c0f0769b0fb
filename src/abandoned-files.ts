/**
 * Files a crash left behind (uploads in progress, temp copies for ffmpeg), found by age: processes
 * sharing a folder (the HTTP and engine threads of one process, an API and a worker process on one
 * data directory, nodes on a shared mount) cannot see each other's lives — hostname + pid is not
 * unique across containers, and a restarted container is often pid 1 again — but a live writer
 * keeps its file fresh, so a file nobody has written to for long enough has no live writer.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * A file nobody has written to for this long is abandoned (its writer crashed): removed by any node.
 * A live writer appends a local file's bytes without pause and hands it on within seconds (ffmpeg,
 * ffprobe, a rename, a read into blob storage); the margin covers clock skew between nodes and a
 * shared filesystem's server. Were a stalled writer's file removed all the same, its step fails and
 * is retried: nothing is corrupted.
 */
export const ABANDONED_AFTER_MS = 60 * 60_000;

/**
 * Removes the files directly in `dir` (not its subfolders) whose names `accept` takes and that
 * nobody has written to for longer than `abandonedAfterMs`; returns how many. Reads only that folder,
 * so the cost follows what is in it. Best effort: a missing folder is nothing to do, and a file
 * renamed or removed meanwhile (by its writer, or another node's sweep) is skipped.
 */
export async function sweepAbandonedFiles(dir: string, abandonedAfterMs: number, accept: (name: string) => boolean = () => true): Promise<number> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!accept(name)) continue;
    const file = path.join(dir, name);
    try {
      const st = await fs.promises.lstat(file);
      if (!st.isFile() || Date.now() - st.mtimeMs <= abandonedAfterMs) continue;
      await fs.promises.rm(file, { force: true });
      removed++;
    } catch {
      // Renamed into place, finished, or swept by another node meanwhile.
    }
  }
  return removed;
}
