// The k6 scenarios end to end: real k6, the real app, a real Prometheus 2.42 receiving
// remote writes. Phases are short (5–6 s) so the whole file stays well under two minutes.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startStack, type Stack } from '../stack';
import { startApp, type AppProcess } from '../local/app-process';
import { freePort } from '../local/network';
import { startRoque } from '../local/roque-cli';
import { REPO_ROOT, tools } from '../tools';
import { BUNDLES_DIR, ensureBundles, k6ExitMeaning, knownScenarios, runK6, type K6RunResult } from './k6-runner';

const LATENCY_MS = 200;
const TIMELINE = [
  { name: 'baseline', duration: '6s' },
  { name: 'degraded', duration: '6s', faults: [{ type: 'latency', delayMs: LATENCY_MS }] },
  { name: 'recovery', duration: '6s' },
];

let app: AppProcess;
let stack: Stack;
const tmp = mkdtempSync(join(tmpdir(), 'roque-k6-'));

beforeAll(async () => {
  if (
    !existsSync(join(REPO_ROOT, 'dist', 'chaos', 'cli', 'main.js')) ||
    !existsSync(join(REPO_ROOT, 'dist', 'target-app'))
  ) {
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'webpack-free-build.mjs'), '--only', 'node'], {
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(build.stderr);
  }
  ensureBundles();
  [app, stack] = await Promise.all([
    startApp(),
    (async () =>
      startStack({ dataDir: join(tmp, 'stack'), prometheusPort: await freePort(), alertmanagerPort: null }))(),
  ]);
}, 40_000);

afterAll(async () => {
  await Promise.all([app?.stop(), stack?.stop()]);
  rmSync(tmp, { recursive: true, force: true });
});

const activeFaults = async (): Promise<unknown[]> => {
  const res = await fetch(`${app.url}/admin/faults`, { headers: { authorization: `Bearer ${app.adminToken}` } });
  return ((await res.json()) as { faults: unknown[] }).faults;
};

/** Compares the exit code, showing k6's own summary when it differs. */
const expectExit = (result: K6RunResult, exitCode: number) => {
  const summaryText = result.summaryFile
    ? readFileSync(join(dirname(result.summaryFile), 'summary.txt'), 'utf8')
    : 'no summary';
  expect({ exitCode: result.exitCode, meaning: result.meaning, summaryText }).toEqual({
    exitCode,
    meaning: k6ExitMeaning(exitCode),
    summaryText,
  });
};

type Metrics = Record<string, { values: Record<string, number> }>;
const summaryOf = (result: K6RunResult): { metrics: Metrics; roque: { phases: { name: string }[] } } => {
  expect(result.summaryFile).not.toBeNull();
  return JSON.parse(readFileSync(result.summaryFile!, 'utf8'));
};

async function promQuery(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status).toBe('success');
  return body.data.result;
}

/** Prometheus's own counters of samples it refused, and its remote-write answers by status code. */
async function ingestionCounters(): Promise<{ rejected: number; writesByCode: Record<string, number> }> {
  const text = await (await fetch(`${stack.prometheusUrl}/metrics`)).text();
  let rejected = 0;
  const writesByCode: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const value = Number(line.split(' ').pop());
    // 2.42 names; labelled by sample type, so absent until the first refusal.
    if (/^prometheus_tsdb_(out_of_order|out_of_bound|too_old)_samples_total\b/.test(line)) rejected += value;
    const write = line.match(/^prometheus_http_requests_total\{code="(\d+)",handler="\/api\/v1\/write"\}/);
    if (write) writesByCode[write[1]] = value;
  }
  return { rejected, writesByCode };
}

test('every bundle is accepted by k6 inspect, with open-model scenarios', () => {
  for (const scenario of knownScenarios()) {
    const res = spawnSync(tools().k6, ['inspect', join(BUNDLES_DIR, `${scenario}.js`)], { encoding: 'utf8' });
    expect({ scenario, status: res.status, stderr: res.stderr }).toEqual({ scenario, status: 0, stderr: '' });
    const { scenarios } = JSON.parse(res.stdout) as { scenarios: Record<string, { executor: string }> };
    const load = Object.entries(scenarios).filter(([name]) => !name.startsWith('faults_'));
    expect(load.length).toBeGreaterThan(0);
    for (const [, s] of load) expect(s.executor).toMatch(/-arrival-rate$/);
  }
});

test('smoke runs green against the app and writes summary.json and JUnit', async () => {
  const summaryDir = join(tmp, 'smoke');
  const result = await runK6({
    scenario: 'smoke',
    testid: 'e2e-smoke',
    summaryDir,
    env: { BASE_URL: app.url, RATE: '5', DURATION: '5s' },
  });
  expectExit(result, 0);
  const { metrics } = summaryOf(result);
  expect(metrics['http_reqs{phase:smoke}'].values.count).toBeGreaterThanOrEqual(24);
  expect(metrics['checks{phase:smoke}'].values.rate).toBe(1);
  expect(metrics.dropped_iterations.values.count).toBe(0);
  expect(readFileSync(join(summaryDir, 'junit.xml'), 'utf8')).toMatch(
    /<testsuite name="k6 smoke" tests="6" failures="0"/,
  );
}, 30_000);

describe('chaos with 200 ms of latency in its degraded phase', () => {
  const testid = `e2e-chaos-${Date.now()}`;
  let result: K6RunResult;
  let metrics: Metrics;
  let faultsAfter: unknown[];

  beforeAll(async () => {
    result = await runK6({
      scenario: 'chaos',
      testid,
      summaryDir: join(tmp, 'chaos'),
      rawOutputFile: join(tmp, 'chaos', 'samples.json'),
      prometheusUrl: stack.prometheusUrl,
      env: { BASE_URL: app.url, CHAOS_ADMIN_TOKEN: app.adminToken, RATE: '20', TIMELINE: JSON.stringify(TIMELINE) },
    });
    faultsAfter = await activeFaults();
    metrics = summaryOf(result).metrics;
  }, 60_000);

  test('passes its per-phase thresholds', () => {
    expectExit(result, 0);
    const p50 = (phase: string) => metrics[`http_req_duration{phase:${phase}}`].values.med;
    console.log(
      `chaos p50 ms: baseline ${p50('baseline').toFixed(2)}, degraded ${p50('degraded').toFixed(2)}, recovery ${p50('recovery').toFixed(2)}`,
    );
    expect(p50('degraded')).toBeGreaterThanOrEqual(0.95 * LATENCY_MS);
    expect(p50('baseline')).toBeLessThan(25);
    expect(p50('recovery')).toBeLessThan(25);
    expect(metrics.dropped_iterations.values.count).toBe(0);
  });

  test('leaves no fault active', () => {
    expect(faultsAfter).toEqual([]);
  });

  test('writes every request with its phase tag to the raw output', () => {
    const samples = readFileSync(result.rawFile!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as { type: string; metric: string; data: { value: number; tags?: Record<string, string> } },
      )
      .filter((s) => s.type === 'Point' && s.metric === 'http_req_duration' && s.data.tags?.name === '/');
    const byPhase = (phase: string) => samples.filter((s) => s.data.tags!.phase === phase).map((s) => s.data.value);
    expect(byPhase('baseline').length).toBeGreaterThanOrEqual(100);
    expect(byPhase('degraded').filter((v) => v >= 0.95 * LATENCY_MS).length).toBeGreaterThanOrEqual(100);
    expect(samples.every((s) => !('url' in s.data.tags!))).toBe(true);
  });

  test('reaches Prometheus by remote write: k6_http_reqs_total for the testid, split by phase', async () => {
    const reqs = await promQuery(
      `sum by (phase) (max_over_time(k6_http_reqs_total{testid="${testid}",name="/"}[10m]))`,
    );
    const byPhase = Object.fromEntries(reqs.map((r) => [r.metric.phase, Number(r.value[1])]));
    expect(Object.keys(byPhase).sort()).toEqual(['baseline', 'degraded', 'recovery']);
    for (const count of Object.values(byPhase)) expect(count).toBeGreaterThanOrEqual(100);
    const p50 = await promQuery(
      `max by (phase) (max_over_time(k6_http_req_duration_p50{testid="${testid}",name="/"}[10m]))`,
    );
    const degraded = p50.find((r) => r.metric.phase === 'degraded');
    expect(Number(degraded?.value[1])).toBeGreaterThanOrEqual((0.95 * LATENCY_MS) / 1000);
  });

  test('with no sample rejected by Prometheus', async () => {
    const { rejected, writesByCode } = await ingestionCounters();
    expect(rejected).toBe(0);
    expect(Object.keys(writesByCode).filter((code) => !code.startsWith('2'))).toEqual([]);
    expect(writesByCode['204']).toBeGreaterThan(0);
  });
});

test('an interrupted chaos run still clears its faults (teardown), mid-degraded', async () => {
  const interrupt = new AbortController();
  let faultsDuring: unknown[] = [];
  const result = await runK6({
    scenario: 'chaos',
    testid: 'e2e-interrupted',
    summaryDir: join(tmp, 'interrupted'),
    env: { BASE_URL: app.url, CHAOS_ADMIN_TOKEN: app.adminToken, TIMELINE: JSON.stringify(TIMELINE) },
    signal: interrupt.signal,
    onLine: (line) => {
      if (!line.includes('phase degraded: faults on')) return;
      setTimeout(() => {
        // A failed look leaves faultsDuring empty, which the expectation below reports.
        void activeFaults()
          .then(
            (faults) => (faultsDuring = faults),
            () => {},
          )
          .finally(() => interrupt.abort());
      }, 2_000);
    },
  });
  expectExit(result, 105);
  expect(faultsDuring).toHaveLength(1);
  expect(await activeFaults()).toEqual([]);
  const { metrics } = summaryOf(result);
  expect(metrics['http_req_duration{phase:degraded}'].values.med).toBeGreaterThanOrEqual(0.95 * LATENCY_MS);
  expect(metrics['http_reqs{phase:recovery}'].values.count).toBe(0);
}, 40_000);

test('`roque k6 run chaos` killed with SIGKILL mid-degraded: its watchdog clears the faults and stops k6 within 10 s', async () => {
  const timeline = JSON.stringify([
    { name: 'baseline', duration: '2s' },
    { name: 'degraded', duration: '30s', faults: [{ type: 'latency', delayMs: 50 }] },
  ]);
  const run = startRoque(
    ['k6', 'run', 'chaos', '--base-url', app.url, '--timeline', timeline, '--summary-dir', join(tmp, 'killed')],
    { CHAOS_ADMIN_TOKEN: app.adminToken },
    60_000,
  );
  try {
    const deadline = Date.now() + 30_000;
    while ((await activeFaults()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await activeFaults()).toHaveLength(1);
    const k6 = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .find((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return (
            Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === run.child.pid &&
            readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('k6')
          );
        } catch {
          return false;
        }
      });
    expect(k6).toBeDefined();
    run.child.kill('SIGKILL');
    const killedAt = Date.now();
    const alive = () => existsSync(`/proc/${k6}`) && !readFileSync(`/proc/${k6}/stat`, 'utf8').includes(') Z ');
    while ((alive() || (await activeFaults()).length > 0) && Date.now() - killedAt < 10_000)
      await new Promise((r) => setTimeout(r, 50));
    console.log(`SIGKILL of roque k6 run: k6 gone and faults cleared after ${Date.now() - killedAt} ms`);
    expect(alive()).toBe(false);
    expect(await activeFaults()).toEqual([]);
  } finally {
    run.child.kill('SIGKILL');
  }
}, 60_000);

test('k6 follows no redirect: a target that redirects elsewhere sends it nowhere', async () => {
  // The target answers / with a redirect to another address (127.0.0.2 stands for "off
  // loopback", which a test may not reach); that address must never see a request.
  let elsewhere = 0;
  const away = createServer((_req, res) => {
    elsewhere++;
    res.end('{"dice_value":1}');
  });
  const awayPort = await freePort();
  await new Promise<void>((resolve) => away.listen(awayPort, '127.0.0.2', resolve));
  const redirecting = createServer((req, res) => {
    if (req.url === '/health') return void res.end('{"status":"ok"}');
    res.writeHead(302, { location: `http://127.0.0.2:${awayPort}/` }).end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => redirecting.listen(port, '127.0.0.1', resolve));
  try {
    const result = await runK6({
      scenario: 'smoke',
      testid: 'redirect',
      summaryDir: join(tmp, 'redirect'),
      env: { BASE_URL: `http://127.0.0.1:${port}`, RATE: '10', DURATION: '2s' },
    });
    const { metrics } = summaryOf(result);
    expect(metrics['http_reqs'].values.count).toBeGreaterThan(10);
    expect(elsewhere).toBe(0);
  } finally {
    away.close();
    redirecting.close();
  }
}, 40_000);

describe('roque k6 run refuses clearly', () => {
  const roque = (args: string[], env: Record<string, string> = {}) => {
    const { CHAOS_ADMIN_TOKEN: _token, BASE_URL: _url, ...inherited } = process.env;
    const res = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'chaos', 'bin', 'roque.cjs'), 'k6', ...args, '--summary-dir', join(tmp, 'cli')],
      {
        encoding: 'utf8',
        env: { ...inherited, ...env },
        timeout: 30_000,
      },
    );
    return { status: res.status, output: res.stdout + res.stderr };
  };

  test('an unknown scenario, listing the known ones (exit 2)', () => {
    const { status, output } = roque(['run', 'smokey']);
    expect(status).toBe(2);
    expect(output).toContain(
      'unknown scenario "smokey"; known: average, breakpoint, chaos, smoke, soak, spike, stress',
    );
  });

  test('a BASE_URL off loopback (exit 2)', () => {
    const { status, output } = roque(['run', 'smoke', '--base-url', 'http://192.0.2.1:8080']);
    expect(status).toBe(2);
    expect(output).toMatch(/BASE_URL "http:\/\/192\.0\.2\.1:8080" is not a loopback address/);
  });

  test('a BASE_URL off loopback given to k6 itself, after `--` (exit 2)', () => {
    const { status, output } = roque(['run', 'smoke', '--', '-e', 'BASE_URL=http://192.0.2.1:8080']);
    expect(status).toBe(2);
    expect(output).toMatch(/BASE_URL \(-e\) "http:\/\/192\.0\.2\.1:8080" is not a loopback address/);
  });

  test('a --testid that is no plain name, before any folder is made (exit 2)', () => {
    const escape = `fc-escape-${process.pid}`;
    const res = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'chaos', 'bin', 'roque.cjs'), 'k6', 'run', 'smoke', '--testid', `../${escape}`],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(
      `--testid may hold only letters, digits and "_.:-", start with a letter or digit, at most 128 (got "../${escape}")`,
    );
    expect(existsSync(join(REPO_ROOT, 'reports', escape))).toBe(false);
  });

  test('an unreachable BASE_URL, before any load (k6 exit 108)', async () => {
    const { status, output } = roque(['run', 'smoke', '--base-url', `http://127.0.0.1:${await freePort()}`]);
    expect(status).toBe(108);
    expect(output).toMatch(/target http:\/\/127\.0\.0\.1:\d+ is not reachable/);
  });

  test('chaos without CHAOS_ADMIN_TOKEN (k6 exit 108)', () => {
    const { status, output } = roque(['run', 'chaos', '--base-url', app.url]);
    expect(status).toBe(108);
    expect(output).toContain('CHAOS_ADMIN_TOKEN is required');
  });

  test('chaos with a bad timeline, before any load (k6 exit 107)', () => {
    const timeline = JSON.stringify([{ name: 'degraded', duration: '5s', faults: [{ type: 'latency', delayMs: -1 }] }]);
    const { status, output } = roque(['run', 'chaos', '--base-url', app.url, '--timeline', timeline], {
      CHAOS_ADMIN_TOKEN: app.adminToken,
    });
    expect(status).toBe(107);
    expect(output).toContain('TIMELINE[0].faults[0]: delayMs');
  });
});
