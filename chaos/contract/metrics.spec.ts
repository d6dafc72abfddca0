import { LATENCY_BUCKETS, SLO_LATENCY_BOUNDS } from './metrics';

/** Prometheus' histogram_quantile over classic buckets: linear inside the bucket the rank falls in. */
function histogramQuantile(q: number, bounds: number[], values: number[]): number {
  const cumulative = bounds.map((b) => values.filter((v) => v <= b).length);
  const rank = q * values.length;
  const i = cumulative.findIndex((c) => c >= rank);
  const lower = i === 0 ? 0 : bounds[i - 1];
  const below = i === 0 ? 0 : cumulative[i - 1];
  return lower + ((bounds[i] - lower) * (rank - below)) / (cumulative[i] - below);
}

describe('latency bucket layout', () => {
  it('reads p50 and p95 within 5% of the truth anywhere from 10 ms to 10 s, even for a fixed delay', () => {
    // A fixed delay is the worst case: every request in one bucket, the quantile interpolated across it.
    for (let seconds = 0.01; seconds < 10; seconds *= 1.0137) {
      const values = Array.from({ length: 200 }, (_, i) => seconds * (1 + i * 1e-6));
      for (const q of [0.5, 0.95]) {
        const truth = values[Math.ceil(q * values.length) - 1];
        expect(Math.abs(histogramQuantile(q, LATENCY_BUCKETS, values) / truth - 1)).toBeLessThan(0.05);
      }
    }
  });

  it('keeps the SLO rules’ bounds exact, sorted and within a stated budget', () => {
    for (const bound of SLO_LATENCY_BOUNDS) expect(LATENCY_BUCKETS).toContain(bound);
    expect([...LATENCY_BUCKETS].sort((a, b) => a - b)).toEqual(LATENCY_BUCKETS);
    expect(LATENCY_BUCKETS.length).toBeLessThanOrEqual(150);
  });
});
