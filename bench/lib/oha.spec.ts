import { parseOha } from './oha';

// The parts of a real `oha --output-format json -q 2000 --latency-correction` report (bare node:http, 2 s).
const REPORT = {
  summary: { successRate: 1, total: 2.001525543, slowest: 0.007696402, requestsPerSec: 1998.475619753807 },
  latencyPercentiles: {
    p10: 0.000122341,
    p50: 0.000144517,
    p90: 0.00025902,
    p99: 0.002687792,
    'p99.9': 0.007467776,
    'p99.99': 0.007696402,
  },
  statusCodeDistribution: { '200': 4000 },
  errorDistribution: {},
};

describe('parseOha', () => {
  it('reads the rate sent and the percentiles in milliseconds', () => {
    const result = parseOha(JSON.stringify(REPORT));
    expect(result.sentRps).toBeCloseTo(1998.48, 2);
    expect(result.requests).toBe(4000);
    expect(result.p50Ms).toBeCloseTo(0.1445, 4);
    expect(result.p99Ms).toBeCloseTo(2.6878, 4);
    expect(result.p999Ms).toBeCloseTo(7.4678, 4);
    expect(result.failedShare).toBe(0);
  });

  it('counts statuses outside 2xx and connection errors as failed', () => {
    const report = {
      ...REPORT,
      statusCodeDistribution: { '200': 90, '500': 6 },
      errorDistribution: { 'connection closed before message completed': 4 },
    };
    const result = parseOha(JSON.stringify(report));
    expect(result.requests).toBe(100);
    expect(result.failedShare).toBeCloseTo(0.1, 6);
  });

  it('says which percentile is missing rather than reading it as 0', () => {
    const report = { ...REPORT, latencyPercentiles: { ...REPORT.latencyPercentiles, p99: null } };
    expect(() => parseOha(JSON.stringify(report))).toThrow('oha: no p99 latency in its report');
  });
});
