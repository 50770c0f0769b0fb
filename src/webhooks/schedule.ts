/**
 * Where an event stands in its retry schedule after an attempt: the epoch ms of the next attempt,
 * or null when the schedule is used up. `attemptsInRound` counts attempts already made since the
 * event was created or last redelivered (each redeliver starts the schedule again).
 */
export function nextAttemptAt(scheduleMs: readonly number[], attemptsInRound: number, now: number): number | null {
  const delay = scheduleMs[attemptsInRound];
  return delay === undefined ? null : now + delay;
}

/** Total time from the first attempt to the last one, ms. */
export function retryWindowMs(scheduleMs: readonly number[]): number {
  return scheduleMs.slice(1).reduce((sum, d) => sum + d, 0);
}
