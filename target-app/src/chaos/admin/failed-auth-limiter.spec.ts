import { configFrom } from '../../config/app-config';
import { FailedAuthLimiter } from './failed-auth-limiter';

describe('FailedAuthLimiter', () => {
  const limiter = () => new FailedAuthLimiter(configFrom({ CHAOS_ADMIN_AUTH_FAILURES_PER_MINUTE: '3' }));

  it('lets a client fail up to the limit, then names the wait until its minute is over', () => {
    const limits = limiter();
    expect([0, 1_000, 2_000].map((t) => limits.fail('10.0.0.1', t))).toEqual([0, 0, 0]);
    expect(limits.fail('10.0.0.1', 3_000)).toBe(57);
    expect(limits.fail('10.0.0.1', 59_500)).toBe(1);
    expect(limits.fail('10.0.0.2', 3_000)).toBe(0);
  });

  it('starts a fresh window once the minute has passed', () => {
    const limits = limiter();
    for (let t = 0; t < 5; t++) limits.fail('10.0.0.1', t);
    expect(limits.fail('10.0.0.1', 60_000)).toBe(0);
  });

  it('remembers at most 10 000 clients, forgetting the oldest', () => {
    const limits = limiter();
    for (let t = 0; t < 4; t++) limits.fail('first', t);
    for (let i = 0; i < 10_000; i++) limits.fail(`10.1.${i >> 8}.${i & 255}`, 10);
    expect(limits.fail('first', 20)).toBe(0);
  });
});
