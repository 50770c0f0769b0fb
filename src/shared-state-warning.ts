import path from 'node:path';
import type { Config } from './config.js';

/**
 * On PostgreSQL, nodes share every row, so any node may poll, download or serve any task. Two things
 * a node can still keep to itself break that silently: its in-process provider simulators (another
 * node's poll of a job submitted here is `Operation … not found`) and blobs in its own data
 * directory (a video_url stored here 404s elsewhere). One node on PostgreSQL is fine, so this is a
 * warning, never a refusal. Returns the one log line to print at start, or null.
 */
export function sharedStateWarning(config: Pick<Config, 'databaseUrl' | 'sandbox' | 'blobs' | 'dataDir'>): string | null {
  if (config.databaseUrl === null) return null;
  const problems: string[] = [];
  if (config.sandbox) {
    problems.push(
      'its provider simulators run in process (sandbox mode), so a job submitted by one node cannot be polled or downloaded by another: run `npm run sim` once and start every node with VIDGATE_SANDBOX=0 and the assignments it prints (GOOGLE_BASE_URL=…, GEMINI_API_KEY=…, one line per channel kind)',
    );
  }
  // An explicit file:// VIDGATE_BLOB_URL is taken as the operator's shared directory; the default is this node's own.
  if (config.blobs.kind === 'file' && config.blobs.root === path.join(config.dataDir, 'blobs')) {
    problems.push(
      `its outputs are stored in its own data directory (${config.blobs.root}), so a video_url 404s on every other node: set VIDGATE_BLOB_URL to S3-compatible storage (s3://bucket?endpoint=…) or to a file:// directory every node shares`,
    );
  }
  if (problems.length === 0) return null;
  return `VIDGATE_DATABASE_URL is set, so other nodes may share this database, but this node keeps state of its own: ${problems.join('; and ')}. (Fine for a single node; see "Running many nodes" in the README.)`;
}
