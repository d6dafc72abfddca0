// Percentiles of latency samples and their bootstrap confidence intervals.
import { seededRandom } from '../contract/seeded-random';

/** A figure with its confidence interval and the sample size behind it. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
  confidence: number;
  n: number;
}

/**
 * Quantile of ascending `sorted` by linear interpolation between order statistics
 * (Hyndman & Fan type 7: R's default, numpy's `linear`). simple-statistics' quantileSorted
 * uses a nearest-rank rule that jumps between samples, which suits small data less well.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < n ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export interface BootstrapOptions {
  confidence?: number;
  resamples?: number;
  seed?: number;
}

/**
 * Percentile bootstrap interval of the `p` quantile. A resample of sorted data is
 * represented by how often each index was drawn, so its order statistics come from a
 * running count: O(n) per resample instead of a sort.
 */
export function bootstrapQuantile(values: ArrayLike<number>, p: number, options: BootstrapOptions = {}): Estimate {
  const { confidence = 0.95, resamples = 1000, seed = 1 } = options;
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const value = quantileSorted(sorted, p);
  if (n < 2) return { value, low: value, high: value, confidence, n };
  const random = seededRandom(seed);
  const counts = new Uint32Array(n);
  const estimates = new Float64Array(resamples);
  const h = (n - 1) * p;
  const needed = Math.floor(h);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(random() * n) >>> 0]++;
    // The resample's order statistics of rank `needed` and `needed + 1`.
    let seen = 0;
    let index = 0;
    while (seen + counts[index] <= needed) seen += counts[index++];
    const low = sorted[index];
    let next = low;
    if (needed + 1 < n) {
      while (seen + counts[index] <= needed + 1) seen += counts[index++];
      next = sorted[index];
    }
    estimates[b] = low + (h - needed) * (next - low);
  }
  estimates.sort();
  const alpha = (1 - confidence) / 2;
  return { value, low: quantileSorted(estimates, alpha), high: quantileSorted(estimates, 1 - alpha), confidence, n };
}
