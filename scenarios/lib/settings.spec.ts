import { parseSeconds, k6Duration } from './duration';
import { readSettings } from './settings';

describe('readSettings', () => {
  it('has defaults for everything but the token', () => {
    expect(readSettings({})).toEqual({
      baseUrl: 'http://127.0.0.1:8080',
      baseUrls: ['http://127.0.0.1:8080'],
      faultSwitch: true,
      phaseThresholds: true,
    });
  });

  it('reads every setting', () => {
    const settings = readSettings({
      BASE_URL: 'http://127.0.0.1:9/',
      CHAOS_ADMIN_TOKEN: 't',
      RATE: '12.5',
      DURATION: '1m30s',
      TESTID: 'run-1',
      SUMMARY_DIR: '/tmp/x/',
      MAX_LATENCY_MS: '400',
      PHASE_THRESHOLDS: 'off',
      TIMELINE: '[]',
    });
    expect(settings).toMatchObject({
      baseUrl: 'http://127.0.0.1:9',
      rate: 12.5,
      durationSeconds: 90,
      testid: 'run-1',
      summaryDir: '/tmp/x',
      maxLatencyMs: 400,
      phaseThresholds: false,
    });
  });

  it('spreads the load over BASE_URLS and can leave the fault switch to another runner', () => {
    expect(
      readSettings({
        BASE_URL: 'http://127.0.0.1:1',
        BASE_URLS: 'http://127.0.0.1:1/, http://127.0.0.1:2',
        FAULT_SWITCH: 'off',
      }),
    ).toMatchObject({
      baseUrl: 'http://127.0.0.1:1',
      baseUrls: ['http://127.0.0.1:1', 'http://127.0.0.1:2'],
      faultSwitch: false,
    });
    expect(() => readSettings({ BASE_URLS: 'http://127.0.0.1:1,nope' })).toThrow(
      /BASE_URL must be an http\(s\) URL .*got "nope"/,
    );
  });

  it.each([
    ['RATE', 'abc', /RATE must be a positive number \(got "abc"\)/],
    ['RATE', '0', /RATE must be a positive number/],
    ['DURATION', '5x', /DURATION must be a duration like "500ms"/],
    ['BASE_URL', 'localhost:8080', /BASE_URL must be an http\(s\) URL/],
    ['TESTID', 'has space', /TESTID may hold only/],
    ['PHASE_THRESHOLDS', 'maybe', /PHASE_THRESHOLDS must be "on" or "off"/],
  ])('names the bad variable: %s=%s', (name, value, message) => {
    expect(() => readSettings({ [name]: value })).toThrow(message);
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 0.5],
    ['20s', 20],
    ['1m30s', 90],
    ['2h', 7200],
    ['7', 7],
    [2.5, 2.5],
  ])('parses %p', (text, seconds) => expect(parseSeconds(text, 'd')).toBe(seconds));
  it.each(['', '-1s', '1d', 's', '1s2', 0])('refuses %p', (text) =>
    expect(() => parseSeconds(text, 'd')).toThrow(/d must be/),
  );
  it('formats seconds as durations k6 accepts', () => {
    expect(k6Duration(20)).toBe('20s');
    expect(k6Duration(1.5)).toBe('1.5s');
    expect(k6Duration(0.25)).toBe('250ms');
    expect(k6Duration(120)).toBe('2m');
  });
});
