// A small seeded generator (mulberry32): bootstrap intervals are the same on every run of the
// same data (a report must not change when it is regenerated), and the app's rolls and fault
// decisions are reproducible in tests (target-app's RandomSource).

// A local alias: a `Math.` lookup per call is slow inside Jest's VM context.
const imul = Math.imul;

export type Random = () => number;

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
