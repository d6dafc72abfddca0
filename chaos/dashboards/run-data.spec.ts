// The run pages' data: variables bound to the run, legends, annotation windows, and the
// definitions' names all real (rules in the rule file, thresholds from the alerts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RULES } from '../contract/metrics';
import type { PromSample, PromSeries, PrometheusClient } from '../runner/prometheus';
import { ALERT_RULES_FILE, alertThreshold, DASHBOARDS } from './definitions';
import { dashboardQueries, panelsOf } from './queries';
import { gatherDashboardData, legendName, stepFor, windowsOf } from './run-data';
import { writeRunDashboards } from './run-pages';

test('every recording rule the dashboards name is in the rule file', () => {
  const recorded = new Set(
    (parse(readFileSync(ALERT_RULES_FILE, 'utf8')) as { groups: { rules: { record?: string }[] }[] }).groups.flatMap(
      (g) => g.rules.map((r) => r.record),
    ),
  );
  expect(Object.values(RULES).filter((name) => !recorded.has(name))).toEqual([]);
});

test('thresholds come from the alert rules, and a rule without one is an error naming it', () => {
  expect(alertThreshold('RoqueHighLatency')).toBe(0.3);
  expect(alertThreshold('RoqueHighErrorRate')).toBe(0.05);
  const dir = mkdtempSync(join(tmpdir(), 'roque-rules-'));
  const file = join(dir, 'rules.yml');
  writeFileSync(file, 'groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n');
  expect(() => alertThreshold('Down', file)).toThrow(/alert Down is missing or not "<expr> > <number>"/);
  expect(() => alertThreshold('Nope', file)).toThrow(/alert Nope/);
  rmSync(dir, { recursive: true, force: true });
});

test('legends fill Grafana placeholders, and fall back to the labels', () => {
  expect(legendName('{{phase}} · server', { phase: 'latency' })).toBe('latency · server');
  expect(legendName('{{ phase }} p95', { phase: 'errors' })).toBe('errors p95');
  expect(legendName('', { job: 'a', phase: 'b' })).toBe('{job="a", phase="b"}');
  expect(legendName(undefined, {})).toBe('value');
});

test('annotation windows are the runs of non-zero samples; a gap longer than a step splits them', () => {
  const values: [number, number][] = [
    [10, 0],
    [11, 1],
    [12, 1],
    [13, 1],
    [20, 1],
    [21, 1],
    [22, NaN],
  ];
  expect(windowsOf(values, 1, 'latency fault')).toEqual([
    { fromMs: 11_000, toMs: 13_000, title: 'latency fault' },
    { fromMs: 20_000, toMs: 21_000, title: 'latency fault' },
  ]);
  expect(windowsOf([], 1, 'x')).toEqual([]);
});

test('about 400 points a range, never under a second', () => {
  expect(stepFor(0, 100_000)).toBe(1);
  expect(stepFor(0, 2_000_000)).toBe(5);
});

/** Answers every query with one series, and records what was asked. */
class FakePrometheus {
  asked: { expr: string; kind: 'instant' | 'range'; at: number[]; step?: number }[] = [];
  async query(expr: string, time: number): Promise<PromSample[]> {
    this.asked.push({ expr, kind: 'instant', at: [time] });
    return expr.includes('node_') || expr.includes('container_') ? [] : [{ metric: { phase: 'baseline' }, value: 2 }];
  }
  async queryRange(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<PromSeries[]> {
    this.asked.push({ expr, kind: 'range', at: [startMs, endMs], step: stepSeconds });
    if (expr.includes('node_') || expr.includes('container_')) return [];
    if (expr.includes('broken')) throw new Error('Prometheus /api/v1/query_range: bad_data');
    return [
      {
        metric: { phase: 'baseline', type: 'latency' },
        values: [
          [startMs / 1000, 1],
          [startMs / 1000 + stepSeconds, NaN],
        ],
      },
    ];
  }
}

const run = {
  testid: '20261201T000000-demo-ab12',
  phases: [
    { name: 'baseline', startMs: 1_000_000, endMs: 1_030_000 },
    { name: 'latency.x', startMs: 1_030_000, endMs: 1_060_000 },
  ],
  fromMs: 985_000,
  toMs: 1_090_000,
};

test('every query of a dashboard is asked with the run bound: exact testid, its phases, its range', async () => {
  const prometheus = new FakePrometheus();
  const data = await gatherDashboardData(
    'golden-signals',
    DASHBOARDS['golden-signals'],
    prometheus as unknown as PrometheusClient,
    run,
  );
  const expected = dashboardQueries(DASHBOARDS['golden-signals']).filter((q) => q.kind !== 'variable');
  expect(prometheus.asked).toHaveLength(expected.length);
  for (const q of prometheus.asked) {
    expect(q.expr).not.toMatch(/\$\w/);
    if (q.kind === 'range') expect(q.at).toEqual([run.fromMs, run.toMs]);
    else expect(q.at).toEqual([run.toMs]);
  }
  const k6 = prometheus.asked.find((q) => q.expr.includes('testid_phase:k6_http_req_duration_p95:max'))!;
  expect(k6.expr).toContain('testid=~"20261201T000000-demo-ab12", phase=~"baseline|latency\\.x"');
  expect(Object.keys(data.panels)).toHaveLength(panelsOf(DASHBOARDS['golden-signals']).length);
  const first = data.panels[panelsOf(DASHBOARDS['golden-signals'])[0].id!];
  expect(first[0].series[0]).toMatchObject({
    name: 'injected delay p95',
    points: [
      [985_000, 1],
      [986_000, null],
    ],
  });
  expect(data.annotations.map((a) => [a.name, a.windows.length])).toEqual([
    ['Fault windows', 1],
    ['k6 phases', 1],
  ]);
});

test('instant panels are asked over the whole range; a refused query is kept with its error, not thrown', async () => {
  const prometheus = new FakePrometheus();
  await gatherDashboardData('k6-results', DASHBOARDS['k6-results'], prometheus as unknown as PrometheusClient, run);
  const requests = prometheus.asked.find(
    (q) => q.kind === 'instant' && q.expr.startsWith('sum(max_over_time(k6_http_reqs_total'),
  )!;
  expect(requests.expr).toContain('[105s]');
  const broken = {
    ...DASHBOARDS['k6-results'],
    panels: [{ type: 'timeseries', id: 1, title: 'x', targets: [{ refId: 'A', expr: 'broken' }] }],
  };
  const refused = await gatherDashboardData('broken', broken as never, prometheus as unknown as PrometheusClient, run);
  expect(refused.panels[1]).toEqual([
    { refId: 'A', expr: 'broken', kind: 'range', series: [], error: 'Prometheus /api/v1/query_range: bad_data' },
  ]);
});

test('the pages and their data are written, and empty panels (not compose-only) are named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'roque-pages-'));
  const drawn = await writeRunDashboards({
    runDir: dir,
    prometheus: new FakePrometheus() as unknown as PrometheusClient,
    run,
    result: { phases: [], checks: [] },
    k6Dashboard: null,
  });
  expect(drawn.pages).toEqual([
    'dashboards/golden-signals.html',
    'dashboards/baseline-vs-degraded.html',
    'dashboards/k6-results.html',
  ]);
  expect(drawn.emptyPanels).toEqual([]);
  const page = readFileSync(join(dir, 'dashboards', 'golden-signals.html'), 'utf8');
  expect(page).toContain('<script id="dashboard-data" type="application/json">');
  expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  expect(JSON.parse(readFileSync(join(dir, 'dashboards', 'data', 'k6-results.json'), 'utf8')).testid).toBe(run.testid);
  rmSync(dir, { recursive: true, force: true });
});
