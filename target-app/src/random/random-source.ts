/** A source of uniform numbers in [0, 1); injected so tests can make rolls and fault decisions deterministic. */
export type RandomSource = () => number;

/** Injection token of the RandomSource. */
export const RANDOM_SOURCE = Symbol('RANDOM_SOURCE');

export const mathRandom: RandomSource = Math.random;

/** A small seeded generator (mulberry32), for reproducible sequences in tests and tools. */
export { seededRandom } from '../../../chaos/contract/seeded-random';
