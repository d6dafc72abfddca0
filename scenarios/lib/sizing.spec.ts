import { sizeVUs } from './sizing';

describe("sizeVUs (Little's law)", () => {
  it('pre-allocates rate × slowest latency and allows twice that', () => {
    expect(sizeVUs(20, 300)).toEqual({ preAllocatedVUs: 6, maxVUs: 12 });
    expect(sizeVUs(500, 1000)).toEqual({ preAllocatedVUs: 500, maxVUs: 1000 });
  });
  it('rounds up and keeps at least one VU', () => {
    expect(sizeVUs(3, 250)).toEqual({ preAllocatedVUs: 1, maxVUs: 2 });
    expect(sizeVUs(7, 300)).toEqual({ preAllocatedVUs: 3, maxVUs: 6 });
  });
  it('refuses a rate or latency that is not positive', () => {
    expect(() => sizeVUs(0, 100)).toThrow(/positive/);
    expect(() => sizeVUs(10, -1)).toThrow(/positive/);
  });
});
