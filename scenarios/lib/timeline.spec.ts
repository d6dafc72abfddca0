import {
  DEFAULT_TIMELINE,
  faultTtlSeconds,
  FAULT_TTL_MARGIN_SECONDS,
  parseTimeline,
  slowestInjectedMs,
} from './timeline';

describe('parseTimeline', () => {
  it('defaults to baseline, 200 ms of latency, recovery, 20 s each', () => {
    const phases = parseTimeline(undefined);
    expect(phases.map((p) => [p.name, p.startSeconds, p.durationSeconds, p.faults.length])).toEqual([
      ['baseline', 0, 20, 0],
      ['degraded', 20, 20, 1],
      ['recovery', 40, 20, 0],
    ]);
    expect(phases[1].faults[0]).toEqual({
      type: 'latency',
      delayMs: 200,
      jitterMs: 0,
      distribution: 'fixed',
      probability: 1,
      ttlSeconds: 300,
    });
    expect(JSON.parse(JSON.stringify(DEFAULT_TIMELINE))).toHaveLength(3);
  });

  it('reads durations in k6 notation or seconds, and offsets phases one after another', () => {
    const phases = parseTimeline(
      '[{"name":"a","duration":"1m"},{"name":"b","duration":2.5,"faults":[{"type":"error","status":503,"ttlSeconds":30}]}]',
    );
    expect(phases.map((p) => p.startSeconds)).toEqual([0, 60]);
    expect(phases[1].faults[0]).toMatchObject({ type: 'error', status: 503, ttlSeconds: 30 });
  });

  it.each([
    ['{', /TIMELINE is not valid JSON/],
    ['[]', /TIMELINE must be a JSON array of 1\.\.32 phases/],
    ['{"name":"a"}', /TIMELINE must be a JSON array/],
    ['[{"name":"a b","duration":"1s"}]', /TIMELINE\[0\]\.name must be/],
    ['[{"name":"control","duration":"1s"}]', /not "control"/],
    ['[{"name":"a"}]', /TIMELINE\[0\]\.duration is required/],
    ['[{"name":"a","duration":"soon"}]', /TIMELINE\[0\]\.duration must be a duration/],
    ['[{"name":"a","duration":"1s"},{"name":"a","duration":"1s"}]', /TIMELINE\[1\]: phase name "a" is used twice/],
    ['[{"name":"a","duration":"1s","fault":[]}]', /unknown field\(s\) fault/],
    ['[{"name":"a","duration":"1s","faults":[{"type":"latency"}]}]', /TIMELINE\[0\]\.faults\[0\]: delayMs: /],
    [
      '[{"name":"a","duration":"1s","faults":[{"type":"latency","delayMs":1,"color":"red"}]}]',
      /TIMELINE\[0\]\.faults\[0\]: .*color/,
    ],
    ['[{"name":"a","duration":"1h","faults":[{"type":"abort"}]}]', /may last at most 3585s/],
  ])('refuses %s', (json, message) => {
    expect(() => parseTimeline(json)).toThrow(message);
  });
});

describe('faultTtlSeconds', () => {
  const [phase] = parseTimeline('[{"name":"a","duration":"30s","faults":[{"type":"abort","ttlSeconds":3600}]}]');
  it('covers the rest of the phase plus a margin, so a killed run cleans up soon after', () => {
    expect(faultTtlSeconds(phase, 0)).toBe(30 + FAULT_TTL_MARGIN_SECONDS);
    expect(faultTtlSeconds(phase, 10.2)).toBe(Math.ceil(19.8 + FAULT_TTL_MARGIN_SECONDS));
    expect(faultTtlSeconds(phase, 99)).toBe(FAULT_TTL_MARGIN_SECONDS);
  });
});

describe('slowestInjectedMs', () => {
  it('takes the largest delay on / with its spread, ignoring other routes', () => {
    const phases = parseTimeline(
      JSON.stringify([
        {
          name: 'a',
          duration: '1s',
          faults: [{ type: 'latency', delayMs: 100, jitterMs: 50, distribution: 'normal' }],
        },
        {
          name: 'b',
          duration: '1s',
          faults: [{ type: 'latency', delayMs: 180, jitterMs: 50, distribution: 'uniform' }],
        },
        { name: 'c', duration: '1s', faults: [{ type: 'latency', delayMs: 5000, routes: ['/fail'] }] },
      ]),
    );
    expect(slowestInjectedMs(phases)).toBe(250);
    expect(slowestInjectedMs(parseTimeline('[{"name":"a","duration":"1s"}]'))).toBe(0);
    expect(
      slowestInjectedMs(
        parseTimeline('[{"name":"a","duration":"1s","faults":[{"type":"latency","delayMs":700,"routes":["/*"]}]}]'),
      ),
    ).toBe(700);
  });
});
