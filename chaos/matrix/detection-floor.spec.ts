import { detectionBounds } from './detection-floor';

describe('detectionBounds', () => {
  const roque = {
    scrapeSeconds: 5,
    ruleIntervalSeconds: 5,
    windowSeconds: 20,
    forSeconds: 10,
    pollSeconds: 0.5,
    requiredFaultShare: 0.5,
  };

  it("gives Roque's fast alerts 17.5–28 s to fire and 7.5–18 s to resolve", () => {
    expect(detectionBounds(roque)).toEqual({
      spanSeconds: 15,
      leadSeconds: 7.5,
      fire: { min: 17.5, max: 28 },
      resolve: { min: 7.5, max: 18 },
    });
  });

  it('needs less of the window under the fault when the fault is stronger than the threshold', () => {
    // 50% errors against a 5% threshold: a tenth of the span suffices.
    expect(detectionBounds({ ...roque, requiredFaultShare: 0.1 }).fire.min).toBeCloseTo(11.5);
  });

  it('refuses a window that cannot hold two scrapes', () => {
    expect(() => detectionBounds({ ...roque, windowSeconds: 5 })).toThrow(/two scrapes/);
  });
});
