import { sizeVUs } from './sizing';

describe("sizeVUs (Little's law)", () => {
  it('pre-allocates 1.5 × rate × slowest latency, plus one, and allows twice that', () => {
    expect(sizeVUs(20, 300)).toEqual({ preAllocatedVUs: 10, maxVUs: 20 });
    expect(sizeVUs(100, 500)).toEqual({ preAllocatedVUs: 76, maxVUs: 152 });
  });
  it('rounds up and keeps at least two VUs', () => {
    expect(sizeVUs(2, 200)).toEqual({ preAllocatedVUs: 2, maxVUs: 4 });
    expect(sizeVUs(7, 300)).toEqual({ preAllocatedVUs: 5, maxVUs: 10 });
  });
  it('refuses a rate or latency that is not positive', () => {
    expect(() => sizeVUs(0, 100)).toThrow(/positive/);
    expect(() => sizeVUs(10, -1)).toThrow(/positive/);
  });
});
