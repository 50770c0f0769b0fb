/**
 * When to poll an upstream job next. Sparse early (nothing finishes that fast), dense around the
 * model's typical finish time, then backing off so a long job costs few calls.
 * `scale` shrinks time (the sandbox runs faster than real providers).
 */
export function nextPollDelayMs(elapsedMs: number, typicalSeconds: number, scale = 1, retryAfterSeconds?: number): number {
  const typicalMs = typicalSeconds * 1000 * scale;
  let delay: number;
  if (elapsedMs < typicalMs * 0.6) delay = Math.max(typicalMs * 0.25, 1000 * scale);
  else if (elapsedMs < typicalMs * 1.5) delay = Math.max(typicalMs * 0.08, 500 * scale);
  else delay = Math.min(Math.max(elapsedMs * 0.2, 2000 * scale), 30_000 * scale);
  delay = Math.max(delay, 200);
  if (retryAfterSeconds !== undefined && retryAfterSeconds > 0) delay = Math.max(delay, honouredRetryAfterMs(retryAfterSeconds));
  return Math.round(delay);
}

/** A provider's Retry-After (or poll hint) is honoured up to an hour: a huge value must not park a task for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;
export function honouredRetryAfterMs(retryAfterSeconds: number | undefined): number {
  return Math.min(Math.max(0, retryAfterSeconds ?? 0) * 1000, MAX_RETRY_AFTER_MS);
}

/** Exponential backoff with full jitter for transient upstream errors: base·2^attempt, capped. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
