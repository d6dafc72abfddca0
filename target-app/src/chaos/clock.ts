/** Wall-clock time in epoch ms; injected (CLOCK) so specs can set a replica's clock apart from the store's. */
export interface Clock {
  now(): number;
}

/** Injection token of the Clock. */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };
