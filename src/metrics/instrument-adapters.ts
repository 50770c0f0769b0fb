import type { GatewayMetrics } from './metrics.js';

/** The adapter methods that call the upstream, and their names in metrics. */
const CALLS: Record<string, string> = { submit: 'submit', poll: 'poll', openOutput: 'download', cancel: 'cancel', findByReference: 'lookup' };

/**
 * Wraps a channel's adapter so every call it makes for the engine (submit, poll, download,
 * cancel, lookup) is counted and timed, with its outcome: `ok`, or the UpstreamError kind it
 * failed with (rate_limited, unavailable, timeout, …). A download is timed to its first byte.
 * The adapters themselves and the engine stay unaware of metrics.
 */
export function instrumentAdapter<T extends object>(provider: string, adapter: T, metrics: GatewayMetrics): T {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      const call = typeof prop === 'string' && Object.hasOwn(CALLS, prop) ? CALLS[prop] : undefined;
      if (typeof value !== 'function' || call === undefined) return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        let outcome = 'ok';
        try {
          return await value.apply(target, args);
        } catch (err) {
          const kind = (err as { kind?: unknown })?.kind;
          outcome = typeof kind === 'string' ? kind : 'error';
          throw err;
        } finally {
          metrics.upstreamCall(provider, call, outcome, (performance.now() - started) / 1000);
        }
      };
    },
  });
}
