// Error shares: Wilson score intervals (good coverage even near 0 and 1, unlike the Wald
// interval) and the pooled two-proportion z-test.
import { criticalZ, twoSidedP } from './normal';
import type { Estimate } from './quantiles';

export function wilsonInterval(successes: number, n: number, confidence = 0.95): Estimate {
  if (n === 0) return { value: Number.NaN, low: 0, high: 1, confidence, n };
  const z = criticalZ(confidence);
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), confidence, n };
}

export interface TwoProportionResult {
  p1: number;
  p2: number;
  /** p2 − p1 */
  difference: number;
  z: number;
  pValue: number;
}

/** Pooled two-proportion z-test of x1/n1 against x2/n2 (two-sided). */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TwoProportionResult {
  if (n1 === 0 || n2 === 0) throw new RangeError('twoProportionZTest: both samples need at least one trial');
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se === 0 ? 0 : (p2 - p1) / se;
  return { p1, p2, difference: p2 - p1, z, pValue: se === 0 ? 1 : twoSidedP(z) };
}
