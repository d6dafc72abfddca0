import { join } from 'node:path';
import {
  k6ArgEnv,
  k6ExitMeaning,
  k6Invocation,
  knownScenarios,
  remoteWriteEnv,
  scenarioBundle,
  UnknownScenarioError,
  type K6RunOptions,
} from './k6-runner';

const base: K6RunOptions = {
  scenario: 'chaos',
  testid: 'exp-1',
  summaryDir: '/tmp/out',
  env: { BASE_URL: 'http://127.0.0.1:4000', RATE: '5' },
};

describe('k6Invocation', () => {
  it('runs the bundle quietly, tagged with the testid, settings in the environment', () => {
    const { args, env } = k6Invocation(base, '/b/chaos.js');
    expect(args).toEqual(['run', '--no-usage-report', '--quiet', '--tag', 'testid=exp-1', '/b/chaos.js']);
    expect(env).toEqual({ BASE_URL: 'http://127.0.0.1:4000', RATE: '5', TESTID: 'exp-1', SUMMARY_DIR: '/tmp/out' });
  });

  it('keeps the admin token out of the arguments', () => {
    const { args, env } = k6Invocation({ ...base, env: { ...base.env, CHAOS_ADMIN_TOKEN: 'secret' } }, '/b/chaos.js');
    expect(args.join(' ')).not.toContain('secret');
    expect(env.CHAOS_ADMIN_TOKEN).toBe('secret');
  });

  it('adds tags, raw output, remote write and extra arguments before the script', () => {
    const { args, env } = k6Invocation(
      {
        ...base,
        tags: { experiment: 'x' },
        rawOutputFile: 'raw/requests.csv.gz',
        prometheusUrl: 'http://127.0.0.1:9090',
        extraArgs: ['--http-debug'],
        progress: true,
      },
      '/b/chaos.js',
    );
    expect(args).toEqual([
      'run',
      '--no-usage-report',
      '--tag',
      'experiment=x',
      '--tag',
      'testid=exp-1',
      '--out',
      `csv=${join(process.cwd(), 'raw/requests.csv.gz')}`,
      '--out',
      'experimental-prometheus-rw',
      '--http-debug',
      '/b/chaos.js',
    ]);
    expect(env).toMatchObject({
      K6_PROMETHEUS_RW_SERVER_URL: 'http://127.0.0.1:9090/api/v1/write',
      K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(90),p(95),p(99),avg,min,max',
      K6_PROMETHEUS_RW_STALE_MARKERS: 'true',
    });
  });

  it('exports the web dashboard as HTML, its server on an ephemeral loopback port', () => {
    const { args, env } = k6Invocation({ ...base, webDashboardExport: 'run/k6/k6-dashboard.html' }, '/b/chaos.js');
    expect(args).toEqual(['run', '--no-usage-report', '--quiet', '--tag', 'testid=exp-1', '/b/chaos.js']);
    expect(env).toMatchObject({
      K6_WEB_DASHBOARD: 'true',
      K6_WEB_DASHBOARD_HOST: '127.0.0.1',
      K6_WEB_DASHBOARD_PORT: '0',
      K6_WEB_DASHBOARD_OPEN: 'false',
      K6_WEB_DASHBOARD_EXPORT: join(process.cwd(), 'run/k6/k6-dashboard.html'),
    });
    expect(k6Invocation(base, '/b/chaos.js').env.K6_WEB_DASHBOARD).toBeUndefined();
  });

  it('turns on native histograms through the k6 feature flag, without stale markers', () => {
    const { args, env } = k6Invocation(
      { ...base, prometheusUrl: 'http://127.0.0.1:9090', nativeHistograms: true },
      '/b/chaos.js',
    );
    expect(args).toEqual(expect.arrayContaining(['--features', 'native-histograms']));
    expect(env.K6_PROMETHEUS_RW_STALE_MARKERS).toBe('false');
  });

  it('refuses targets and Prometheus off loopback, and unknown raw formats', () => {
    expect(() => k6Invocation({ ...base, env: { BASE_URL: 'http://10.1.2.3:8080' } }, 'x')).toThrow(
      /BASE_URL .* not a loopback address/,
    );
    expect(() =>
      k6Invocation({ ...base, env: { ...base.env, BASE_URLS: 'http://127.0.0.1:1,http://10.1.2.3:8080' } }, 'x'),
    ).toThrow(/BASE_URLS .* not a loopback address/);
    expect(
      k6Invocation({ ...base, env: { ...base.env, BASE_URLS: 'http://127.0.0.1:1, http://127.0.0.1:2' } }, 'x').env
        .BASE_URLS,
    ).toBe('http://127.0.0.1:1, http://127.0.0.1:2');
    expect(() => k6Invocation({ ...base, prometheusUrl: 'http://prom.example:9090' }, 'x')).toThrow(
      /Prometheus URL .* not a loopback/,
    );
    expect(() => k6Invocation({ ...base, rawOutputFile: 'out.txt' }, 'x')).toThrow(/must end in \.json/);
  });

  it('holds BASE_URL given to k6 itself (`-- -e BASE_URL=…`) to the loopback rule', () => {
    for (const extraArgs of [
      ['-e', 'BASE_URL=http://10.0.0.1'],
      ['-eBASE_URL=http://example.com'],
      ['--env', 'BASE_URL=http://192.168.1.1:80'],
      ['--env=BASE_URL=https://example.com/'],
    ]) {
      expect(() => k6Invocation({ ...base, extraArgs }, 'x')).toThrow(/BASE_URL \(-e\) ".*" is not a loopback address/);
    }
    expect(k6Invocation({ ...base, extraArgs: ['-e', 'BASE_URL=http://127.0.0.1:9'] }, 'x').args).toContain(
      'BASE_URL=http://127.0.0.1:9',
    );
    expect(k6ArgEnv(['--vus', '2', '-e', 'A=1', '-eB=x=y', '--env=C=', '--env', 'D=4', '-e'])).toEqual({
      A: '1',
      B: 'x=y',
      C: '',
      D: '4',
    });
  });

  it('keeps an explicit remote-write path', () => {
    expect(remoteWriteEnv('http://127.0.0.1:9090/custom/write').K6_PROMETHEUS_RW_SERVER_URL).toBe(
      'http://127.0.0.1:9090/custom/write',
    );
  });
});

describe('scenarios', () => {
  it('lists the scenarios of scenarios/ and names them when one is unknown', () => {
    expect(knownScenarios()).toEqual(['average', 'breakpoint', 'chaos', 'smoke', 'soak', 'spike', 'stress']);
    expect(scenarioBundle('smoke')).toMatch(/dist\/scenarios\/smoke\.js$/);
    expect(() => scenarioBundle('lib/admin')).toThrow(UnknownScenarioError);
    expect(() => scenarioBundle('smok')).toThrow(
      'unknown scenario "smok"; known: average, breakpoint, chaos, smoke, soak, spike, stress',
    );
  });
});

test('k6ExitMeaning explains k6 exit codes', () => {
  expect(k6ExitMeaning(0)).toBe('passed');
  expect(k6ExitMeaning(99)).toBe('thresholds failed');
  expect(k6ExitMeaning(108)).toMatch(/aborted by the script/);
  expect(k6ExitMeaning(137)).toBe('killed by signal 9');
  expect(k6ExitMeaning(1)).toBe('k6 failed (exit code 1)');
});
