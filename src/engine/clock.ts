/** The engine's only source of time: injected, so every decision can be tested at any instant. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
