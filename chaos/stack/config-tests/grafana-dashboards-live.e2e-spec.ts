// Every dashboard query returns data from a live Prometheus after a short real run: the
// local stack, the real app, and k6 remote-writing 35 s of load, 10 s baseline then 25 s
// with a latency fault (all requests +400 ms) and an error fault (30% answer 500) switched
// on through the app's admin API. Only the compose-only panels (node-exporter, cAdvisor)
// are left out: those series do not exist outside compose.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type AppProcess } from '../../local/app-process';
import { freePort } from '../../local/network';
import { REPO_ROOT, tools } from '../../tools';
import { startStack, type Stack } from '..';
import { dashboardQueries, substitute, type DashboardQuery } from '../../dashboards/queries';
import { DASHBOARDS_DIR } from '../../dashboards/write-json';

jest.setTimeout(150_000);

const BASELINE_S = 10;
const RUN_S = 35;
const testid = `live-${Date.now()}`;

const K6_SCRIPT = `
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

export const options = {
  scenarios: {
    dice: { executor: 'constant-arrival-rate', rate: 25, timeUnit: '1s', duration: '${RUN_S}s', preAllocatedVUs: 20, maxVUs: 40 },
  },
};

export default function () {
  exec.vu.metrics.tags.phase = exec.instance.currentTestRunDuration < ${BASELINE_S * 1000} ? 'baseline' : 'degraded';
  const res = http.get(__ENV.BASE_URL + '/', { tags: { name: '/' } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
`;

const dir = mkdtempSync(join(tmpdir(), 'roque-live-'));
let stack: Stack;
let app: AppProcess;
let start: number;
let end: number;
/** When both faults were on (seconds), for the alerts' detection time. */
let faultsAt: number;

async function admin(method: string, body?: unknown) {
  const res = await fetch(`${app.url}/admin/faults`, {
    method,
    headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} /admin/faults answered ${res.status}: ${await res.text()}`);
}

function runK6(): Promise<void> {
  const script = join(dir, 'live.js');
  writeFileSync(script, K6_SCRIPT);
  const k6 = spawn(
    tools().k6,
    ['run', '--quiet', '-o', 'experimental-prometheus-rw', '--tag', `testid=${testid}`, script],
    {
      env: {
        ...process.env,
        BASE_URL: app.url,
        K6_PROMETHEUS_RW_SERVER_URL: `${stack.prometheusUrl}/api/v1/write`,
        K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(95),p(99),avg,max',
        K6_PROMETHEUS_RW_STALE_MARKERS: 'true',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  k6.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let faultsFailed: Error | null = null;
  const faultsOn = setTimeout(() => {
    admin('POST', { type: 'latency', delayMs: 400, ttlSeconds: 60 })
      .then(() => admin('POST', { type: 'error', status: 500, probability: 0.3, ttlSeconds: 60 }))
      .then(() => (faultsAt = Date.now() / 1000))
      .catch((error: Error) => (faultsFailed = error));
  }, BASELINE_S * 1000);
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => k6.kill('SIGKILL'), (RUN_S + 30) * 1000);
    k6.once('exit', (code) => {
      clearTimeout(killer);
      clearTimeout(faultsOn);
      if (faultsFailed) reject(faultsFailed);
      else if (code === 0) resolve();
      else reject(new Error(`k6 exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

beforeAll(async () => {
  execFileSync(process.execPath, ['webpack-free-build.mjs', '--only', 'node'], { cwd: REPO_ROOT, stdio: 'ignore' });
  stack = await startStack({ dataDir: join(dir, 'stack'), prometheusPort: await freePort(), alertmanagerPort: null });
  app = await startApp();
  stack.setTargets([`127.0.0.1:${app.port}`]);
  start = Date.now() / 1000;
  await runK6();
  // Two rule evaluations after k6's last push, so the recorded series cover the end.
  await new Promise((r) => setTimeout(r, 11_000));
  end = Date.now() / 1000;
});

afterAll(async () => {
  await app?.stop();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function api(path: string, params: Record<string, string>) {
  const res = await fetch(`${stack.prometheusUrl}/api/v1/${path}`, {
    method: 'POST',
    body: new URLSearchParams(params),
  });
  const body = (await res.json()) as { status: string; error?: string; data: unknown };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}

/** How many series (or, for a variable, values of its label) a query returns over the run. */
async function answer(q: DashboardQuery): Promise<number> {
  const range = `${Math.ceil(end - start) + 30}s`;
  const expr = substitute(q.expr, { testid, phase: '.*' }, range);
  const window = { start: String(start - 15), end: String(end) };
  if (q.kind === 'variable') {
    const series = (await api('series', { 'match[]': expr, ...window })) as Record<string, string>[];
    return new Set(series.map((s) => s[q.label!]).filter(Boolean)).size;
  }
  const data = (
    q.kind === 'instant'
      ? await api('query', { query: expr, time: String(end) })
      : await api('query_range', { query: expr, ...window, step: '5' })
  ) as { result: { values?: [number, string][]; value?: [number, string] }[] };
  // A series made only of NaN is no data either.
  return data.result.filter((r) => (r.values ?? [r.value!]).some(([, v]) => v !== 'NaN')).length;
}

test.each(readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json')))(
  'every query of %s returns data',
  async (file) => {
    const queries = dashboardQueries(JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8'))).filter(
      (q) => !q.composeOnly,
    );
    const empty: string[] = [];
    for (const q of queries) {
      if ((await answer(q)) === 0) empty.push(`${q.where}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  },
);

test('the run shows the faults: baseline and degraded phases, injected delay, server and client errors', async () => {
  const instant = async (expr: string) =>
    (
      (await api('query', { query: expr, time: String(end) })) as {
        result: { metric: Record<string, string>; value: [number, string] }[];
      }
    ).result;
  const range = `${Math.ceil(end - start) + 30}s`;
  const phases = await instant(
    `max by (phase) (last_over_time(testid_phase:k6_http_req_duration_p95:max{testid="${testid}"}[${range}]))`,
  );
  const p95 = Object.fromEntries(phases.map((r) => [r.metric.phase, Number(r.value[1])]));
  expect(p95.baseline).toBeLessThan(0.2);
  expect(p95.degraded).toBeGreaterThan(0.38);
  const injected = await instant(`max_over_time(max(job:chaos_injected_delay_seconds:p95_rate20s)[${range}:5s])`);
  expect(Number(injected[0].value[1])).toBeGreaterThan(0.38);
  const serverErrors = await instant(`max_over_time(max(job:http_server_requests_5xx:ratio_rate20s)[${range}:5s])`);
  expect(Number(serverErrors[0].value[1])).toBeGreaterThan(0.15);
  const clientErrors = await instant(
    `max_over_time(max(testid_phase:k6_http_req_failed:ratio_rate20s{testid="${testid}", phase="degraded"})[${range}:5s])`,
  );
  expect(Number(clientErrors[0].value[1])).toBeGreaterThan(0.15);
});

test.each(['RoqueFaultInjected', 'RoqueHighLatency', 'RoqueHighErrorRate', 'RoqueK6HighFailureRate'])(
  '%s fires within 30 s of the faults',
  async (alertname) => {
    expect(faultsAt).toBeDefined();
    const data = (await api('query_range', {
      query: `max(ALERTS{alertname="${alertname}", alertstate="firing"})`,
      start: String(faultsAt),
      end: String(end),
      step: '1',
    })) as { result: { values: [number, string][] }[] };
    const firstFiring = data.result[0]?.values[0]?.[0];
    expect(firstFiring).toBeDefined();
    console.log(`${alertname} firing ${Math.round(firstFiring - faultsAt)} s after the faults were switched on`);
    expect(firstFiring - faultsAt).toBeLessThanOrEqual(30);
  },
);
