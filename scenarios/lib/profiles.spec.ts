import { PROFILE_NAMES, profilePlan } from './profiles';
import { readSettings } from './settings';

describe('profilePlan', () => {
  it.each(PROFILE_NAMES)('%s is open-model load tagged with its name', (name) => {
    const { options, phase } = profilePlan(name, readSettings({}));
    const scenario = options.scenarios![name] as {
      executor: string;
      exec: string;
      tags: Record<string, string>;
      preAllocatedVUs: number;
      maxVUs: number;
    };
    expect(scenario.executor).toMatch(/^(constant|ramping)-arrival-rate$/);
    expect(scenario).toMatchObject({ exec: 'roll', tags: { phase: name } });
    expect(scenario.maxVUs).toBe(2 * scenario.preAllocatedVUs);
    expect(phase).toMatchObject({ name, startSeconds: 0, faults: [] });
    expect(Object.keys(options.thresholds!)).toEqual(
      expect.arrayContaining([
        `http_req_duration{phase:${name}}`,
        `http_req_failed{phase:${name}}`,
        `checks{phase:${name}}`,
        'dropped_iterations',
      ]),
    );
  });

  it('smoke: a constant trickle for 10 s', () => {
    const { options } = profilePlan('smoke', readSettings({}));
    expect(options.scenarios!.smoke).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 2,
      timeUnit: '1s',
      duration: '10s',
      preAllocatedVUs: 2,
      maxVUs: 4,
    });
    expect(options.thresholds!.dropped_iterations).toEqual(['count<=0']);
  });

  it('average: ramp, hold, ramp down, scaled by RATE and DURATION, VUs by the latency budget', () => {
    const { options } = profilePlan('average', readSettings({ RATE: '40', DURATION: '100s' }));
    expect(options.scenarios!.average).toMatchObject({
      executor: 'ramping-arrival-rate',
      startRate: 0,
      stages: [
        { duration: '10s', target: 40 },
        { duration: '80s', target: 40 },
        { duration: '10s', target: 0 },
      ],
      preAllocatedVUs: 19, // 1.5 × 40/s × 300 ms + 1
      maxVUs: 38,
    });
    // 200 + 3200 + 200 planned iterations; 1% may drop.
    expect(options.thresholds!.dropped_iterations).toEqual(['count<=36']);
  });

  it('sizes VUs by MAX_LATENCY_MS when given', () => {
    const { options } = profilePlan('stress', readSettings({ RATE: '100', MAX_LATENCY_MS: '2000' }));
    expect(options.scenarios!.stress).toMatchObject({ preAllocatedVUs: 301, maxVUs: 602 });
  });

  it('breakpoint ramps from 0 to RATE and aborts at the first failed health threshold', () => {
    const { options } = profilePlan('breakpoint', readSettings({ RATE: '300', DURATION: '2m' }));
    expect(options.scenarios!.breakpoint).toMatchObject({ startRate: 0, stages: [{ duration: '2m', target: 300 }] });
    expect(options.thresholds!['http_req_duration{phase:breakpoint}']).toContainEqual({
      threshold: 'p(95)<500',
      abortOnFail: true,
      delayAbortEval: '10s',
    });
  });

  it('puts testid on every sample and drops raw URLs from the tags', () => {
    const { options } = profilePlan('spike', readSettings({ TESTID: 'abc' }));
    expect(options.tags).toEqual({ testid: 'abc' });
    expect(options.systemTags).not.toContain('url');
    expect(options.summaryTrendStats).toEqual(expect.arrayContaining(['med', 'p(95)', 'p(99)']));
  });
});
