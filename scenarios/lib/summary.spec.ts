import { junitXml, summaryOutputs, textSummary, type SummaryData } from './summary';

const data: SummaryData = {
  state: { testRunDurationMs: 12_345 },
  metrics: {
    iterations: { type: 'counter', values: { count: 40 } },
    dropped_iterations: { type: 'counter', values: { count: 0 }, thresholds: { 'count<=1': { ok: true } } },
    'http_reqs{phase:degraded}': { type: 'counter', values: { count: 20 }, thresholds: { 'count>0': { ok: true } } },
    'http_req_duration{phase:degraded}': {
      type: 'trend',
      values: { med: 120.5, 'p(95)': 150, 'p(99)': 160, max: 170 },
      thresholds: { 'p(50)>=190': { ok: false }, 'max>=0': { ok: true } },
    },
    'http_req_failed{phase:degraded}': {
      type: 'rate',
      values: { rate: 0.05 },
      thresholds: { 'rate<0.01': { ok: false } },
    },
  },
};
const run = {
  scenario: 'chaos',
  testid: 't<1>',
  baseUrl: 'http://127.0.0.1:1',
  phases: [{ name: 'degraded', startSeconds: 0, durationSeconds: 10, faults: [] }],
};

describe('summary outputs', () => {
  it('writes summary.json, junit.xml and summary.txt only with a SUMMARY_DIR', () => {
    expect(Object.keys(summaryOutputs(data, run))).toEqual(['stdout']);
    const files = summaryOutputs(data, run, '/out');
    expect(Object.keys(files).sort()).toEqual(['/out/junit.xml', '/out/summary.json', '/out/summary.txt', 'stdout']);
    expect(JSON.parse(files['/out/summary.json'])).toMatchObject({ metrics: data.metrics, roque: run });
  });

  it('reports each phase and each expectation with what was observed', () => {
    const text = textSummary(data, run);
    expect(text).toMatch(/degraded\s+20\s+5\.00%\s+121\s+150\s+160\s+170/);
    expect(text).toContain('thresholds: 2/4 passed');
    expect(text).toContain('✗ http_req_duration{phase:degraded} p(50)>=190 (p(50)=121)');
    expect(text).not.toContain('max>=0');
    expect(text).not.toContain('no load was sent');
  });

  it('says so when no load was sent', () => {
    expect(textSummary({ ...data, metrics: {} }, run)).toContain('no load was sent');
  });

  it('gives JUnit one escaped test case per expectation, failures with the observed value', () => {
    const xml = junitXml(data, run);
    expect(xml).toContain('<testsuite name="k6 chaos" tests="4" failures="2" time="12.345">');
    expect(xml).toContain('name="p(50)&gt;=190"');
    expect(xml).toContain('<failure message="http_req_failed{phase:degraded} rate&lt;0.01 failed: rate=0.05"/>');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
  });
});
