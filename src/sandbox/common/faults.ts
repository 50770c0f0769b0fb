/**
 * The fault-injection core every simulator shares: queued request faults (optionally aimed at one
 * route), queued job outcomes, injected latency, and the prompt markers that work without any test
 * API. Each simulator wraps it with its own fault-control methods and error shapes.
 */

/** What happens to the next callback a simulator sends (simulators that call back: Kling, Vidu, MiniMax, Seedance, OpenAI). */
export type CallbackFault = { kind: 'drop' } | { kind: 'delay'; ms: number } | { kind: 'duplicate' } | { kind: 'forge' };

/** Every job outcome union has these two; the rest (fail, moderated, expire…) is provider-specific. */
export type SuccessOrHang = { kind: 'success' } | { kind: 'hang' };

/** Decides whether a fault queued with `only` applies to a call of `route`. */
export type RouteMatcher<Route extends string> = (only: Route | undefined, route: Route) => boolean;

/** The usual rule: untargeted faults hit every route. */
export const anyRoute: RouteMatcher<string> = (only, route) => !only || only === route;

/**
 * Untargeted faults hit every route but these (a model list, read in the background by the gateway's
 * availability checker, must not eat a fault a test queued for its next create); aimed ones still do.
 */
export function exceptUnlessTargeted<Route extends string>(...quiet: Route[]): RouteMatcher<Route> {
  return (only, route) => (only ? only === route : !quiet.includes(route));
}

interface QueuedFault<Route, Fault> {
  fault: Fault;
  remaining: number;
  only?: Route;
}

/** Pending request faults, job outcomes and latency; subclasses add the provider's fault-control methods. */
export class FaultCore<Route extends string, Fault extends object, Outcome extends { kind: string }> {
  latencyMs = 0;
  private requestFaults: QueuedFault<Route, Fault>[] = [];
  private jobFaults: (Outcome | SuccessOrHang)[] = [];
  private callbackFaults: { fault: CallbackFault; remaining: number }[] = [];
  readonly #retired = new Set<string>();
  // A #private field, not a property: the control server lists function-valued properties as controls.
  readonly #applies: RouteMatcher<Route>;

  constructor(applies: RouteMatcher<Route> = anyRoute) {
    this.#applies = applies;
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  hangNextJob(): void {
    this.jobFaults.push({ kind: 'hang' });
  }

  /**
   * From now on the upstream model `id` is shut down: creates are refused as the provider refuses a
   * model it no longer serves, and its model list (where it has one) no longer names it.
   */
  retireModel(id: string): void {
    this.#retired.add(String(id));
  }

  /** Whether `id` was retired with retireModel (a simulator's own lookup, not a control). */
  isRetired(id: string): boolean {
    return this.#retired.has(id);
  }

  /** The next `count` callbacks are never sent (the gateway's fallback polls must find the jobs' end). */
  dropNextCallbacks(count = 1): void {
    this.queueCallbackFault(count, { kind: 'drop' });
  }

  /** The next `count` callbacks are sent `ms` late. */
  delayNextCallbacks(count: number, ms: number): void {
    this.queueCallbackFault(count, { kind: 'delay', ms: Math.max(0, ms) });
  }

  /** The next `count` callbacks are sent twice at once. */
  duplicateNextCallbacks(count = 1): void {
    this.queueCallbackFault(count, { kind: 'duplicate' });
  }

  /**
   * The next `count` callbacks are forged: a bad signature where the provider signs, else a body
   * that claims the job ended when it did not (sent to the create's own callback URL either way).
   */
  forgeNextCallbacks(count = 1): void {
    this.queueCallbackFault(count, { kind: 'forge' });
  }

  /** Consume the fault for the callback about to be sent, if any. */
  takeCallbackFault(): CallbackFault | undefined {
    const queued = this.callbackFaults[0];
    if (!queued) return undefined;
    if (--queued.remaining <= 0) this.callbackFaults.shift();
    return { ...queued.fault };
  }

  private queueCallbackFault(count: number, fault: CallbackFault): void {
    if (count > 0) this.callbackFaults.push({ fault, remaining: count });
  }

  reset(): void {
    this.latencyMs = 0;
    this.requestFaults = [];
    this.jobFaults = [];
    this.callbackFaults = [];
    this.#retired.clear();
  }

  /** Consume the first queued request fault that applies to this route, if any. */
  takeRequestFault(route: Route): Fault | undefined {
    const queued = this.requestFaults.find((f) => this.#applies(f.only, route));
    if (!queued) return undefined;
    if (--queued.remaining <= 0) this.requestFaults.splice(this.requestFaults.indexOf(queued), 1);
    // A copy: callers may decorate what they take without touching the faults still queued.
    return { ...queued.fault };
  }

  /** Consume the next queued job outcome (FIFO), or plain success. */
  takeJobOutcome(): Outcome | SuccessOrHang {
    return this.jobFaults.shift() ?? { kind: 'success' };
  }

  /** Answer the next `count` matching calls with `fault` instead of the real reply. */
  protected queueRequestFault(count: number, fault: Fault, only?: Route): void {
    if (count > 0) this.requestFaults.push({ fault, remaining: count, only });
  }

  protected queueJobOutcome(outcome: Outcome): void {
    this.jobFaults.push(outcome);
  }
}

/** The HTTP-status request fault most simulators inject (429 with Retry-After, or a 5xx). */
export interface StatusFault {
  status: 429 | 500 | 503;
  retryAfterSeconds?: number;
}

/** FaultCore plus the rateLimitNext/serverErrorNext pair that only differ in the error body they produce. */
export class StatusFaultCore<Route extends string, Outcome extends { kind: string }> extends FaultCore<Route, StatusFault, Outcome> {
  constructor(
    private readonly defaultServerStatus: 500 | 503 = 503,
    applies: RouteMatcher<Route> = anyRoute,
  ) {
    super(applies);
  }

  rateLimitNext(count: number, opts: { retryAfterSeconds?: number; only?: Route } = {}): void {
    this.queueRequestFault(count, { status: 429, retryAfterSeconds: opts.retryAfterSeconds }, opts.only);
  }

  serverErrorNext(count: number, opts: { status?: 500 | 503; only?: Route } = {}): void {
    this.queueRequestFault(count, { status: opts.status ?? this.defaultServerStatus }, opts.only);
  }
}

/** A counter of "the next N calls fail this way" faults that need no route or body (credits, quota). */
export class CountedFault {
  private pending = 0;

  add(count: number): void {
    this.pending += Math.max(0, count);
  }

  /** True (and one fewer pending) when the current call should fail. */
  take(): boolean {
    if (this.pending <= 0) return false;
    this.pending--;
    return true;
  }

  reset(): void {
    this.pending = 0;
  }
}

/** The value of the first marker the prompt contains, in the given order (earlier markers win). */
export function firstMarker<T>(prompt: string, markers: ReadonlyArray<readonly [string, T]>): T | undefined {
  return markers.find(([marker]) => prompt.includes(marker))?.[1];
}

/**
 * `[sim:429-once]` / `[sim:503-once]`: fail the create only the first time a given prompt is sent,
 * so a client's retry succeeds. `seenOnce` remembers which prompts already failed.
 */
export function onceMarkerFault<R, U>(prompt: string, seenOnce: Set<string>, rateLimited: R, unavailable: U): R | U | undefined {
  for (const [marker, fault] of [
    ['[sim:429-once]', rateLimited],
    ['[sim:503-once]', unavailable],
  ] as const) {
    if (prompt.includes(marker) && !seenOnce.has(`${marker}${prompt}`)) {
      seenOnce.add(`${marker}${prompt}`);
      return fault;
    }
  }
  return undefined;
}
