import { bucketsOf, parsePromText, quantileBucket, sumOf } from './prom-text';

const TEXT = `# HELP h a histogram
# TYPE h histogram
h_bucket{le="0.1",route="/",code="200"} 3
h_bucket{le="0.5",route="/",code="200"} 8
h_bucket{le="+Inf",route="/",code="200"} 10
h_bucket{le="0.1",route="/",code="500"} 1
h_bucket{le="0.5",route="/",code="500"} 1
h_bucket{le="+Inf",route="/",code="500"} 1
h_count{route="/",code="200"} 10
h_count{route="/",code="500"} 1
h_sum{route="/",code="200"} 2.5
up 1
quoted{msg="a \\"b\\", c"} 2
`;

describe('prom-text', () => {
  const samples = parsePromText(TEXT);

  it('reads names, labels (with escapes) and values, skipping comments', () => {
    expect(samples).toHaveLength(11);
    expect(samples.find((s) => s.name === 'quoted')).toEqual({ name: 'quoted', labels: { msg: 'a "b", c' }, value: 2 });
    expect(sumOf(samples, 'up')).toBe(1);
  });

  it('sums over matching series, by exact value or pattern', () => {
    expect(sumOf(samples, 'h_count', { route: '/' })).toBe(11);
    expect(sumOf(samples, 'h_count', { code: /^5/ })).toBe(1);
    expect(sumOf(samples, 'h_count', { code: '404' })).toBe(0);
  });

  it('gives the bucket a quantile falls in', () => {
    const buckets = bucketsOf(samples, 'h', { route: '/' });
    expect(buckets).toEqual([
      [0.1, 4],
      [0.5, 9],
      [Infinity, 11],
    ]);
    expect(quantileBucket(buckets, 0.5)).toEqual({ low: 0.1, high: 0.5 });
    expect(quantileBucket(buckets, 0.2)).toEqual({ low: 0, high: 0.1 });
    expect(quantileBucket([], 0.5)).toBeNull();
  });
});
