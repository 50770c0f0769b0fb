import { honouredRetryAfterMs } from './retry-policy.js';

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
  // Overdue: a fifth of the time it has taken so far, capped at a quarter of the typical time (at least 30 s).
  else delay = Math.min(Math.max(elapsedMs * 0.2, 2000 * scale), Math.max(30_000 * scale, typicalMs * 0.25));
  delay = Math.max(delay, 200);
  if (retryAfterSeconds !== undefined && retryAfterSeconds > 0) delay = Math.max(delay, honouredRetryAfterMs(retryAfterSeconds));
  return Math.round(delay);
}

/**
 * The fallback schedule when the upstream calls back on completion: the callback brings the poll
 * that matters, so polls only guard against a lost callback — the first well after the typical
 * time (1.5×), then every half typical time (at least 5 s, at most 5 min).
 */
export function sparsePollDelayMs(elapsedMs: number, typicalSeconds: number, scale = 1, retryAfterSeconds?: number): number {
  const typicalMs = typicalSeconds * 1000 * scale;
  const firstAt = typicalMs * 1.5;
  let delay = elapsedMs < firstAt ? firstAt - elapsedMs : Math.min(Math.max(typicalMs * 0.5, 5000 * scale), 300_000 * scale);
  delay = Math.max(delay, 200);
  if (retryAfterSeconds !== undefined && retryAfterSeconds > 0) delay = Math.max(delay, honouredRetryAfterMs(retryAfterSeconds));
  return Math.round(delay);
}

/** After a callback, a poll that still finds the job running asks again this soon (the upstream's reads may lag its callback). */
export function callbackRecheckMs(scale = 1): number {
  return Math.max(250, Math.round(1000 * scale));
}
