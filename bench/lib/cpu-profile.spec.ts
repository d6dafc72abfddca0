import { frameTimes, topRows, type CpuProfile } from './cpu-profile';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 9 },
  children,
});

// root → handler (app) → observe (prom-client); root → (idle); root → evaluate → load (start-up).
const PROFILE: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 4, 5]),
    frame(2, 'handler', 'file:///repo/dist/target-app/src/app.js', [3]),
    frame(3, 'observe', 'file:///repo/node_modules/prom-client/lib/histogram.js'),
    frame(4, '(idle)', ''),
    frame(5, 'evaluate', '', [6]),
    frame(6, 'load', 'node:internal/modules/cjs/loader'),
  ],
  samples: [2, 3, 3, 3, 4, 4, 4, 4, 6, 6],
};

describe('frameTimes', () => {
  it('shares only busy samples: no idle time, no start-up', () => {
    const times = frameTimes(PROFILE);
    expect(times.busy).toBe(4);
    expect(times.self.get('observe prom-client/lib/histogram.js:10')).toBe(0.75);
    expect(times.self.get('handler dist/target-app/src/app.js:10')).toBe(0.25);
    expect(times.inclusive.get('handler dist/target-app/src/app.js:10')).toBe(1);
    expect(times.module.get('prom-client')).toBe(0.75);
    expect([...times.self.keys()].some((k) => k.startsWith('load') || k.startsWith('(idle)'))).toBe(false);
  });

  it('reads as µs per request, and as the change from a base profile', () => {
    const times = frameTimes(PROFILE);
    expect(topRows(times.self, 20, 1)).toEqual(['  15.00  observe prom-client/lib/histogram.js:10']);
    const base = new Map([['observe prom-client/lib/histogram.js:10', 0.25]]);
    expect(topRows(times.self, 20, 1, base)).toEqual([
      '   5.00  15.00  10.00  observe prom-client/lib/histogram.js:10',
    ]);
  });
});
