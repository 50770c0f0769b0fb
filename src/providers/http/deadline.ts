/**
 * One deadline per upstream call. It is a plain timer holding its AbortController, not
 * AbortSignal.timeout() combined with AbortSignal.any(): on Node 20 a timeout signal inside a
 * composite can be garbage-collected and fire late or never (nodejs/node#57736), which is how a
 * 2 s timeout once took 8 s. The caller's signal (the engine's stop or its own deadline) is
 * followed by a listener that is removed when the call ends.
 */

/** The reason our own deadline aborts with; recognised by name, like AbortSignal.timeout()'s. */
export class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`deadline of ${timeoutMs} ms passed`);
  }
}

export interface Deadline {
  readonly signal: AbortSignal;
  /** True when this deadline (not the caller) stopped the call. */
  expired(): boolean;
  /** Stop the timer and forget the caller's signal (call when the call, body included, is over). */
  clear(): void;
}

export function startDeadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DeadlineError(timeoutMs));
  }, timeoutMs);
  // A call in flight keeps the process alive by itself; the timer must not add to that.
  timer.unref();
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    expired: () => expired,
    clear() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
