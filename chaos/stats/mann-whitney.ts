// Did latency move, and by how much? The Mann-Whitney U test says whether one phase's
// latencies are stochastically larger than another's; the Hodges-Lehmann estimate says by
// how much (the median of all pairwise differences), with a distribution-free interval.
import { criticalZ, twoSidedP } from './normal';
import { sortedCopy, type Estimate } from './quantiles';

export interface MannWhitneyResult {
  /** U of the first sample (number of pairs where x > y, ties counting one half). */
  u: number;
  z: number;
  /** Two-sided, normal approximation with tie and continuity correction (scipy's `asymptotic`). */
  pValue: number;
  n1: number;
  n2: number;
}

export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU: both samples need at least one value');
  const pooled = [
    ...Array.from(x, (value) => ({ value, first: true })),
    ...Array.from(y, (value) => ({ value, first: false })),
  ];
  pooled.sort((a, b) => a.value - b.value);
  const n = n1 + n2;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && pooled[j + 1].value === pooled[i].value) j++;
    const rank = (i + j + 2) / 2; // average of ranks i+1 … j+1
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (pooled[k].first) rankSumX += rank;
    i = j + 1;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance === 0) return { u, z: 0, pValue: 1, n1, n2 };
  const distance = Math.max(0, Math.abs(u - mean) - 0.5);
  const z = (Math.sign(u - mean) * distance) / Math.sqrt(variance);
  return { u, z, pValue: twoSidedP(z), n1, n2 };
}

/**
 * Hodges-Lehmann shift of `y` against `x` (median of y_j − x_i) with the interval from the
 * normal approximation to the U distribution (Lehmann 1975; the interval R's wilcox.test
 * reports for large samples, without its continuity correction). The n1·n2 differences are
 * never materialised: order statistics are found by bisection on the value, counting the
 * differences ≤ d in O(n1 + n2) with two pointers over the sorted samples.
 */
export function hodgesLehmann(x: ArrayLike<number>, y: ArrayLike<number>, confidence = 0.95): Estimate {
  const xs = sortedCopy(x);
  const ys = sortedCopy(y);
  const pairs = xs.length * ys.length;
  if (pairs === 0) throw new RangeError('hodgesLehmann: both samples need at least one value');
  const kth = (k: number) => kthDifference(xs, ys, k);
  const value = pairs % 2 === 1 ? kth((pairs + 1) / 2) : (kth(pairs / 2) + kth(pairs / 2 + 1)) / 2;
  const n = xs.length + ys.length;
  const half = criticalZ(confidence) * Math.sqrt((xs.length * ys.length * (n + 1)) / 12);
  const k = Math.max(1, Math.floor(pairs / 2 - half));
  return { value, low: kth(k), high: kth(pairs - k + 1), confidence, n: pairs };
}

/** How many differences y_j − x_i are ≤ d. */
function countAtMost(xs: Float64Array, ys: Float64Array, d: number): number {
  let count = 0;
  let j = 0;
  // For ascending x_i the bound x_i + d grows, so j only moves forward.
  for (let i = 0; i < xs.length; i++) {
    while (j < ys.length && ys[j] - xs[i] <= d) j++;
    count += j;
  }
  return count;
}

/** The k-th smallest (1-based) difference y_j − x_i. */
function kthDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  // Invariants: fewer than k differences are ≤ low, at least k are ≤ high.
  let low = ys[0] - xs[xs.length - 1] - 1;
  let high = ys[ys.length - 1] - xs[0];
  // Bisect until the bracket holds a single distinct difference, then snap to it.
  for (let step = 0; step < 200 && high - low > 1e-12 * Math.max(1, Math.abs(high)); step++) {
    const mid = (low + high) / 2;
    if (countAtMost(xs, ys, mid) >= k) high = mid;
    else low = mid;
  }
  return closestDifferenceAtLeast(xs, ys, low, high);
}

/** The smallest actual difference in (low, high], so the result is an exact data value. */
function closestDifferenceAtLeast(xs: Float64Array, ys: Float64Array, low: number, high: number): number {
  let best = high;
  let j = ys.length - 1;
  for (let i = xs.length - 1; i >= 0; i--) {
    // As x_i falls, the first y_j with y_j − x_i > low can only move left.
    while (j > 0 && ys[j - 1] - xs[i] > low) j--;
    const d = ys[j] - xs[i];
    if (d > low && d < best) best = d;
  }
  return best;
}
