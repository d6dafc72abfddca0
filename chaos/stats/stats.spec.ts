// Expected figures were computed with Python 3, SciPy 1.17.1 and NumPy:
//   stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic'),
//   np.median(np.subtract.outer(y, x)) and its sorted differences for Hodges-Lehmann,
//   np.quantile (default 'linear' method), stats.binomtest(k, n).proportion_ci(method='wilson'),
//   stats.chi2_contingency(table, correction=False) (√χ² = |z| of the pooled two-proportion test),
//   stats.norm.ppf / stats.norm.cdf.
import {
  bootstrapQuantile,
  criticalZ,
  hodgesLehmann,
  mannWhitneyU,
  normalCdf,
  normalQuantile,
  quantileSorted,
  seededRandom,
  sortedCopy,
  twoProportionZTest,
  wilsonInterval,
} from './index';

describe('normal distribution', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489004],
    [0.9, 1.2815515655446004],
    [0.001, -3.090232306167813],
    [1e-6, -4.753424308822899],
  ])('quantile(%d) = %d', (p, z) => expect(normalQuantile(p)).toBeCloseTo(z, 7));

  it.each([
    [1.96, 0.9750021048517795],
    [-1, 0.15865525393145707],
    [0.5, 0.6914624612740131],
    [3, 0.9986501019683699],
  ])('cdf(%d) = %d', (z, p) => expect(normalCdf(z)).toBeCloseTo(p, 6));

  it('criticalZ(0.95) is 1.96', () => expect(criticalZ(0.95)).toBeCloseTo(1.959964, 6));
});

describe('quantileSorted (type 7, numpy linear)', () => {
  const sorted = sortedCopy([12.1, 3.5, 7.7, 9.9, 1.2, 5.5, 8.8, 4.4, 15.0, 6.6, 2.3]);
  it.each([
    [0, 1.2],
    [0.1, 2.3],
    [0.5, 6.6],
    [0.9, 12.1],
    [0.95, 13.55],
    [0.99, 14.71],
    [1, 15.0],
  ])('p%d', (p, expected) => expect(quantileSorted(sorted, p)).toBeCloseTo(expected, 10));
  it('is NaN for no data', () => expect(quantileSorted([], 0.5)).toBeNaN());
});

describe('bootstrapQuantile', () => {
  const random = seededRandom(42);
  const exponential = Array.from({ length: 4000 }, () => -Math.log(1 - random()) * 100); // median 100·ln 2

  it('is reproducible for a seed and covers the true median', () => {
    const a = bootstrapQuantile(exponential, 0.5, { seed: 7 });
    expect(bootstrapQuantile(exponential, 0.5, { seed: 7 })).toEqual(a);
    expect(a.low).toBeLessThan(100 * Math.LN2);
    expect(a.high).toBeGreaterThan(100 * Math.LN2);
    expect(a.high - a.low).toBeLessThan(10); // se of the median ≈ 1.6 here, so the 95% CI is ≈ 6 wide
    expect(a.n).toBe(4000);
  });

  it('brackets the point estimate for a tail percentile', () => {
    const p99 = bootstrapQuantile(exponential, 0.99);
    expect(p99.low).toBeLessThanOrEqual(p99.value);
    expect(p99.high).toBeGreaterThanOrEqual(p99.value);
  });

  it('has no width for a constant sample', () => {
    expect(bootstrapQuantile([5, 5, 5, 5], 0.9)).toMatchObject({ value: 5, low: 5, high: 5 });
  });
});

describe('Mann-Whitney U', () => {
  it('matches scipy with ties (continuity + tie correction)', () => {
    const result = mannWhitneyU([1, 2, 2, 3, 4, 5, 5, 5, 6], [3, 4, 4, 5, 6, 7, 7, 8, 9, 10]);
    expect(result.u).toBe(17.5);
    expect(result.pValue).toBeCloseTo(0.026272907335086207, 6);
  });

  it('matches scipy without ties', () => {
    const result = mannWhitneyU(
      [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],
      [1.15, 0.88, 0.9, 0.74, 1.21],
    );
    expect(result.u).toBe(35);
    expect(result.pValue).toBeCloseTo(0.24462360512698333, 6);
  });

  it('finds no difference between identical samples', () => {
    expect(mannWhitneyU([1, 1, 1], [1, 1])).toMatchObject({ pValue: 1 });
  });
});

describe('Hodges-Lehmann shift', () => {
  it('matches the brute-force median of differences and its interval', () => {
    expect(hodgesLehmann([1, 2, 2, 3, 4, 5, 5, 5, 6], [3, 4, 4, 5, 6, 7, 7, 8, 9, 10])).toMatchObject({
      value: 2.5,
      low: 0,
      high: 5,
      n: 90,
    });
    const shift = hodgesLehmann(
      [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],
      [1.15, 0.88, 0.9, 0.74, 1.21],
    );
    expect(shift.value).toBeCloseTo(-0.305, 10);
    expect(shift.low).toBeCloseTo(-0.76, 10);
    expect(shift.high).toBeCloseTo(0.17, 10);
  });

  it('recovers a 200 ms shift in large samples without materialising the pairs', () => {
    const random = seededRandom(3);
    const baseline = Array.from({ length: 5000 }, () => 2 + random() * 3);
    const delayed = Array.from({ length: 5000 }, () => 202 + random() * 3);
    const shift = hodgesLehmann(baseline, delayed);
    expect(shift.value).toBeCloseTo(200, 0);
    expect(shift.low).toBeLessThanOrEqual(shift.value);
    expect(shift.high).toBeGreaterThanOrEqual(shift.value);
    expect(shift.high - shift.low).toBeLessThan(0.5);
  });
});

describe('Wilson interval', () => {
  it.each([
    [81, 263, 0.95, 0.2552885198782742, 0.36620957698280004],
    [81, 263, 0.99, 0.24013690268760768, 0.3852825023182298],
    [0, 50, 0.95, 0, 0.07134759913335872],
    [10, 1000, 0.99, 0.004530055521673154, 0.02192928608366554],
    [200, 2000, 0.95, 0.08760922541834984, 0.11392441240665252],
  ])('%d/%d at %d', (k, n, confidence, low, high) => {
    const ci = wilsonInterval(k, n, confidence);
    expect(ci.value).toBeCloseTo(k / n, 12);
    expect(ci.low).toBeCloseTo(low, 8);
    expect(ci.high).toBeCloseTo(high, 8);
  });
});

describe('two-proportion z-test', () => {
  it.each([
    [45, 500, 61, 500, 1.643608167168855, 0.10025716584294528],
    [3, 400, 5, 400, 0.7106690545187014, 0.4772893402694306],
  ])('%d/%d vs %d/%d', (x1, n1, x2, n2, z, p) => {
    const result = twoProportionZTest(x1, n1, x2, n2);
    expect(result.z).toBeCloseTo(z, 10);
    expect(result.pValue).toBeCloseTo(p, 6);
  });

  it('gives a tiny p-value for a clear shift (scipy: 5.4e-20)', () => {
    const result = twoProportionZTest(12, 1000, 110, 1000);
    expect(result.z).toBeCloseTo(9.156159811139407, 10);
    expect(result.pValue).toBeLessThan(1e-12);
  });
});
