/** A source of uniform numbers in [0, 1); injected so tests can make rolls and fault decisions deterministic. */
export type RandomSource = () => number;

/** Injection token of the RandomSource. */
export const RANDOM_SOURCE = Symbol('RANDOM_SOURCE');

export const mathRandom: RandomSource = Math.random;

/** A small seeded generator (mulberry32), for reproducible sequences in tests and tools. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
