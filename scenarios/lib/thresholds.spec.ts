import { buildThresholds, isReportOnly, trendStatsFor, type ThresholdPlan } from './thresholds';
import { parseTimeline } from './timeline';

const budget = { p50Ms: 50, p95Ms: 250 };
const plan = (timeline: unknown[], more: Partial<ThresholdPlan> = {}) =>
  buildThresholds({
    phases: parseTimeline(JSON.stringify(timeline)),
    budget,
    expectations: true,
    droppedAllowed: 3,
    ...more,
  });

describe('buildThresholds', () => {
  it('expects the injected delay in its phase and health elsewhere', () => {
    const t = buildThresholds({ phases: parseTimeline(undefined), budget, expectations: true, droppedAllowed: 3 });
    expect(t['http_req_duration{phase:degraded}']).toEqual(['p(50)>=190']);
    expect(t['http_req_duration{phase:baseline}']).toEqual(['p(50)<50', 'p(95)<250']);
    expect(t['http_req_duration{phase:recovery}']).toEqual(['p(50)<50', 'p(95)<250']);
    expect(t['http_req_failed{phase:degraded}']).toEqual(['rate<0.01']);
    expect(t['checks{phase:baseline}']).toEqual(['rate>0.99']);
    expect(t['http_reqs{phase:recovery}']).toEqual(['count>0']);
    expect(t.dropped_iterations).toEqual(['count<=3']);
  });

  it('with PHASE_THRESHOLDS=off keeps every per-phase sub-metric, but none can fail', () => {
    const t = buildThresholds({ phases: parseTimeline(undefined), budget, expectations: false, droppedAllowed: 3 });
    expect(Object.keys(t)).toHaveLength(1 + 3 * 4);
    for (const expressions of Object.values(t))
      expect(expressions.every((e) => typeof e === 'string' && isReportOnly(e))).toBe(true);
  });

  it('expects the share of failures that error and abort faults cause, and no health then', () => {
    const t = plan([
      {
        name: 'broken',
        duration: '5s',
        faults: [
          { type: 'error', probability: 0.3 },
          { type: 'abort', probability: 0.2 },
        ],
      },
    ]);
    expect(t['http_req_failed{phase:broken}']).toEqual(['rate>=0.45']);
    expect(t['checks{phase:broken}']).toEqual(['rate>=0']);
    expect(t['http_req_duration{phase:broken}']).toEqual(['p(50)<50', 'p(95)<250']);
  });

  it('puts a partial delay at the median of the delayed share, counting failures as undelayed', () => {
    expect(
      plan([{ name: 'p', duration: '5s', faults: [{ type: 'latency', delayMs: 100, probability: 0.5 }] }])[
        'http_req_duration{phase:p}'
      ],
    ).toEqual(['p(75)>=95']);
    const mixed = plan([
      {
        name: 'p',
        duration: '5s',
        faults: [
          { type: 'latency', delayMs: 100, probability: 0.5 },
          { type: 'error', probability: 0.5 },
        ],
      },
    ]);
    expect(mixed['http_req_duration{phase:p}']).toEqual(['p(87.5)>=95']);
  });

  it('asserts neither a rare delay nor health while it is on', () => {
    const t = plan([{ name: 'p', duration: '5s', faults: [{ type: 'latency', delayMs: 100, probability: 0.05 }] }]);
    expect(t['http_req_duration{phase:p}']).toEqual(['max>=0']);
  });

  it('ignores faults on other routes and health faults', () => {
    const t = plan([
      {
        name: 'p',
        duration: '5s',
        faults: [
          { type: 'latency', delayMs: 900, routes: ['/fail'] },
          { type: 'health', probe: 'readiness' },
        ],
      },
    ]);
    expect(t['http_req_duration{phase:p}']).toEqual(['p(50)<50', 'p(95)<250']);
  });

  it('judges a phase with a latency fault on /* (every route) against its delay, not the healthy budget', () => {
    const t = plan([{ name: 'p', duration: '5s', faults: [{ type: 'latency', delayMs: 300, routes: ['/*'] }] }]);
    expect(t['http_req_duration{phase:p}']).toEqual(['p(50)>=285']);
  });

  it('makes health thresholds abort the run for the breakpoint profile', () => {
    const t = plan([{ name: 'b', duration: '5s' }], { abortOnFail: true });
    expect(t['http_req_duration{phase:b}']).toEqual([
      { threshold: 'p(50)<50', abortOnFail: true, delayAbortEval: '10s' },
      { threshold: 'p(95)<250', abortOnFail: true, delayAbortEval: '10s' },
    ]);
  });
});

test('trendStatsFor adds every percentile a threshold names', () => {
  const stats = trendStatsFor({ a: ['p(87.5)>=95', { threshold: 'p(99.9)<1' }], b: ['p(95)<1'] }, ['med', 'p(95)']);
  expect(stats).toEqual(['med', 'p(95)', 'p(87.5)', 'p(99.9)']);
});
