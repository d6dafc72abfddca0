import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['200ms', 200],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['.5s', 500],
    [' 30s ', 30_000],
    ['0ms', 0],
    ['1m30s', 90_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['30', '2 days', '-1s', '1.5.2s', 's', '', '10 sec'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration/);
  });
});

test.each([
  [200, '200ms'],
  [1500, '1.5s'],
  [120_000, '2m'],
  [90_000, '90s'],
])('formatDuration(%d) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
