/**
 * Whether an error means the database is out of reach (down, restarting, refusing connections, too
 * busy) rather than a bug: callers answer 503 and retry later instead of failing work.
 */
/** Thrown where the store knows nothing was written and a retry may succeed (e.g. its create writer thread is down). */
export class StoreUnavailableError extends Error {
  readonly code = 'VIDGATE_STORE_UNAVAILABLE';
}

const UNAVAILABLE_CODES = new Set([
  'VIDGATE_STORE_UNAVAILABLE',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  // PostgreSQL: admin/crash shutdown, cannot connect now, connection failures, too many connections.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  '53300',
  // SQLite: locked past the busy timeout, or the disk failed.
  'SQLITE_BUSY',
  'SQLITE_IOERR',
  'SQLITE_FULL',
]);

const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|database is locked/i;

export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR'))) return true;
  if (err instanceof AggregateError) return err.errors.some(isStoreUnavailable);
  return UNAVAILABLE_MESSAGES.test(err.message);
}
