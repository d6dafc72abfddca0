import { chaosPlan, phaseOfSwitch } from './chaos-plan';
import { readSettings } from './settings';

describe('chaosPlan', () => {
  const { options, phases } = chaosPlan(readSettings({ CHAOS_ADMIN_TOKEN: 't' }));

  it('runs one arrival-rate scenario per phase, each starting when its phase starts and tagged with it', () => {
    expect(options.scenarios).toMatchObject({
      load_baseline: {
        executor: 'constant-arrival-rate',
        rate: 20,
        startTime: '0s',
        duration: '20s',
        exec: 'roll',
        tags: { phase: 'baseline' },
      },
      load_degraded: { startTime: '20s', duration: '20s', tags: { phase: 'degraded' } },
      load_recovery: { startTime: '40s', duration: '20s', tags: { phase: 'recovery' } },
    });
  });

  it('adds a 1-VU switch scenario for each phase with faults, tagged as control traffic', () => {
    expect(Object.keys(options.scenarios!).filter((n) => n.startsWith('faults_'))).toEqual(['faults_degraded']);
    expect(options.scenarios!.faults_degraded).toMatchObject({
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: 1,
      startTime: '20s',
      exec: 'switchFaults',
      tags: { phase: 'control' },
    });
    expect(phaseOfSwitch(phases, 'faults_degraded').name).toBe('degraded');
    expect(() => phaseOfSwitch(phases, 'load_degraded')).toThrow(/not a fault switch/);
  });

  it('has no switch scenario on a runner told FAULT_SWITCH=off', () => {
    const { options: runner } = chaosPlan(readSettings({ FAULT_SWITCH: 'off' }));
    expect(Object.keys(runner.scenarios!).filter((n) => n.startsWith('faults_'))).toEqual([]);
    expect(Object.keys(runner.scenarios!)).toEqual(['load_baseline', 'load_degraded', 'load_recovery']);
  });

  it('sizes VUs for the slowest injected delay plus the service itself', () => {
    // 1.5 × 20/s × (200 + 100) ms + 1
    expect(options.scenarios!.load_degraded).toMatchObject({ preAllocatedVUs: 10, maxVUs: 20 });
  });

  it('gives a phase its own rate when the timeline sets one, and sizes its VUs for it', () => {
    const timeline = '[{"name":"steady","duration":"10s"},{"name":"surge","duration":"10s","rate":100}]';
    const { scenarios } = chaosPlan(readSettings({ RATE: '10', TIMELINE: timeline })).options;
    expect(scenarios!.load_steady).toMatchObject({ rate: 10, preAllocatedVUs: 3 });
    expect(scenarios!.load_surge).toMatchObject({ rate: 100, preAllocatedVUs: 16 });
    expect(() => chaosPlan(readSettings({ TIMELINE: '[{"name":"a","duration":"1s","rate":0.5}]' }))).toThrow(
      /TIMELINE\[0\]\.rate must be a whole number/,
    );
  });

  it('takes RATE, and refuses DURATION (phases have their own)', () => {
    expect(chaosPlan(readSettings({ RATE: '50' })).options.scenarios!.load_baseline).toMatchObject({ rate: 50 });
    expect(() => chaosPlan(readSettings({ DURATION: '1m' }))).toThrow(/durations from TIMELINE/);
  });

  it('fails on a bad timeline before any load', () => {
    expect(() =>
      chaosPlan(
        readSettings({ TIMELINE: '[{"name":"x","duration":"1s","faults":[{"type":"latency","delayMs":-5}]}]' }),
      ),
    ).toThrow(/TIMELINE\[0\]\.faults\[0\]: delayMs/);
  });
});
